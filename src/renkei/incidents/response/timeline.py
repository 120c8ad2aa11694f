"""The incident's timeline, and the write check every response service shares.

Every change to an incident or to what hangs off it writes a system entry here (callers have
checked the permission), so the timeline tells the story without reading the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.services import check_write, validate
from renkei.incidents.permissions import CHANGE_INCIDENTS
from renkei.incidents.response.models import (
    Incident,
    TimelineEntry,
    TimelineKind,
)

ACTION = CHANGE_INCIDENTS


def check_incident(user: Any, incident: Incident) -> None:
    check_write(user=user, action=ACTION, company_id=incident.group_company_id)


def author(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def timeline_system(*, incident: Incident, text: str, user: Any = None, via: str = "") -> TimelineEntry:
    """Record what the system did or what changed (callers have checked the permission)."""
    return TimelineEntry.objects.create(
        incident=incident, at=timezone.now(), author=author(user), via=via, kind=TimelineKind.SYSTEM, text=text
    )


def timeline_add(*, user: Any, incident: Incident, text: str, at: dt.datetime | None = None, via: str = "") -> TimelineEntry:
    """Add a manual timeline entry (what was done or learned, by whom, when)."""
    check_incident(user, incident)
    text = (text or "").strip()
    if not text:
        raise RenkeiError(_("Write what happened."), field_name="text")
    entry = TimelineEntry(
        incident=incident, at=at or timezone.now(), author=author(user), via=via, kind=TimelineKind.MANUAL, text=text
    )
    validate(entry)
    entry.save()
    return entry
