"""Keep an upload's parsed rows on the server between the preview and the commit, and the outcome
of the commit for the status page.

The rows go to the storage API (local directory or S3, shared by every web and worker process)
under a random name; the session holds that name, so the client never sends the data back and
cannot name another user's upload. Files left behind are removed after a day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Any

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from renkei.registry.importexport.reading import ParsedUpload

SESSION_KEY = "registry_import"
UPLOADS = "imports/pending"
RESULTS = "imports/results"
MAX_AGE = dt.timedelta(hours=24)
PENDING, COMMITTING = "pending", "committing"


def save_pending(session: Any, upload: ParsedUpload) -> str:
    """Store the parsed rows and remember them in the session; returns the token the form posts."""
    discard_pending(session)
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{UPLOADS}/{token}.json", ContentFile(orjson.dumps(upload.to_json())))
    session[SESSION_KEY] = {"token": token, "path": path, "state": PENDING}
    _remove_stale()
    return token


def _entry(session: Any, token: str) -> dict[str, Any] | None:
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or not token or not secrets.compare_digest(str(entry.get("token", "")), token):
        return None
    return entry


def load_pending(session: Any, token: str) -> ParsedUpload | None:
    """The rows this session uploaded under this token and has not committed yet, or None."""
    entry = _entry(session, token)
    if entry is None or entry.get("state") != PENDING:
        return None
    return load_upload(entry["path"])


def start_commit(session: Any, token: str) -> str | None:
    """Mark the upload as being committed (once only); returns where its rows are stored."""
    entry = _entry(session, token)
    if entry is None or entry.get("state") != PENDING:
        return None
    entry["state"] = COMMITTING
    session[SESSION_KEY] = entry
    return str(entry["path"])


def commit_outcome(session: Any) -> tuple[bool, dict[str, Any] | None]:
    """Whether this session has a commit under way or finished, and its outcome once stored.

    A finished outcome is handed out once: the session forgets it, so the next visit starts afresh.
    """
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("state") != COMMITTING:
        return False, None
    token = str(entry.get("token", ""))
    outcome = load_result(token)
    if outcome is not None:
        session.pop(SESSION_KEY, None)
        with contextlib.suppress(OSError):
            default_storage.delete(f"{RESULTS}/{token}.json")
    return True, outcome


def load_upload(path: str) -> ParsedUpload | None:
    try:
        with default_storage.open(path, "rb") as handle:
            return ParsedUpload.from_json(orjson.loads(handle.read()))
    except (OSError, KeyError, TypeError, ValueError):
        return None


def delete_upload(path: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(path)


def save_result(token: str, outcome: dict[str, Any]) -> None:
    """Store the outcome of a commit for the status page (written by the worker)."""
    path = f"{RESULTS}/{token}.json"
    with contextlib.suppress(OSError):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(orjson.dumps(outcome)))


def load_result(token: str) -> dict[str, Any] | None:
    try:
        with default_storage.open(f"{RESULTS}/{token}.json", "rb") as handle:
            data = orjson.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def discard_pending(session: Any) -> None:
    """Forget the session's upload; rows not yet handed to the worker are deleted."""
    entry = session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and entry.get("path") and entry.get("state") == PENDING:
        delete_upload(str(entry["path"]))


def _remove_stale() -> None:
    cutoff = timezone.now() - MAX_AGE
    for folder in (UPLOADS, RESULTS):
        try:
            _folders, files = default_storage.listdir(folder)
            for name in files:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
        except (OSError, NotImplementedError):
            # Cleaning up is a courtesy; a storage that cannot list files keeps them.
            continue
