"""Writes of incident response: opening an incident (playbook tasks, the first notification plan;
affected assets are proposed and confirmed in `asset_proposals`), editing it, its affected assets,
tasks, inquiries, costs and attachments, and drills. Views, the API, commands and tasks all come through here.

Every change also writes a system entry to the incident's timeline (`timeline`). The response
organisation's writes are `setup_services`; the notification plan and reminders are
`notification_services`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.display import show_datetime
from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import (
    INCIDENT_ATTACHMENT_TYPES,
    check_file,
    check_size,
    sha256_limited,
    too_large,
    upload_limit,
)
from renkei.core.services import check_write, record_delete, record_save
from renkei.incidents.response import clock_services, selectors
from renkei.incidents.response.asset_proposals import asset_proposals
from renkei.incidents.response.models import (
    Attachment,
    CostEntry,
    Incident,
    IncidentAsset,
    IncidentStatus,
    IncidentTask,
    Inquiry,
    Playbook,
    TaskStatus,
)
from renkei.incidents.response.notification_services import generate_plan
from renkei.incidents.response.setup_services import default_company_id, playbook_ensure_default
from renkei.incidents.response.timeline import ACTION, author, check_incident, timeline_add, timeline_system
from renkei.registry.models import Organisation

# Fields whose changes the timeline reports (the rest, e.g. the after-action note, are long texts).
TRACKED_FIELDS = (
    "title",
    "learned_at",
    "occurred_at",
    "source",
    "category",
    "severity",
    "status",
    "our_role",
    "principal",
    "appi_sensitive",
    "appi_financial_risk",
    "appi_wrongful_purpose",
    "persons_estimate",
    "appi_encrypted",
    "appi_key_leaked",
    "prelim_start_days",
)


def _check_prelim_window(incident: Incident) -> None:
    start = incident.prelim_start_days
    if start is not None and not 1 <= start <= selectors.PRELIM_END_DAYS:
        raise RenkeiError(
            _("The preliminary report is due within {days} days at the latest.").format(days=selectors.PRELIM_END_DAYS),
            field_name="prelim_start_days",
        )


def _instantiate_playbook(*, incident: Incident, playbook: Playbook) -> int:
    """Turn the playbook into tasks: due `due_hours` after learning, or, for a task that follows a
    legal deadline, the APPI clock's date (none while that deadline does not run)."""
    schedule = selectors.clock_for(incident)
    tasks = []
    order = 0
    for step in playbook.steps.prefetch_related("tasks").order_by("order", "pk"):
        for template in step.tasks.all():
            order += 10
            due: dt.datetime | None = incident.learned_at + dt.timedelta(hours=template.due_hours)
            if template.deadline_key:
                item = schedule.get(template.deadline_key)
                due = item.due if item else None
            tasks.append(
                IncidentTask(
                    incident=incident,
                    step_name=step.name,
                    order=order,
                    title=template.title,
                    owner_kind=template.owner_kind,
                    due_at=due,
                    deadline_key=template.deadline_key,
                )
            )
    IncidentTask.objects.bulk_create(tasks)
    return len(tasks)


