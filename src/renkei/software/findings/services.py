"""Writes of findings: triage (VEX analysis), asking the supplier to respond, and the recomputation
entry point (the matching itself lives in `recompute.py`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import visible
from renkei.core.services import check_write
from renkei.registry.models import Contact, ContactRole, Organisation
from renkei.software.findings import notifications
from renkei.software.models import Finding, Release, VexJustification, VexState
from renkei.software.services import ACTION


def finding_triage(*, user: Any, finding: Finding, state: str, justification: str = "", comment: str = "") -> Finding:
    """Record the VEX analysis of a finding. `not_affected` needs a justification; the other states
    carry none."""
    check_write(user=user, action=ACTION, company_id=finding.group_company_id)
    if state not in VexState.values:
        raise RenkeiError(_("Unknown state: {state}").format(state=state), field_name="state")
    justification = justification or ""
    if state == VexState.NOT_AFFECTED:
        if not justification:
            raise RenkeiError(
                _("Say why it is not affected (a justification is required)."), field_name="justification"
            )
        if justification not in VexJustification.values:
            raise RenkeiError(
                _("Unknown justification: {value}").format(value=justification), field_name="justification"
            )
    else:
        justification = ""
    finding.state = state
    finding.justification = justification
    finding.comment = (comment or "").strip()
    with transaction.atomic():
        # The version is named: a triage is a person's edit, so it moves on (and honours an expected one).
        finding.save(update_fields=["state", "justification", "comment", "updated_at", "edit_version"])
    return finding


def supplier_security_emails(*, user: Any, supplier: Organisation) -> list[str]:
    """The e-mail addresses of the supplier's security and incident contacts the user may see."""
    contacts = Contact.objects.filter(
        organisation=supplier, role__in=[ContactRole.SECURITY, ContactRole.INCIDENT]
    ).exclude(email="")
    if user is not None:
        contacts = visible(contacts, user)
    return list(dict.fromkeys(contacts.order_by("role", "name").values_list("email", flat=True)))


def finding_request_response(*, user: Any, finding: Finding) -> Finding:
    """E-mail the finding (Japanese and English) to the supplier's security and incident contacts
    and record when we asked.

    The e-mail goes out when the transaction commits: a caller that does more in the same
    transaction (assessments tracks the response as a follow-up item) sends nothing when that fails.
    """
    check_write(user=user, action=ACTION, company_id=finding.group_company_id)
    finding = Finding.objects.select_related(
        "release__product__supplier", "component", "vulnerability"
    ).get(pk=finding.pk)
    supplier = finding.release.product.supplier
    recipients = supplier_security_emails(user=user, supplier=supplier)
    if not recipients:
        raise RenkeiError(
            _("{supplier} has no security or incident contact with an e-mail address.").format(supplier=supplier.name),
            field_name="contacts",
            status=409,
        )
    finding.response_requested_at = timezone.now()
    with transaction.atomic():
        finding.save(update_fields=["response_requested_at", "updated_at"])
        transaction.on_commit(
            lambda: notifications.send_response_request(finding=finding, recipients=recipients, requested_by=user)
        )
    return finding


def findings_mark_requested(*, release_ids: list[int] | None) -> None:
    """Note that the findings of these releases are being matched (the page shows it until the
    recomputation finishes). A whole-database import (None) is shown on its own progress page."""
    if release_ids:
        Release.objects.filter(pk__in=release_ids).update(findings_requested_at=timezone.now())


def findings_recompute(*, release_ids: list[int] | None = None) -> dict[str, int]:
    """Match the current SBOM of each release (all when `release_ids` is None) against the
    vulnerability database: new matches become findings, vanished ones are marked no longer
    matched, triage is kept, and each product's responsible analyst is e-mailed about new
    critical and high findings. Idempotent. Returns counts."""
    from renkei.software.findings.recompute import recompute

    return recompute(release_ids=release_ids)
