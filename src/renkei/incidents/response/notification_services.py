"""Writes of the notification plan: (re)generating it from the registry (through the chain's blast
radius of the involved parties), editing its entries, and the reminders the worker e-mails for due
tasks and approaching notification deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.display import show_datetime
from renkei.core.services import record_save
from renkei.incidents.response import selectors
from renkei.incidents.response.models import (
    Incident,
    IncidentStatus,
    IncidentTask,
    NotificationEntry,
    NotificationStatus,
    ResponseRole,
)
from renkei.incidents.response.notification_plan import build_plan
from renkei.incidents.response.timeline import ACTION, check_incident, timeline_system


@dataclass
class PlanChanges:
    """What a (re)generation of the plan changed, for the timeline."""

    created: list[NotificationEntry] = field(default_factory=list)
    moved: list[tuple[NotificationEntry, dt.datetime | None]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0

    def lines(self) -> list[str]:
        """One timeline line per change (deadline moves, entries added or removed)."""
        lines = [
            _("Notification to {recipient}: deadline {old} → {new}").format(
                recipient=entry.recipient, old=_when(old), new=_when(entry.deadline)
            )
            for entry, old in self.moved
        ]
        lines += [_("Notification added to the plan: {recipient}").format(recipient=e.recipient) for e in self.created]
        lines += [_("Notification removed from the plan: {recipient}").format(recipient=r) for r in self.removed]
        return lines


def _when(value: dt.datetime | None) -> str:
    return show_datetime(value) if value else "—"


UPDATED_FIELDS = ("category", "organisation_id", "role_id", "recipient", "reason", "deadline", "order")


def generate_plan(*, incident: Incident, radii: selectors.Radii | None = None) -> PlanChanges:
    """Bring the plan's untouched generated entries in line with the registry and the APPI clock:
    update them in place, add the missing ones, remove those that no longer apply. Entries a user
    edited, added or worked on (status other than pending) are kept as they are. `radii`: the
    involved parties' blast radii when the caller has them already (see `selectors.plan_input`)."""
    entries = build_plan(selectors.plan_input(incident, radii=radii))
    existing = {e.generated_key: e for e in incident.notifications.exclude(generated_key="")}
    changes = PlanChanges()
    changes.kept = sum(1 for e in existing.values() if e.edited or e.status != NotificationStatus.PENDING)
    wanted = set()
    for entry in entries:
        wanted.add(entry.key)
        values = {
            "category": entry.category,
            "organisation_id": entry.organisation_id,
            "role_id": entry.role_id,
            "recipient": entry.recipient[:300],
            "reason": entry.reason,
            "deadline": entry.deadline,
            "order": entry.order,
        }
        row = existing.get(entry.key)
        if row is None:
            row = NotificationEntry(incident=incident, generated_key=entry.key, **values)
            row.save()
            changes.created.append(row)
            continue
        if row.edited or row.status != NotificationStatus.PENDING:
            continue
        changed = [name for name in UPDATED_FIELDS if getattr(row, name) != values[name]]
        if not changed:
            continue
        old_deadline = row.deadline
        for name in changed:
            setattr(row, name, values[name])
        if "deadline" in changed:
            row.reminded_at = None  # a moved deadline is announced again
            changes.moved.append((row, old_deadline))
        row.save()
    for key, row in existing.items():
        if key not in wanted and not row.edited and row.status == NotificationStatus.PENDING:
            changes.removed.append(row.recipient)
            row.delete()
    return changes


def notification_plan_generate(*, user: Any, incident: Incident, via: str = "") -> int:
    """(Re)generate the notification plan from the registry; entries a user edited, added or
    worked on (status other than pending) are kept as they are."""
    check_incident(user, incident)
    with transaction.atomic():
        changes = generate_plan(incident=incident)
        summary = _("Notification plan generated: {created} entries, {kept} edited entries kept.").format(
            created=len(changes.created), kept=changes.kept
        )
        timeline_system(incident=incident, text="\n".join([summary, *changes.lines()]), user=user, via=via)
    return len(changes.created)


