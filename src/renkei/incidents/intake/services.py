"""The public intake: tips and partner reports from outside, their receipt codes, and CSIRT triage.

The reporter is anonymous to the application (no login), so the receipt code is the only key to a
report: it is random (120 bits), shown once, and stored as a SHA-256 digest like API tokens, so a
database leak does not let anybody read or add to a report. Abuse controls that need the request
(rate limits per client address, the honeypot, the request size) live in `views`; the
checks on the content (size, number and type of attachments) live here so every entry point
shares them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import INTAKE_TYPES, CheckedFile, Upload, check_file, limit_mb, upload_limit
from renkei.core.permissions import require, visible
from renkei.core.services import check_write, record_save
from renkei.core.tenancy import own_company
from renkei.core.tokens import hash_token
from renkei.incidents.intake.models import (
    IntakeAttachment,
    IntakeKind,
    IntakeMessage,
    IntakeReport,
    IntakeStatus,
)
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS
from renkei.incidents.response.models import Incident, IncidentCategory, IncidentSource
from renkei.incidents.response.services import attachment_add, incident_open
from renkei.incidents.response.timeline import timeline_system
from renkei.registry.models import Organisation

# Receipt codes: letters and digits that cannot be confused when read aloud or retyped (no 0/O, 1/I/L).
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 24
RECEIPT_GROUP = 6
# The first group is kept in clear so the CSIRT and the reporter can name the report to each other.
RECEIPT_PREFIX_LENGTH = 6

MAX_ATTACHMENTS = 3
MAX_ATTACHMENTS_PER_REPORT = 10
MAX_MESSAGE_CHARS = 20_000
MAX_FIELD_CHARS = 200

# Allowed attachment types (checked by extension and content in `core.files.uploads`).
ALLOWED_TYPES = tuple(sorted(INTAKE_TYPES))


# --- receipt codes ------------------------------------------------------------------------------


def new_receipt_code() -> str:
    """A fresh receipt code, grouped for reading: ABCDEF-GHJKMN-PQRSTU-VWXYZ2."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def normalise_receipt_code(code: str) -> str:
    """Upper case, without spaces or hyphens, so a code typed loosely still matches."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    return hash_token(normalise_receipt_code(code))


# --- attachments --------------------------------------------------------------------------------


def max_total_bytes() -> int:
    """All attachments of one submission together stay within the one upload limit."""
    return upload_limit()


def attachments_too_large() -> RenkeiError:
    return RenkeiError(
        _("The attachments are too large (limit {limit} MB in total).").format(limit=limit_mb(max_total_bytes())),
        field_name="attachments",
        status=413,
    )


def check_attachments(files: Sequence[Upload]) -> list[CheckedFile]:
    """Read and check the attachments of one submission; refuse the whole submission on any problem."""
    files = [f for f in files if f is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise RenkeiError(
            _("Attach at most {n} files.").format(n=MAX_ATTACHMENTS), field_name="attachments", status=400
        )
    limit = max_total_bytes()
    too_large = attachments_too_large()
    if sum(int(f.size or 0) for f in files) > limit:
        raise too_large
    checked: list[CheckedFile] = []
    total = 0
    for upload in files:
        try:
            item = check_file(upload, allowed=ALLOWED_TYPES, limit=limit - total, field="attachments")
        except RenkeiError as exc:
            if exc.status == 413:
                raise too_large from exc
            raise
        total += len(item.content)
        checked.append(item)
    return checked


def _store_attachments(report: IntakeReport, files: list[CheckedFile]) -> None:
    for checked in files:
        attachment = IntakeAttachment(report=report, name=checked.name, size=len(checked.content))
        # Stored under a random name: the reporter's file name is only shown, never used as a path.
        attachment.file.save(f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False)
        attachment.save()


def _clean_text(value: str, *, field: str, limit: int = MAX_FIELD_CHARS) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise RenkeiError(_("This is too long ({n} characters at most).").format(n=limit), field_name=field)
    return value


def public_operator() -> dict[str, str]:
    """Who runs the public form, for the reporter: the own company's name and the inquiry desk."""
    company = own_company()
    return {
        "company_name": company.name if company is not None else "",
        "inquiry_contact": str(getattr(settings, "RENKEI_INQUIRY_CONTACT", "") or "").strip(),
    }


