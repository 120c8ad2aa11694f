"""Keep an upload's parsed rows on the server between the preview and the commit, and the outcome
of the commit for the status page.

The rows are a pending upload of `core.files.pending` (stored under a random name the session
holds, so the client never sends the data back and cannot name another user's upload; removed
after a day). Here: the commit is started once only, and its outcome is handed out once.
"""

from __future__ import annotations

from typing import Any

import orjson

from renkei.core.files import pending as files
from renkei.registry.importexport.reading import ParsedUpload

SESSION_KEY = "registry_import"
UPLOADS = "imports/pending"
RESULTS = "imports/results"
PENDING, COMMITTING = "pending", "committing"
STORE = files.PendingUploads(folder=UPLOADS, session_key=SESSION_KEY, also_clean=(RESULTS,))


def save_pending(session: Any, upload: ParsedUpload) -> str:
    """Store the parsed rows and remember them in the session; returns the token the form posts."""
    discard_pending(session)
    return STORE.save_json(session, upload.to_json(), state=PENDING)


def load_pending(session: Any, token: str) -> ParsedUpload | None:
    """The rows this session uploaded under this token and has not committed yet, or None."""
    entry = STORE.entry(session, token)
    if entry is None or entry.get("state") != PENDING:
        return None
    return load_upload(entry["path"])


def start_commit(session: Any, token: str) -> str | None:
    """Mark the upload as being committed (once only); returns where its rows are stored."""
    entry = STORE.entry(session, token)
    if entry is None or entry.get("state") != PENDING:
        return None
    STORE.update(session, state=COMMITTING)
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
        files.delete(f"{RESULTS}/{token}.json")
    return True, outcome


def load_upload(path: str) -> ParsedUpload | None:
    data = files.load_json(path)
    if data is None:
        return None
    try:
        return ParsedUpload.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None


def delete_upload(path: str) -> None:
    files.delete(path)


def save_result(token: str, outcome: dict[str, Any]) -> None:
    """Store the outcome of a commit for the status page (written by the worker)."""
    files.replace(f"{RESULTS}/{token}.json", orjson.dumps(outcome))


def load_result(token: str) -> dict[str, Any] | None:
    return files.load_json(f"{RESULTS}/{token}.json")


def discard_pending(session: Any) -> None:
    """Forget the session's upload; rows not yet handed to the worker are deleted."""
    entry = session.get(SESSION_KEY)
    STORE.discard(session, delete_file=isinstance(entry, dict) and entry.get("state") == PENDING)
