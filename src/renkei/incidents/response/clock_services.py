"""The APPI clock as the one source of the incident's dates: after the answers, the learned date,
our role or the parties change, the decision is recorded (who, when), the tasks that follow a
legal deadline take its date, and the notification plan is brought in line — each change written
to the timeline. Dates a user set by hand (tasks, plan entries) are left as edited; the pages mark
them where they differ from the clock.

The rules themselves stay in the pure engine `deadlines`; this module only applies them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.display import show_datetime
from renkei.incidents.response import deadlines as appi
from renkei.incidents.response import selectors
from renkei.incidents.response.models import Incident, TaskStatus
from renkei.incidents.response.notification_services import generate_plan
from renkei.incidents.response.timeline import author, timeline_system

# Fields whose change moves the clock (or what the plan lists).
CLOCK_FIELDS = (
    "learned_at",
    "our_role",
    "principal_id",
    "appi_sensitive",
    "appi_financial_risk",
    "appi_wrongful_purpose",
    "persons_estimate",
    "appi_encrypted",
    "appi_key_leaked",
    "prelim_start_days",
)


def _when(value: dt.datetime | None) -> str:
    return show_datetime(value) if value else "—"


def decision_record(*, incident: Incident, user: Any, previous_state: str | None) -> str | None:
    """Record who brought the APPI decision to its current state and when (unsaved: the caller
    saves); the timeline line for the change, or None when the state did not change."""
    state = selectors.assessment_for(incident).state
    if state == previous_state:
        return None
    incident.appi_decision = state
    incident.appi_decided_by = author(user)
    incident.appi_decided_at = timezone.now()
    if previous_state is None:
        return None
    return _("APPI decision: {old} → {new}").format(old=appi.state_text(previous_state), new=appi.state_text(state))


def tasks_follow_clock(*, incident: Incident, schedule: dict[str, appi.ClockItem] | None = None) -> list[str]:
    """Give every open task that follows a legal deadline the clock's date (none when that deadline
    no longer runs); tasks whose date a user edited keep it. Timeline lines for what moved."""
    schedule = selectors.clock_for(incident) if schedule is None else schedule
    lines = []
    tasks = incident.tasks.exclude(deadline_key="").exclude(status=TaskStatus.DONE).filter(due_edited=False)
    for task in tasks:
        item = schedule.get(task.deadline_key)
        due = item.due if item else None
        if task.due_at == due:
            continue
        lines.append(
            _("Task “{title}”: due {old} → {new} (APPI clock)").format(
                title=task.title, old=_when(task.due_at), new=_when(due)
            )
        )
        task.due_at, task.reminded_at = due, None
        task.save(update_fields=["due_at", "reminded_at", "updated_at"])  # through the audit log
    return lines


def tasks_follow_learned_date(*, incident: Incident, shift: dt.timedelta) -> list[str]:
    """When the learned date moves, the other open tasks (due `due_hours` after learning) move with
    it; tasks whose date a user edited keep it."""
    if not shift:
        return []
    tasks = incident.tasks.filter(deadline_key="", due_edited=False, due_at__isnull=False).exclude(
        status=TaskStatus.DONE
    )
    moved = 0
    for task in tasks:
        assert task.due_at is not None  # filtered above; for the type checker
        task.due_at, task.reminded_at = task.due_at + shift, None
        task.save(update_fields=["due_at", "reminded_at", "updated_at"])
        moved += 1
    if not moved:
        return []
    return [_("{n} other tasks moved with the learned date.").format(n=moved)]


def clock_sync(
    *,
    incident: Incident,
    user: Any = None,
    via: str = "",
    extra_lines: tuple[str, ...] = (),
    learned_shift: dt.timedelta = dt.timedelta(0),
) -> list[str]:
    """Make tasks and the notification plan follow the clock (and the other tasks follow a moved
    learned date by `learned_shift`), and write one timeline entry with every change (and
    `extra_lines`, e.g. the decision's change). Returns the lines written."""
    lines = [*extra_lines, *tasks_follow_clock(incident=incident)]
    lines += tasks_follow_learned_date(incident=incident, shift=learned_shift)
    lines += generate_plan(incident=incident).lines()
    if lines:
        timeline_system(incident=incident, text="\n".join(lines), user=user, via=via)
    return lines


def clock_changed(before: dict[str, Any], incident: Incident) -> bool:
    """Whether any field the clock depends on changed (`before`: values as stored)."""
    return any(before.get(name) != getattr(incident, name) for name in CLOCK_FIELDS)


def previous_state(before: dict[str, Any]) -> str | None:
    """The decision state of the stored incident (`before`: its field values), None for a new one."""
    if not before:
        return None
    return appi.appi_assessment(
        sensitive=before.get("appi_sensitive"),
        financial_risk=before.get("appi_financial_risk"),
        wrongful_purpose=before.get("appi_wrongful_purpose"),
        persons=before.get("persons_estimate"),
        encrypted=bool(before.get("appi_encrypted")),
        key_leaked=before.get("appi_key_leaked"),
        our_role=before.get("our_role") or appi.DATA_OWNER,
    ).state
