"""What both Excel pages share: limits, the pending uploads kept between the steps of an import
(the workbook is read once, safely, and its rows are kept under the data directory by a random
name held in the session, so later steps never take data back from the browser; files left
behind are removed after a day)."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Any

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action
from renkei.core.views import request_too_large
from renkei.registry.importexport.reading import file_too_large_message

READ = Action.VIEW
WRITE = Action.CHANGE_ASSESSMENTS
PENDING_DIR = "assessments/excel-pending"
PENDING_MAX_AGE = dt.timedelta(hours=24)
FRAMEWORK_SESSION_KEY = "assessments_excel_framework"
ANSWERS_SESSION_KEY = "assessments_excel_answers"
PREVIEW_QUESTIONS = 50
PROBLEMS_SHOWN = 200
TEMPLATES = "assessments/excel/"


def optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def upload_too_large(request: HttpRequest) -> RenkeiError | None:
    if request_too_large(request):
        return RenkeiError(file_too_large_message(settings.RENKEI_MAX_UPLOAD_BYTES), field_name="file", status=413)
    return None


# --- pending uploads (kept between the steps) ---------------------------------------------------


def pending_save(session: Any, key: str, data: dict[str, Any], **entry: Any) -> str:
    """Store an upload's parsed content under a random name; the session remembers the name."""
    pending_discard(session, key)
    token = secrets.token_urlsafe(24)
    stored = default_storage.save(f"{PENDING_DIR}/{token}.json", ContentFile(orjson.dumps(data)))
    session[key] = {"token": token, "path": stored, **entry}
    remove_stale()
    return token


def pending_entry(session: Any, key: str, token: str | None = None) -> dict[str, Any] | None:
    entry = session.get(key)
    if not isinstance(entry, dict) or not entry.get("path"):
        return None
    if token is not None and not secrets.compare_digest(str(entry.get("token", "")), token):
        return None
    return entry


def pending_load(entry: dict[str, Any]) -> dict[str, Any] | None:
    try:
        with default_storage.open(str(entry["path"]), "rb") as handle:
            data = orjson.loads(handle.read())
    except (OSError, KeyError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def pending_update(session: Any, key: str, **changes: Any) -> None:
    entry = dict(session.get(key) or {})
    entry.update(changes)
    session[key] = entry


def pending_discard(session: Any, key: str) -> None:
    entry = session.pop(key, None)
    if isinstance(entry, dict) and entry.get("path"):
        with contextlib.suppress(OSError):
            default_storage.delete(str(entry["path"]))


def remove_stale() -> None:
    cutoff = timezone.now() - PENDING_MAX_AGE
    try:
        _folders, files = default_storage.listdir(PENDING_DIR)
        for name in files:
            stored = f"{PENDING_DIR}/{name}"
            if default_storage.get_modified_time(stored) < cutoff:
                default_storage.delete(stored)
    except (OSError, NotImplementedError):
        # Cleaning up is a courtesy; a storage that cannot list files keeps them.
        return