def notification_save(*, user: Any, entry: NotificationEntry, via: str = "") -> NotificationEntry:
    """Add or edit a plan entry (status, when and what was sent); it is then kept on regeneration."""
    check_incident(user, entry.incident)
    is_new = entry.pk is None
    if entry.status in (NotificationStatus.SENT, NotificationStatus.ACKNOWLEDGED) and entry.sent_at is None:
        entry.sent_at = timezone.now()
    entry.edited = True
    if is_new and not entry.order:
        last = entry.incident.notifications.order_by("-order").values_list("order", flat=True).first()
        entry.order = (last or 0) + 10
    with transaction.atomic():
        record_save(user=user, instance=entry, action=ACTION, company_id=entry.incident.group_company_id)
        if is_new:
            text = _("Notification added: {recipient}").format(recipient=entry.recipient)
        else:
            text = _("Notification to {recipient}: {status}").format(
                recipient=entry.recipient, status=entry.get_status_display()
            )
        timeline_system(incident=entry.incident, text=text, user=user, via=via)
    return entry


def notification_delete(*, user: Any, entry: NotificationEntry, via: str = "") -> None:
    """Remove a plan entry. A generated entry comes back on regeneration unless edited ones replace it."""
    check_incident(user, entry.incident)
    with transaction.atomic():
        timeline_system(
            incident=entry.incident,
            text=_("Notification removed: {recipient}").format(recipient=entry.recipient),
            user=user,
            via=via,
        )
        entry.delete()


# --- reminders (run by the worker) ------------------------------------------------------------------


def _csirt_emails(company_id: int) -> list[str]:
    """Whom to remind of an incident's deadlines: CSIRT users in scope and the registered CSIRT roles."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from renkei.core.permissions import Role

    users = get_user_model().objects.filter(is_active=True, role=Role.CSIRT).exclude(email="")
    users = users.filter(Q(group_companies__isnull=True) | Q(group_companies=company_id)).distinct()
    emails = set(users.values_list("email", flat=True))
    emails |= set(
        ResponseRole.objects.filter(group_company_id=company_id, kind="csirt").exclude(email="").values_list(
            "email", flat=True
        )
    )
    return sorted(emails)


def _send(recipients: list[str], subject: str, body: str) -> bool:
    from django.core.mail import send_mail

    if not recipients:
        return False
    send_mail(subject, body, None, recipients)
    return True


def reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """E-mail the owners of due incident tasks, and the CSIRT of notification deadlines (the APPI
    reports among them) that fall within `RENKEI_INCIDENT_REMINDER_HOURS`. Each is announced once;
    changing a task's due time re-arms its reminder. Closed incidents and drills' plans are skipped."""
    now = now or timezone.now()
    sent = {"tasks": 0, "notifications": 0}
    for task in selectors.due_tasks(now=now):
        incident = task.incident
        recipients = [task.owner.email] if task.owner and task.owner.email else _csirt_emails(incident.group_company_id)
        subject = _("[Renkei] Task due: {title}").format(title=task.title)
        body = _("Incident: {incident}\nTask: {title}\nDue: {due}\n").format(
            incident=incident.title, title=task.title, due=show_datetime(task.due_at)
        )
        if _send(recipients, subject, body):
            sent["tasks"] += 1
        IncidentTask.objects.filter(pk=task.pk).update(reminded_at=now)
    horizon = now + dt.timedelta(hours=getattr(settings, "RENKEI_INCIDENT_REMINDER_HOURS", 24))
    entries = (
        NotificationEntry.objects.filter(
            status=NotificationStatus.PENDING, deadline__lte=horizon, reminded_at__isnull=True
        )
        .exclude(incident__status=IncidentStatus.CLOSED)
        .exclude(incident__is_drill=True)
        .select_related("incident")
    )
    for entry in entries:
        incident = entry.incident
        if entry.deadline is None:
            continue
        subject = _("[Renkei] Notification due: {recipient} ({incident})").format(
            recipient=entry.recipient, incident=incident.title
        )
        body = _("Incident: {incident}\nNotify: {recipient}\nWhy: {reason}\nDeadline: {deadline}\n").format(
            incident=incident.title,
            recipient=entry.recipient,
            reason=entry.reason,
            deadline=show_datetime(entry.deadline),
        )
        if _send(_csirt_emails(incident.group_company_id), subject, body):
            sent["notifications"] += 1
        NotificationEntry.objects.filter(pk=entry.pk).update(reminded_at=now)
    return sent