def incident_open(
    *,
    user: Any,
    incident: Incident,
    parties: Iterable[Organisation] = (),
    playbook: Playbook | None = None,
    via: str = "",
) -> Incident:
    """Open an incident: save it, instantiate its playbook (the company's default when none is
    chosen) into tasks (those following a legal deadline take the APPI clock's date), write the first
    timeline entry, note how many affected assets the registry proposes for the involved parties (the
    user confirms each: `asset_proposals`; nothing is added unasked), record the APPI decision
    (undetermined until the questions are answered) and generate the notification plan. The persons
    count is only proposed from the assets: the user confirms it."""
    if incident.pk is not None:
        raise RenkeiError(_("This incident is already open."))
    incident.group_company_id = default_company_id(user, incident.group_company_id)
    if incident.learned_at is None:
        incident.learned_at = timezone.now()
    parties = list(parties)
    check_incident(user, incident)
    _check_prelim_window(incident)
    if playbook is not None and playbook.group_company_id != incident.group_company_id:
        raise RenkeiError(_("Choose a playbook of the same group company."), field_name="playbook")
    with transaction.atomic():
        clock_services.decision_record(incident=incident, user=user, previous_state=None)
        record_save(user=user, instance=incident, action=ACTION, m2m={"parties": parties})
        if playbook is None:
            playbook = playbook_ensure_default(group_company=incident.group_company, user=user)
        task_count = _instantiate_playbook(incident=incident, playbook=playbook)
        # One load of the chain graph for all involved parties, shared by the proposals and the plan.
        radii = selectors.blast_radii(parties) if parties else {}
        proposed = len(asset_proposals(incident, parties=parties, radii=radii)) if parties else 0
        if incident.is_drill:
            text = _("Drill started with playbook “{playbook}”: {tasks} tasks.")
        else:
            text = _("Incident opened with playbook “{playbook}”: {tasks} tasks.")
        timeline_system(
            incident=incident, text=text.format(playbook=playbook.name, tasks=task_count), user=user, via=via
        )
        if proposed:
            timeline_system(
                incident=incident,
                text=_("{n} affected information assets proposed from the registry: confirm them on the incident.").format(
                    n=proposed
                ),
                user=user,
                via=via,
            )
        generate_plan(incident=incident, radii=radii)
    return incident


def _display(incident: Incident, name: str, value: Any) -> str:
    field = Incident._meta.get_field(name)
    if value is None or value == "":
        return "—"
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return show_datetime(value)
    if isinstance(value, Model):
        return str(value)
    if name == "principal":
        found = Organisation.objects.filter(pk=value).first()
        return str(found) if found else str(value)
    return str(value)


def _changes(before: dict[str, Any], incident: Incident) -> list[str]:
    lines = []
    for name in TRACKED_FIELDS:
        attr = f"{name}_id" if name == "principal" else name
        old, new = before.get(attr), getattr(incident, attr)
        if old != new:
            label = str(getattr(Incident._meta.get_field(name), "verbose_name", name))
            lines.append(
                _("{field}: {old} → {new}").format(
                    field=label, old=_display(incident, name, old), new=_display(incident, name, new)
                )
            )
    return lines


def incident_update(
    *, user: Any, incident: Incident, parties: Iterable[Organisation] | None = None, via: str = ""
) -> Incident:
    """Save changes to an incident and record them on its timeline."""
    if incident.pk is None:
        raise RenkeiError(_("Open the incident first."))
    check_incident(user, incident)
    _check_prelim_window(incident)
    attrs = [f"{n}_id" if n == "principal" else n for n in TRACKED_FIELDS]
    before = Incident.objects.filter(pk=incident.pk).values(*attrs, "group_company_id").first() or {}
    decision_line = clock_services.decision_record(
        incident=incident, user=user, previous_state=clock_services.previous_state(before)
    )
    if before.get("group_company_id") != incident.group_company_id:
        check_write(user=user, action=ACTION, company_id=before.get("group_company_id"))
    old_parties = set(incident.parties.values_list("pk", flat=True))
    if incident.status == IncidentStatus.CLOSED and incident.closed_at is None:
        incident.closed_at = timezone.now()
    elif incident.status != IncidentStatus.CLOSED:
        incident.closed_at = None
    with transaction.atomic():
        m2m = {"parties": list(parties)} if parties is not None else None
        record_save(user=user, instance=incident, action=ACTION, m2m=m2m)
        lines = _changes(before, incident)
        parties_changed = parties is not None and {p.pk for p in parties} != old_parties
        if parties is not None and parties_changed:
            names = ", ".join(sorted(p.name for p in parties)) or "—"
            lines.append(_("Parties involved: {names}").format(names=names))
        if lines:
            timeline_system(incident=incident, text="\n".join(lines), user=user, via=via)
        if parties_changed or clock_services.clock_changed(before, incident) or decision_line:
            # Tasks, the plan and (through the selectors) the dashboard follow the clock.
            old_learned = before.get("learned_at")
            clock_services.clock_sync(
                incident=incident,
                user=user,
                via=via,
                extra_lines=(decision_line,) if decision_line else (),
                learned_shift=incident.learned_at - old_learned if old_learned else dt.timedelta(0),
            )
    return incident