def _own_company() -> Organisation:
    company = own_company()
    if company is None:
        raise RenkeiError(_("The reporting form is not available yet. Please try again later."), status=503)
    return company


# --- the reporter's side (no login) -------------------------------------------------------------


def intake_submit(
    *,
    kind: str,
    message: str,
    anonymous: bool,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_organisation: str = "",
    files: Sequence[Upload] = (),
) -> tuple[IntakeReport, str]:
    """Record a report from the public form; returns it and the receipt code, which is never stored.

    An anonymous report keeps no name, e-mail address or organisation, whatever the form sent.
    """
    if kind not in IntakeKind.values:
        raise RenkeiError(_("Choose what you are reporting."), field_name="kind")
    message = _clean_text(message, field="message", limit=MAX_MESSAGE_CHARS)
    if not message:
        raise RenkeiError(_("Describe what you want to report."), field_name="message")
    if anonymous:
        reporter_name = reporter_email = reporter_organisation = ""
    checked = check_attachments(files)
    code = new_receipt_code()
    report = IntakeReport(
        group_company=_own_company(),
        kind=kind,
        anonymous=anonymous,
        reporter_name=_clean_text(reporter_name, field="reporter_name"),
        reporter_email=_clean_text(reporter_email, field="reporter_email", limit=254),
        reporter_organisation=_clean_text(reporter_organisation, field="reporter_organisation"),
        message=message,
        receipt_prefix=normalise_receipt_code(code)[:RECEIPT_PREFIX_LENGTH],
        receipt_hash=receipt_hash(code),
    )
    with transaction.atomic():
        record_save(user=None, instance=report, action=CHANGE_INCIDENTS)
        _store_attachments(report, checked)
    return report, code


def intake_find(*, code: str) -> IntakeReport | None:
    """The report with this receipt code, or None (the caller answers the same for every miss)."""
    normalised = normalise_receipt_code(code)
    if len(normalised) != RECEIPT_LENGTH:
        return None
    return IntakeReport.objects.filter(receipt_hash=hash_token(normalised)).first()


def intake_add_information(*, report: IntakeReport, text: str, files: Sequence[Upload] = ()) -> IntakeMessage:
    """The reporter adds information (text and attachments) to an open report."""
    if report.status == IntakeStatus.CLOSED:
        raise RenkeiError(_("This report is closed. Please send a new report instead."), status=409)
    text = _clean_text(text, field="text", limit=MAX_MESSAGE_CHARS)
    if not text:
        raise RenkeiError(_("Write what you want to add."), field_name="text")
    checked = check_attachments(files)
    if report.attachments.count() + len(checked) > MAX_ATTACHMENTS_PER_REPORT:
        raise RenkeiError(
            _("A report can have at most {n} attachments.").format(n=MAX_ATTACHMENTS_PER_REPORT),
            field_name="attachments",
        )
    with transaction.atomic():
        entry = IntakeMessage.objects.create(report=report, at=timezone.now(), from_reporter=True, text=text)
        _store_attachments(report, checked)
        # The triage list sorts by last change: new information brings the report back to the top.
        IntakeReport.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    return entry


# What the reporter is told of our handling: three plain stages, never our triage states (triaged,
# linked to an incident), which would tell an outsider (possibly the attacker) how we rate the report.
REPORTER_STATUS_LABELS: dict[str, Any] = {
    IntakeStatus.NEW: pgettext_lazy("reporter status", "Received"),
    IntakeStatus.TRIAGED: pgettext_lazy("reporter status", "Being looked into"),
    IntakeStatus.LINKED: pgettext_lazy("reporter status", "Being looked into"),
    IntakeStatus.CLOSED: pgettext_lazy("reporter status", "Handling finished"),
}


def reporter_view(report: IntakeReport) -> dict[str, Any]:
    """What the reporter may see of their report: status, our note, the conversation (no internals)."""
    return {
        "prefix": report.receipt_prefix,
        "kind": report.get_kind_display(),
        "status_label": REPORTER_STATUS_LABELS[report.status],
        "note": report.public_status_note,
        "received_at": report.created_at,
        "message": report.message,
        "messages": list(report.messages.order_by("at", "pk")),
        "attachment_names": [a.name for a in report.attachments.order_by("pk")],
        "closed": report.status == IntakeStatus.CLOSED,
    }


