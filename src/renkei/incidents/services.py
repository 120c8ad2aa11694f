"""Writes of the incidents app. Views, the API, commands and tasks all come through here.

Every change to an incident or to what hangs off it also writes a system entry to the incident's
timeline, so the timeline tells the story without reading the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size, too_large
from renkei.core.services import check_write, record_delete, record_save, validate
from renkei.core.tenancy import default_group_company_id, own_company
from renkei.incidents import playbooks, selectors
from renkei.incidents.models import (
    Attachment,
    CostEntry,
    Incident,
    IncidentAsset,
    IncidentStatus,
    IncidentTask,
    Inquiry,
    NotificationEntry,
    NotificationStatus,
    Playbook,
    PlaybookStep,
    PlaybookTask,
    ReplyTemplate,
    ResponseRole,
    TaskStatus,
    TimelineEntry,
    TimelineKind,
)
from renkei.incidents.notification_plan import build_plan
from renkei.incidents.permissions import CHANGE_INCIDENTS
from renkei.registry.models import InformationAsset, Organisation

ACTION = CHANGE_INCIDENTS

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
    "prelim_start_days",
)


def _check(user: Any, incident: Incident) -> None:
    check_write(user=user, action=ACTION, company_id=incident.group_company_id)


def _check_prelim_window(incident: Incident) -> None:
    if incident.prelim_start_days is not None and incident.prelim_start_days > selectors.PRELIM_END_DAYS:
        raise RenkeiError(
            _("The preliminary report is due within {days} days at the latest.").format(days=selectors.PRELIM_END_DAYS),
            field_name="prelim_start_days",
        )


def _author(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def timeline_system(*, incident: Incident, text: str, user: Any = None, via: str = "") -> TimelineEntry:
    """Record what the system did or what changed (callers have checked the permission)."""
    return TimelineEntry.objects.create(
        incident=incident, at=timezone.now(), author=_author(user), via=via, kind=TimelineKind.SYSTEM, text=text
    )


def timeline_add(*, user: Any, incident: Incident, text: str, at: dt.datetime | None = None, via: str = "") -> TimelineEntry:
    """Add a manual timeline entry (what was done or learned, by whom, when)."""
    _check(user, incident)
    text = (text or "").strip()
    if not text:
        raise RenkeiError(_("Write what happened."), field_name="text")
    entry = TimelineEntry(
        incident=incident, at=at or timezone.now(), author=_author(user), via=via, kind=TimelineKind.MANUAL, text=text
    )
    validate(entry)
    entry.save()
    return entry


# --- organisation and playbooks ---------------------------------------------------------------------


def _default_company_id(user: Any, company_id: int | None) -> int:
    company_id = company_id or default_group_company_id(user)
    if company_id is None:
        raise RenkeiError(_("Register the own company first."), field_name="group_company")
    return company_id


def response_role_save(*, user: Any, role: ResponseRole) -> ResponseRole:
    """Create or update a response role (internal member, external helper or public body)."""
    role.group_company_id = _default_company_id(user, role.group_company_id)
    return record_save(user=user, instance=role, action=ACTION)


def response_role_delete(*, user: Any, role: ResponseRole) -> None:
    """Delete a response role; notification entries naming it keep their recipient text."""
    record_delete(user=user, instance=role, action=ACTION)


PUBLIC_BODY_DEFAULTS: tuple[tuple[str, str, str, str, str], ...] = (
    # (kind, name, organisation, phone, notes): public contact points, checked against their sites.
    ("ppc", "漏えい等報告窓口", "個人情報保護委員会", "", "漏えい等報告はPPCのウェブサイトの報告フォームから提出する。"),
    ("ipa", "情報セキュリティ安心相談窓口", "独立行政法人情報処理推進機構（IPA）", "03-5978-7509", ""),
    ("jpcert", "インシデント報告窓口", "一般社団法人JPCERTコーディネーションセンター（JPCERT/CC）", "", "ウェブフォームから報告する。"),
    ("police", "サイバー犯罪相談窓口", "都道府県警察 サイバー窓口", "", "管轄の都道府県警察のサイバー犯罪相談窓口へ。"),
)


def response_roles_seed_defaults(*, user: Any, group_company: Organisation | None = None) -> list[ResponseRole]:
    """Register the public bodies (PPC, IPA, JPCERT/CC, police cyber desk) for a company, once.

    A body already registered (by kind) is left as it is, so running this again changes nothing.
    """
    company = group_company or own_company()
    if company is None:
        raise RenkeiError(_("Register the own company first."))
    check_write(user=user, action=ACTION, company_id=company.pk)
    existing = set(ResponseRole.objects.filter(group_company=company).values_list("kind", flat=True))
    created = []
    with transaction.atomic():
        for kind, name, organisation_name, phone, notes in PUBLIC_BODY_DEFAULTS:
            if kind in existing:
                continue
            role = ResponseRole(
                group_company=company, kind=kind, name=name, organisation_name=organisation_name, phone=phone, notes=notes
            )
            created.append(record_save(user=user, instance=role, action=ACTION))
    return created


def playbook_ensure_default(*, group_company: Organisation, user: Any = None) -> Playbook:
    """The company's default playbook, created from the standard five-step flow when it has none."""
    check_write(user=user, action=ACTION, company_id=group_company.pk)
    existing = Playbook.objects.filter(group_company=group_company, is_default=True).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        playbook = Playbook.objects.create(
            group_company=group_company,
            name=playbooks.DEFAULT_PLAYBOOK_NAME,
            description=playbooks.DEFAULT_PLAYBOOK_DESCRIPTION,
            is_default=True,
        )
        for order, step_template in enumerate(playbooks.DEFAULT_STEPS, start=1):
            step = PlaybookStep.objects.create(
                playbook=playbook, order=order * 10, name=step_template.name, description=step_template.description
            )
            for task in step_template.tasks:
                PlaybookTask.objects.create(step=step, title=task.title, owner_kind=task.owner_kind, due_hours=task.due_hours)
    return playbook