def incident_persons_confirm(*, user: Any, incident: Incident, persons: int, via: str = "") -> Incident:
    """Confirm the number of persons affected (persons, not records), e.g. as proposed from the
    affected assets: it answers the >1,000 question, and the clock follows."""
    if persons is None or persons < 0:
        raise RenkeiError(_("Enter the number of persons."), field_name="persons")
    incident.persons_estimate = persons
    return incident_update(user=user, incident=incident, via=via)


def incident_set_status(*, user: Any, incident: Incident, status: str, note: str = "", via: str = "") -> Incident:
    """Move an incident to another status (closing it records when)."""
    if status not in IncidentStatus.values:
        raise RenkeiError(_("Unknown status."), field_name="status")
    incident.status = status
    incident_update(user=user, incident=incident, via=via)
    if note.strip():
        timeline_add(user=user, incident=incident, text=note, via=via)
    return incident


def incident_delete(*, user: Any, incident: Incident) -> None:
    """Delete an incident with everything recorded on it (the audit trail keeps the record)."""
    check_incident(user, incident)
    with transaction.atomic():
        for attachment in incident.attachments.all():
            attachment.file.delete(save=False)
        record_delete(user=user, instance=incident, action=ACTION)


def incident_asset_save(*, user: Any, item: IncidentAsset, via: str = "") -> IncidentAsset:
    """Add or correct an affected information asset of an incident."""
    check_incident(user, item.incident)
    is_new = item.pk is None
    with transaction.atomic():
        record_save(user=user, instance=item, action=ACTION, company_id=item.incident.group_company_id)
        text = _("Affected asset added: {asset}") if is_new else _("Affected asset changed: {asset}")
        timeline_system(incident=item.incident, text=text.format(asset=item.asset), user=user, via=via)
    return item


def incident_asset_delete(*, user: Any, item: IncidentAsset, via: str = "") -> None:
    check_incident(user, item.incident)
    with transaction.atomic():
        timeline_system(
            incident=item.incident, text=_("Affected asset removed: {asset}").format(asset=item.asset), user=user, via=via
        )
        item.delete()


# --- tasks ------------------------------------------------------------------------------------------


def task_save(*, user: Any, task: IncidentTask, via: str = "") -> IncidentTask:
    """Create or update a task of an incident's board."""
    check_incident(user, task.incident)
    is_new = task.pk is None
    previous = None if is_new else IncidentTask.objects.filter(pk=task.pk).values("status", "owner_id", "due_at").first()
    if task.status == TaskStatus.DONE and task.done_at is None:
        task.done_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.done_at = None
    if previous and previous["due_at"] != task.due_at:
        task.reminded_at = None
        # A date set by hand stays as edited (neither the clock nor a moved learned date changes it);
        # clearing the date of a task that follows a legal deadline hands it back to the clock.
        task.due_edited = task.due_at is not None
        if task.deadline_key and task.due_at is None:
            item = selectors.clock_for(task.incident).get(task.deadline_key)
            task.due_at = item.due if item else None
    elif is_new:
        task.due_edited = task.due_at is not None  # a task a user adds keeps the date the user gave
    with transaction.atomic():
        record_save(user=user, instance=task, action=ACTION, company_id=task.incident.group_company_id)
        if is_new:
            text = _("Task added: {title}").format(title=task.title)
        elif previous and previous["status"] != task.status:
            text = _("Task “{title}”: {status}").format(title=task.title, status=task.get_status_display())
        else:
            text = _("Task changed: {title}").format(title=task.title)
        timeline_system(incident=task.incident, text=text, user=user, via=via)
    return task


def task_set_status(*, user: Any, task: IncidentTask, status: str, via: str = "") -> IncidentTask:
    """Move a task to another column of the board."""
    if status not in TaskStatus.values:
        raise RenkeiError(_("Unknown status."), field_name="status")
    task.status = status
    return task_save(user=user, task=task, via=via)


def task_delete(*, user: Any, task: IncidentTask, via: str = "") -> None:
    check_incident(user, task.incident)
    with transaction.atomic():
        timeline_system(incident=task.incident, text=_("Task removed: {title}").format(title=task.title), user=user, via=via)
        task.delete()


# --- inquiries, costs, attachments ------------------------------------------------------------------