# --- the CSIRT's side ---------------------------------------------------------------------------


def count_annotations() -> dict[str, Any]:
    """The follow-up and attachment counts of the triage list, computed in the list's own query."""
    return {
        "message_count": Count("messages", distinct=True),
        "attachment_count": Count("attachments", distinct=True),
    }


def intake_reports(*, user: Any) -> QuerySet[IntakeReport]:
    """Intake reports the user may triage, with their counts."""
    require(user, VIEW_INCIDENTS)
    return visible(IntakeReport.objects.all(), user).select_related("incident").annotate(**count_annotations())


def intake_set_status(*, user: Any, report: IntakeReport, status: str, public_status_note: str) -> IntakeReport:
    """Change the triage status and the note the reporter sees with the receipt code."""
    if status not in IntakeStatus.values:
        raise RenkeiError(_("Choose a valid status."), field_name="status")
    if status == IntakeStatus.LINKED and report.incident_id is None:
        raise RenkeiError(_("Create or link an incident first."), field_name="status")
    report.status = status
    report.public_status_note = _clean_text(public_status_note, field="public_status_note", limit=MAX_MESSAGE_CHARS)
    return record_save(user=user, instance=report, action=CHANGE_INCIDENTS)


def intake_reply(*, user: Any, report: IntakeReport, text: str) -> IntakeMessage:
    """A reply to the reporter, shown on the public status page."""
    check_write(user=user, action=CHANGE_INCIDENTS, company_id=report.group_company_id)
    text = _clean_text(text, field="text", limit=MAX_MESSAGE_CHARS)
    if not text:
        raise RenkeiError(_("Write a reply."), field_name="text")
    return IntakeMessage.objects.create(report=report, at=timezone.now(), from_reporter=False, text=text)


def _incident_title(report: IntakeReport) -> str:
    first_line = report.message.strip().splitlines()[0] if report.message.strip() else ""
    base = _("Report {prefix}").format(prefix=report.receipt_prefix)
    return f"{base}: {first_line[:120]}" if first_line else base


def intake_create_incident(*, user: Any, report: IntakeReport, title: str = "") -> Incident:
    """Open an incident from an intake report (the incidents app's opening service: playbook,
    timeline, notification plan) and link the two; the legal clock starts now, when we learned."""
    check_write(user=user, action=CHANGE_INCIDENTS, company_id=report.group_company_id)
    if report.incident_id is not None:
        raise RenkeiError(_("This report is already linked to an incident."), status=409)
    source = IncidentSource.PARTNER_REPORT if report.kind == IntakeKind.PARTNER_REPORT else IncidentSource.OUTSIDE_TIP
    incident = Incident(
        group_company=report.group_company,
        title=_clean_text(title, field="title", limit=300) or _incident_title(report),
        learned_at=timezone.now(),
        source=source,
        category=IncidentCategory.OTHER,
        description=report.message,
    )
    with transaction.atomic():
        incident_open(user=user, incident=incident)
        report.incident = incident
        report.status = IntakeStatus.LINKED
        record_save(user=user, instance=report, action=CHANGE_INCIDENTS)
        timeline_system(
            incident=incident,
            user=user,
            text=_("Opened from intake report {prefix}.").format(prefix=report.receipt_prefix),
        )
        _carry_attachments(user=user, report=report, incident=incident)
    return incident


def _carry_attachments(*, user: Any, report: IntakeReport, incident: Incident) -> None:
    """The reporter's files (often the leaked sample itself) become the incident's attachments, each
    with its SHA-256, so that they can be traced and cited as evidence from the incident."""
    for item in report.attachments.order_by("pk"):
        with item.file.open("rb") as handle:
            attachment_add(
                user=user,
                incident=incident,
                upload=File(handle, name=item.name),
                note=_("File carried over from intake report {prefix}: {name}").format(
                    prefix=report.receipt_prefix, name=item.name
                ),
            )