def playbook_save(*, user: Any, playbook: Playbook) -> Playbook:
    """Create or update a playbook; making it the default unsets the company's previous default."""
    playbook.group_company_id = _default_company_id(user, playbook.group_company_id)
    with transaction.atomic():
        saved = record_save(user=user, instance=playbook, action=ACTION)
        if saved.is_default:
            for other in Playbook.objects.filter(group_company_id=saved.group_company_id, is_default=True).exclude(
                pk=saved.pk
            ):
                other.is_default = False
                other.save(update_fields=["is_default", "updated_at"])
    return saved


def playbook_delete(*, user: Any, playbook: Playbook) -> None:
    """Delete a playbook with its steps and tasks (incidents keep the tasks made from it)."""
    record_delete(user=user, instance=playbook, action=ACTION)


def playbook_step_save(*, user: Any, step: PlaybookStep) -> PlaybookStep:
    """Create or update a step of a playbook."""
    return record_save(user=user, instance=step, action=ACTION, company_id=step.playbook.group_company_id)


def playbook_step_delete(*, user: Any, step: PlaybookStep) -> None:
    check_write(user=user, action=ACTION, company_id=step.playbook.group_company_id)
    with transaction.atomic():
        step.delete()


def playbook_task_save(*, user: Any, task: PlaybookTask) -> PlaybookTask:
    """Create or update a task template of a playbook step."""
    return record_save(user=user, instance=task, action=ACTION, company_id=task.step.playbook.group_company_id)


def playbook_task_delete(*, user: Any, task: PlaybookTask) -> None:
    check_write(user=user, action=ACTION, company_id=task.step.playbook.group_company_id)
    with transaction.atomic():
        task.delete()


def reply_template_save(*, user: Any, template: ReplyTemplate) -> ReplyTemplate:
    """Create or update a reply template for customer inquiries."""
    template.group_company_id = _default_company_id(user, template.group_company_id)
    return record_save(user=user, instance=template, action=ACTION)


def reply_template_delete(*, user: Any, template: ReplyTemplate) -> None:
    record_delete(user=user, instance=template, action=ACTION)


# --- incidents --------------------------------------------------------------------------------------


def _instantiate_playbook(*, incident: Incident, playbook: Playbook) -> int:
    tasks = []
    order = 0
    for step in playbook.steps.prefetch_related("tasks").order_by("order", "pk"):
        for template in step.tasks.all():
            order += 10
            tasks.append(
                IncidentTask(
                    incident=incident,
                    step_name=step.name,
                    order=order,
                    title=template.title,
                    owner_kind=template.owner_kind,
                    due_at=incident.learned_at + dt.timedelta(hours=template.due_hours),
                )
            )
    IncidentTask.objects.bulk_create(tasks)
    return len(tasks)


def _prefill_assets(*, incident: Incident) -> int:
    """Add the information assets the involved parties expose (from the chain's blast radius)."""
    exposure = selectors.exposure_for_parties(parties=list(incident.parties.all()))
    existing = set(incident.assets.values_list("asset_id", flat=True))
    valid = set(InformationAsset.objects.filter(pk__in=[a["id"] for a in exposure]).values_list("pk", flat=True))
    new = [
        IncidentAsset(
            incident=incident,
            asset_id=row["id"],
            records=row["records"],
            persons=row["persons"],
            note=_("From the registry: held by {holders}.").format(holders=", ".join(row["holders"])),
        )
        for row in exposure
        if row["id"] not in existing and row["id"] in valid
    ]
    IncidentAsset.objects.bulk_create(new)
    return len(new)


