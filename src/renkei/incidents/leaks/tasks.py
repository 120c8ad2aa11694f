"""Tracing a large leaked sample in the worker, with a status the trace page polls.

The upload goes to the storage API (shared by web and worker processes) under a random token; the
session lists the tokens it started, so nobody else can open a result. The worker writes the status
(stage and progress, then the result or the error) next to it. The sample itself is deleted as soon
as it has been read; statuses older than a day are removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from renkei.core.errors import RenkeiError
from renkei.incidents.leaks.services import leak_trace

UPLOADS = "leaks/pending"
STATUS = "leaks/traces"
SESSION_KEY = "leak_traces"
MAX_AGE = dt.timedelta(hours=24)
MAX_REMEMBERED = 20


def start(session: Any, upload: File[Any]) -> tuple[str, str]:
    """Store the sample for the worker (streamed, not read into memory) and remember the token in the
    session; returns (token, path)."""
    _remove_stale()
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{UPLOADS}/{token}.bin", upload)
    save_status(token, {"state": "queued"})
    tokens = [t for t in session.get(SESSION_KEY, []) if isinstance(t, str)][-(MAX_REMEMBERED - 1) :]
    session[SESSION_KEY] = [*tokens, token]
    return token, path


def owns(session: Any, token: str) -> bool:
    return any(secrets.compare_digest(str(t), token) for t in session.get(SESSION_KEY, []))


def save_status(token: str, status: dict[str, Any]) -> None:
    path = f"{STATUS}/{token}.json"
    with contextlib.suppress(OSError):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(orjson.dumps(status)))


def load_status(token: str) -> dict[str, Any] | None:
    try:
        with default_storage.open(f"{STATUS}/{token}.json", "rb") as handle:
            data = orjson.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@task()
def trace_leak(*, token: str, path: str, filename: str, encoding: str, user_id: int, language: str) -> bool:
    """Trace the stored sample as the user who asked (their ledger scope) and store the outcome."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    last = [timezone.now()]

    def progress(stage: str, done: int, total: int) -> None:
        # Writing the status is cheap, but not after every one of thousands of datasets.
        now = timezone.now()
        if stage == "read" or done == total or now - last[0] > dt.timedelta(seconds=1):
            last[0] = now
            save_status(token, {"state": "running", "stage": stage, "done": done, "total": total})

    with translation.override(language):
        try:
            with default_storage.open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            save_status(token, {"state": "failed", "message": _("The uploaded file is no longer available.")})
            return False
        finally:
            with contextlib.suppress(OSError):
                default_storage.delete(path)
        save_status(token, {"state": "running", "stage": "read", "done": 0, "total": 0})
        try:
            if user is None:
                raise PermissionDenied
            result = leak_trace(user=user, data=data, filename=filename, encoding=encoding, progress=progress)
        except RenkeiError as exc:
            save_status(token, {"state": "failed", "message": str(exc.message)})
            return False
        except PermissionDenied:
            save_status(token, {"state": "failed", "message": _("You do not have permission to do this.")})
            return False
        except Exception:
            save_status(token, {"state": "failed", "message": _("An unexpected error occurred.")})
            raise
    save_status(token, {"state": "done", "result": result})
    return True


def _remove_stale() -> None:
    cutoff = timezone.now() - MAX_AGE
    for folder in (UPLOADS, STATUS):
        try:
            _folders, files = default_storage.listdir(folder)
            for name in files:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
        except (OSError, NotImplementedError):
            # Cleaning up is a courtesy; a storage that cannot list files keeps them.
            continue