def inquiry_save(*, user: Any, inquiry: Inquiry, via: str = "") -> Inquiry:
    """Log a customer inquiry (お問い合わせ) or its answer."""
    check_incident(user, inquiry.incident)
    is_new = inquiry.pk is None
    if inquiry.answer.strip() and inquiry.answered_at is None:
        inquiry.answered_at = timezone.now()
    if inquiry.received_at is None:
        inquiry.received_at = timezone.now()
    with transaction.atomic():
        record_save(user=user, instance=inquiry, action=ACTION, company_id=inquiry.incident.group_company_id)
        text = _("Inquiry logged from {requester}.") if is_new else _("Inquiry updated ({requester}).")
        timeline_system(
            incident=inquiry.incident, text=text.format(requester=inquiry.requester or "—"), user=user, via=via
        )
    return inquiry


def inquiry_delete(*, user: Any, inquiry: Inquiry, via: str = "") -> None:
    check_incident(user, inquiry.incident)
    with transaction.atomic():
        timeline_system(incident=inquiry.incident, text=_("Inquiry removed."), user=user, via=via)
        inquiry.delete()


def cost_save(*, user: Any, cost: CostEntry, via: str = "") -> CostEntry:
    """Record a cost, or compensation paid or claimed (被害への補償)."""
    check_incident(user, cost.incident)
    if cost.amount is not None and cost.amount < 0:
        raise RenkeiError(_("The amount cannot be negative."), field_name="amount")
    cost.currency = (cost.currency or "JPY").strip().upper()
    is_new = cost.pk is None
    with transaction.atomic():
        record_save(user=user, instance=cost, action=ACTION, company_id=cost.incident.group_company_id)
        label = _("Cost recorded: {entry}") if is_new else _("Cost changed: {entry}")
        timeline_system(incident=cost.incident, text=label.format(entry=cost), user=user, via=via)
    return cost


def cost_delete(*, user: Any, cost: CostEntry, via: str = "") -> None:
    check_incident(user, cost.incident)
    with transaction.atomic():
        timeline_system(incident=cost.incident, text=_("Cost removed: {entry}").format(entry=cost), user=user, via=via)
        cost.delete()


def attachment_add(
    *, user: Any, incident: Incident, upload: UploadedFile | File[Any], via: str = "", note: str = ""
) -> Attachment:
    """Attach a file (evidence, a partner's report) to an incident, within the upload size limit;
    its SHA-256 is kept so that a report can name the very file. `note` replaces the timeline text."""
    check_incident(user, incident)
    if upload.size is None:
        raise too_large()
    check_size(upload.size)
    if upload.size == 0:
        raise RenkeiError(_("The file is empty."), field_name="file")
    check_file(upload, allowed=INCIDENT_ATTACHMENT_TYPES, limit=upload_limit())
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200] or "file"
    with transaction.atomic():
        attachment = Attachment(
            incident=incident, name=name, size=upload.size, sha256=sha256_limited(upload)[0], uploaded_by=author(user)
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        timeline_system(incident=incident, text=note or _("File attached: {name}").format(name=name), user=user, via=via)
    return attachment


def attachment_delete(*, user: Any, attachment: Attachment, via: str = "") -> None:
    check_incident(user, attachment.incident)
    if attachment.traces.exists():
        raise RenkeiError(
            _("This file is the sample of a leak trace kept as evidence on this incident; it cannot be removed."),
            status=409,
        )
    with transaction.atomic():
        timeline_system(
            incident=attachment.incident, text=_("File removed: {name}").format(name=attachment.name), user=user, via=via
        )
        attachment.file.delete(save=False)
        attachment.delete()


# --- drills -----------------------------------------------------------------------------------------


def drill_start(*, user: Any, playbook: Playbook, title: str = "", via: str = "") -> Incident:
    """Run a playbook as a tabletop exercise: a drill incident, left out of every count."""
    incident = Incident(
        group_company_id=playbook.group_company_id,
        title=title.strip() or _("Drill: {playbook}").format(playbook=playbook.name),
        learned_at=timezone.now(),
        source="own_detection",
        category="other",
        is_drill=True,
    )
    return incident_open(user=user, incident=incident, playbook=playbook, via=via)