def _persons_from_assets(incident: Incident) -> int | None:
    values = [p for p in incident.assets.values_list("persons", flat=True) if p is not None]
    # Assets overlap (the same customers in several systems), so the largest is the safe estimate.
    return max(values) if values else None


def incident_open(
    *,
    user: Any,
    incident: Incident,
    parties: Iterable[Organisation] = (),
    playbook: Playbook | None = None,
    via: str = "",
) -> Incident:
    """Open an incident: save it, instantiate its playbook (the company's default when none is
    chosen) into tasks, prefill affected assets and persons from the blast radius of the involved
    parties, write the first timeline entry and generate the notification plan."""
    if incident.pk is not None:
        raise RenkeiError(_("This incident is already open."))
    incident.group_company_id = _default_company_id(user, incident.group_company_id)
    if incident.learned_at is None:
        incident.learned_at = timezone.now()
    parties = list(parties)
    _check(user, incident)
    _check_prelim_window(incident)
    if playbook is not None and playbook.group_company_id != incident.group_company_id:
        raise RenkeiError(_("Choose a playbook of the same group company."), field_name="playbook")
    with transaction.atomic():
        record_save(user=user, instance=incident, action=ACTION, m2m={"parties": parties})
        if playbook is None:
            playbook = playbook_ensure_default(group_company=incident.group_company, user=user)
        task_count = _instantiate_playbook(incident=incident, playbook=playbook)
        asset_count = _prefill_assets(incident=incident) if parties else 0
        if incident.persons_estimate is None and asset_count:
            incident.persons_estimate = _persons_from_assets(incident)
            incident.save(update_fields=["persons_estimate", "updated_at"])
        if incident.is_drill:
            text = _("Drill started with playbook “{playbook}”: {tasks} tasks.")
        else:
            text = _("Incident opened with playbook “{playbook}”: {tasks} tasks.")
        timeline_system(
            incident=incident, text=text.format(playbook=playbook.name, tasks=task_count), user=user, via=via
        )
        if asset_count:
            timeline_system(
                incident=incident,
                text=_("{n} affected information assets prefilled from the registry.").format(n=asset_count),
                user=user,
                via=via,
            )
        _generate_plan(incident=incident)
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
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
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
    _check(user, incident)
    _check_prelim_window(incident)
    attrs = [f"{n}_id" if n == "principal" else n for n in TRACKED_FIELDS]
    before = Incident.objects.filter(pk=incident.pk).values(*attrs, "group_company_id").first() or {}
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
        if parties is not None:
            new_parties = {p.pk for p in parties}
            if new_parties != old_parties:
                names = ", ".join(sorted(p.name for p in parties)) or "—"
                lines.append(_("Parties involved: {names}").format(names=names))
        if lines:
            timeline_system(incident=incident, text="\n".join(lines), user=user, via=via)
    return incident


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
    _check(user, incident)
    with transaction.atomic():
        for attachment in incident.attachments.all():
            attachment.file.delete(save=False)
        record_delete(user=user, instance=incident, action=ACTION)


def incident_assets_prefill(*, user: Any, incident: Incident, via: str = "") -> int:
    """Add assets the involved parties expose that are not listed yet (edited rows are kept)."""
    _check(user, incident)
    with transaction.atomic():
        count = _prefill_assets(incident=incident)
        if count:
            timeline_system(
                incident=incident,
                text=_("{n} affected information assets prefilled from the registry.").format(n=count),
                user=user,
                via=via,
            )
    return count


def incident_asset_save(*, user: Any, item: IncidentAsset, via: str = "") -> IncidentAsset:
    """Add or correct an affected information asset of an incident."""
    _check(user, item.incident)
    is_new = item.pk is None
    with transaction.atomic():
        record_save(user=user, instance=item, action=ACTION, company_id=item.incident.group_company_id)
        text = _("Affected asset added: {asset}") if is_new else _("Affected asset changed: {asset}")
        timeline_system(incident=item.incident, text=text.format(asset=item.asset), user=user, via=via)
    return item


def incident_asset_delete(*, user: Any, item: IncidentAsset, via: str = "") -> None:
    _check(user, item.incident)
    with transaction.atomic():
        timeline_system(
            incident=item.incident, text=_("Affected asset removed: {asset}").format(asset=item.asset), user=user, via=via
        )
        item.delete()


# --- tasks ------------------------------------------------------------------------------------------


