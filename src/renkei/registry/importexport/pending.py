"""Keep an upload's parsed rows on the server between the preview and the commit.

The rows go to the storage API (local directory or S3, shared by every web process) under a random
name; the session holds that name, so the client never sends the data back and cannot name another
user's upload. Uploads left behind are removed after a day.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from renkei.registry.importexport.reading import ParsedUpload

SESSION_KEY = "registry_import"
FOLDER = "imports/pending"
MAX_AGE = dt.timedelta(hours=24)


def save_pending(session: Any, upload: ParsedUpload) -> str:
    """Store the parsed rows and remember them in the session; returns the token the form posts."""
    discard_pending(session)
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{FOLDER}/{token}.json", ContentFile(orjson.dumps(upload.to_json())))
    session[SESSION_KEY] = {"token": token, "path": path}
    _remove_stale()
    return token


def load_pending(session: Any, token: str) -> ParsedUpload | None:
    """The rows stored for this session under this token, or None when they are gone."""
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or not token or not secrets.compare_digest(str(entry.get("token", "")), token):
        return None
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return ParsedUpload.from_json(orjson.loads(handle.read()))
    except (OSError, KeyError, TypeError, ValueError):
        return None


def discard_pending(session: Any) -> None:
    entry = session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and entry.get("path"):
        try:
            default_storage.delete(entry["path"])
        except OSError:
            pass


def _remove_stale() -> None:
    try:
        _folders, files = default_storage.listdir(FOLDER)
        cutoff = timezone.now() - MAX_AGE
        for name in files:
            path = f"{FOLDER}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    except (OSError, NotImplementedError):
        # Cleaning up is a courtesy; a storage that cannot list files keeps them.
        pass
