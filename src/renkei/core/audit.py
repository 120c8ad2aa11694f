"""Who made a change: the request's user, or the command or task that ran it.

django-auditlog records every create/update/delete of registered models through signals; its
context only knows an actor inside a request. `audit_context` extends that to commands and tasks by
writing the origin ("command: renkei import", "task: …") into the log entry's additional data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_extra_data


@contextlib.contextmanager
def audit_context(*, actor: Any = None, via: str, remote_addr: str | None = None) -> Iterator[None]:
    """Attribute every audit entry written inside the block to `actor` (a user or None) and `via`."""
    data: dict[str, Any] = {"actor": actor, "additional_data": {"via": via}}
    if remote_addr:
        data["remote_addr"] = remote_addr
    with set_extra_data(context_data=data):
        yield


def set_current_actor(actor: Any, via: str) -> None:
    """Name the actor of the running request once it is known (API token auth runs after middleware)."""
    try:
        current = auditlog_value.get()
    except LookupError:
        return
    current["actor"] = actor
    current["additional_data"] = {"via": via}


def describe_actor(entry: Any) -> str:
    """A human label for the author of an audit entry."""
    if entry.actor_id:
        return str(entry.actor)
    extra = entry.additional_data or {}
    if isinstance(extra, dict) and extra.get("via"):
        return str(extra["via"])
    return "system"