def task_save(*, user: Any, task: IncidentTask, via: str = "") -> IncidentTask:
    """Create or update a task of an incident's board."""
    _check(user, task.incident)
    is_new = task.pk is None
    previous = None if is_new else IncidentTask.objects.filter(pk=task.pk).values("status", "owner_id", "due_at").first()
    if task.status == TaskStatus.DONE and task.done_at is None:
        task.done_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.done_at = None
    if previous and previous["due_at"] != task.due_at:
        task.reminded_at = None
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
    _check(user, task.incident)
    with transaction.atomic():
        timeline_system(incident=task.incident, text=_("Task removed: {title}").format(title=task.title), user=user, via=via)
        task.delete()


# --- inquiries, costs, attachments ------------------------------------------------------------------


def inquiry_save(*, user: Any, inquiry: Inquiry, via: str = "") -> Inquiry:
    """Log a customer inquiry (お問い合わせ) or its answer."""
    _check(user, inquiry.incident)
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
    _check(user, inquiry.incident)
    with transaction.atomic():
        timeline_system(incident=inquiry.incident, text=_("Inquiry removed."), user=user, via=via)
        inquiry.delete()


def cost_save(*, user: Any, cost: CostEntry, via: str = "") -> CostEntry:
    """Record a cost, or compensation paid or claimed (被害への補償)."""
    _check(user, cost.incident)
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
    _check(user, cost.incident)
    with transaction.atomic():
        timeline_system(incident=cost.incident, text=_("Cost removed: {entry}").format(entry=cost), user=user, via=via)
        cost.delete()


def attachment_add(*, user: Any, incident: Incident, upload: UploadedFile, via: str = "") -> Attachment:
    """Attach a file (evidence, a partner's report) to an incident, within the upload size limit."""
    _check(user, incident)
    if upload.size is None:
        raise too_large()
    check_size(upload.size)
    if upload.size == 0:
        raise RenkeiError(_("The file is empty."), field_name="file")
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200] or "file"
    with transaction.atomic():
        attachment = Attachment(incident=incident, name=name, size=upload.size, uploaded_by=_author(user))
        attachment.file.save(name, upload, save=False)
        attachment.save()
        timeline_system(incident=incident, text=_("File attached: {name}").format(name=name), user=user, via=via)
    return attachment


def attachment_delete(*, user: Any, attachment: Attachment, via: str = "") -> None:
    _check(user, attachment.incident)
    with transaction.atomic():
        timeline_system(
            incident=attachment.incident, text=_("File removed: {name}").format(name=attachment.name), user=user, via=via
        )
        attachment.file.delete(save=False)
        attachment.delete()


# --- notification plan ------------------------------------------------------------------------------


def _generate_plan(*, incident: Incident) -> tuple[int, int]:
    entries = build_plan(selectors.plan_input(incident))
    kept = [e for e in incident.notifications.all() if e.edited or e.status != NotificationStatus.PENDING]
    kept_keys = {e.generated_key for e in kept if e.generated_key}
    incident.notifications.filter(edited=False, status=NotificationStatus.PENDING).exclude(generated_key="").delete()
    new = []
    for entry in entries:
        if entry.key in kept_keys:
            continue
        new.append(
            NotificationEntry(
                incident=incident,
                category=entry.category,
                organisation_id=entry.organisation_id,
                role_id=entry.role_id,
                recipient=entry.recipient[:300],
                reason=entry.reason,
                deadline=entry.deadline,
                order=entry.order,
                generated_key=entry.key,
            )
        )
    NotificationEntry.objects.bulk_create(new)
    return len(new), len(kept)


def notification_plan_generate(*, user: Any, incident: Incident, via: str = "") -> int:
    """(Re)generate the notification plan from the registry; entries a user edited, added or
    worked on (status other than pending) are kept as they are."""
    _check(user, incident)
    with transaction.atomic():
        created, kept = _generate_plan(incident=incident)
        timeline_system(
            incident=incident,
            text=_("Notification plan generated: {created} entries, {kept} edited entries kept.").format(
                created=created, kept=kept
            ),
            user=user,
            via=via,
        )
    return created


def notification_save(*, user: Any, entry: NotificationEntry, via: str = "") -> NotificationEntry:
    """Add or edit a plan entry (status, when and what was sent); it is then kept on regeneration."""
    _check(user, entry.incident)
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
    _check(user, entry.incident)
    with transaction.atomic():
        timeline_system(
            incident=entry.incident,
            text=_("Notification removed: {recipient}").format(recipient=entry.recipient),
            user=user,
            via=via,
        )
        entry.delete()


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
            incident=incident.title, title=task.title, due=timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
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
            deadline=timezone.localtime(entry.deadline).strftime("%Y-%m-%d %H:%M"),
        )
        if _send(_csirt_emails(incident.group_company_id), subject, body):
            sent["notifications"] += 1
        NotificationEntry.objects.filter(pk=entry.pk).update(reminded_at=now)
    return sent
