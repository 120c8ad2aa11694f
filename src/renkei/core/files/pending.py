"""An upload kept on the server between a preview and a confirm step (or for the worker).

The content goes to the storage API (local directory or S3, shared by every web and worker
process) under a random token; the session holds that token and the path, so the client never
sends the data back and cannot name another user's upload (the token is compared in constant
time). Cancelling deletes the file; files left behind are removed after a day, whenever a new
upload is stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

MAX_AGE = dt.timedelta(hours=24)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(known: object, given: str) -> bool:
    """Whether the token a client sent is the one we know, compared in constant time."""
    return bool(given) and secrets.compare_digest(str(known or ""), given)


def store(path: str, content: bytes | File[Any]) -> str:
    """Save bytes or a file (streamed, not read into memory); returns the path actually used."""
    return default_storage.save(path, ContentFile(content) if isinstance(content, bytes) else content)


def replace(path: str, content: bytes) -> None:
    """Write a file under exactly this name (a status or result rewritten as work goes on)."""
    with contextlib.suppress(OSError):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def load_bytes(path: str) -> bytes | None:
    try:
        with default_storage.open(path, "rb") as handle:
            data: bytes = handle.read()
    except OSError:
        return None
    return data


def load_json(path: str) -> dict[str, Any] | None:
    data = load_bytes(path)
    if data is None:
        return None
    try:
        loaded = orjson.loads(data)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def delete(path: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(path)


def remove_stale(*folders: str, max_age: dt.timedelta = MAX_AGE) -> None:
    cutoff = timezone.now() - max_age
    for folder in folders:
        try:
            _folders, files = default_storage.listdir(folder)
            for name in files:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
        except (OSError, NotImplementedError):
            # Cleaning up is a courtesy; a storage that cannot list files keeps them.
            continue


@dataclass(frozen=True)
class PendingUploads:
    """One pending upload per session key, stored under `folder`; `also_clean` are folders of
    outcomes kept beside the uploads, removed at the same age."""

    folder: str
    session_key: str
    also_clean: tuple[str, ...] = ()

    def save(self, session: Any, content: bytes | File[Any], *, suffix: str = ".json", **entry: Any) -> str:
        """Store the content and remember it in the session (replacing an earlier one); returns the
        token the next step's form posts."""
        self.discard(session)
        token = new_token()
        path = store(f"{self.folder}/{token}{suffix}", content)
        session[self.session_key] = {"token": token, "path": path, **entry}
        remove_stale(self.folder, *self.also_clean)
        return token

    def save_json(self, session: Any, data: Any, **entry: Any) -> str:
        return self.save(session, orjson.dumps(data), **entry)

    def entry(self, session: Any, token: str | None = None) -> dict[str, Any] | None:
        """The session's pending upload; given a token, only when it is this upload's."""
        entry = session.get(self.session_key)
        if not isinstance(entry, dict) or not entry.get("path"):
            return None
        if token is not None and not same_token(entry.get("token"), token):
            return None
        return entry

    def update(self, session: Any, **changes: Any) -> None:
        entry = dict(session.get(self.session_key) or {})
        entry.update(changes)
        session[self.session_key] = entry

    def discard(self, session: Any, *, delete_file: bool = True) -> None:
        """Forget the session's upload and (unless it was handed on, e.g. to a worker) delete it."""
        entry = session.pop(self.session_key, None)
        if delete_file and isinstance(entry, dict) and entry.get("path"):
            delete(str(entry["path"]))
