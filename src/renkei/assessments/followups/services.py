"""Follow-up items (M8): gaps to close, each with a severity, an owner (the party or us), a due date,
a status and a thread of messages with the party (who replies through the portal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    Assignment,
    FollowUp,
    FollowUpMessage,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.assessments.review import selectors as review_selectors
from renkei.core.errors import RenkeiError
from renkei.core.services import check_write, record_delete, record_save
from renkei.software.findings.services import finding_request_response

ACTION = CHANGE_ASSESSMENTS
MAX_MESSAGE_CHARS = 5_000
# How long a party has to close a gap, by severity (the analyst can change each due date).
DAYS_BY_SEVERITY = {"critical": 14, "high": 30, "medium": 90, "low": 180}
# Statuses the party may set itself through the portal.
PARTY_STATUSES = (FollowUpStatus.IN_PROGRESS, FollowUpStatus.PARTY_DONE)


def default_due(severity: str, today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=DAYS_BY_SEVERITY.get(severity, 90))


def followup_save(*, user: Any, follow_up: FollowUp) -> FollowUp:
    """Create or edit a follow-up item; it belongs to its party's group company."""
    if follow_up.organisation_id is None:
        raise RenkeiError(_("Choose the party."), field_name="organisation")
    follow_up.group_company_id = follow_up.organisation.group_company_id  # type: ignore[assignment]
    if follow_up.assignment is not None and follow_up.assignment.organisation_id != follow_up.organisation_id:
        raise RenkeiError(_("The assessment belongs to another party."), field_name="assignment")
    if follow_up.status in CLOSED_FOLLOW_UP_STATUSES and follow_up.resolved_at is None:
        follow_up.resolved_at = timezone.now()
    elif follow_up.status not in CLOSED_FOLLOW_UP_STATUSES:
        follow_up.resolved_at = None
    return record_save(user=user, instance=follow_up, action=ACTION)


def followups_from_answers(
    *, user: Any, assignment: Assignment, question_ids: Iterable[int], owner_user: Any = None
) -> list[FollowUp]:
    """Turn the chosen negative answers into follow-up items for the party, with the proposed
    severity and due date; an answer that already has an item is skipped."""
    check_write(user=user, action=ACTION, company_id=assignment.group_company_id)
    wanted = set(question_ids)
    proposals = [p for p in review_selectors.proposed_followups(assignment) if p.question.pk in wanted]
    created = []
    with transaction.atomic():
        for proposal in proposals:
            created.append(
                followup_save(
                    user=user,
                    follow_up=FollowUp(
                        organisation=assignment.organisation,
                        assignment=assignment,
                        question=proposal.question,
                        title=proposal.title[:300],
                        description=proposal.description,
                        severity=proposal.severity,
                        owner=FollowUpOwner.PARTY,
                        owner_user=owner_user,
                        due_date=default_due(proposal.severity),
                    ),
                )
            )
    return created


def followup_from_software_finding(*, user: Any, finding: Any, due_date: dt.date | None = None) -> FollowUp:
    """A follow-up item for the supplier of a release with a vulnerability finding (the response the
    supplier was asked for); one per finding."""
    existing = FollowUp.objects.filter(software_finding=finding).first()
    if existing is not None:
        return existing
    release = finding.release
    supplier = release.product.supplier
    severity = finding.severity if finding.severity in FollowUpSeverity.values else FollowUpSeverity.MEDIUM
    return followup_save(
        user=user,
        follow_up=FollowUp(
            organisation=supplier,
            software_finding=finding,
            title=_("Respond to {id} in {product} {version}").format(
                id=finding.vulnerability.osv_id, product=release.product.name, version=release.version
            )[:300],
            description=finding.vulnerability.headline or "",
            severity=severity,
            owner=FollowUpOwner.PARTY,
            owner_user=getattr(release.product, "responsible", None),
            due_date=due_date or default_due(severity),
        ),
    )


def followup_request_software_response(*, user: Any, finding: Any) -> FollowUp:
    """Ask the supplier to respond to a software finding and track the response as a follow-up item.

    One transaction: the software service sends its e-mail when the transaction commits, so when the
    follow-up item cannot be added, nothing is sent and nothing is saved (the request is not
    recorded on the finding either). Raises `RenkeiError`.
    """
    with transaction.atomic():
        finding = finding_request_response(user=user, finding=finding)
        try:
            return followup_from_software_finding(user=user, finding=finding)
        except RenkeiError as exc:
            raise RenkeiError(
                _("No follow-up item was added: {error}").format(error=exc), field_name=exc.field_name, status=exc.status
            ) from exc


def followup_delete(*, user: Any, follow_up: FollowUp) -> None:
    record_delete(user=user, instance=follow_up, action=ACTION)


def followup_message_add(
    *, follow_up: FollowUp, body: str, user: Any = None, party_name: str = "", status: str | None = None
) -> FollowUpMessage:
    """A message in the item's thread: from us (`user`) or from the party through the portal
    (`party_name`, no user), optionally with a status change. The party may only say it has started
    or finished; closing (resolved, risk accepted) is our decision."""
    from_party = user is None
    if not from_party:
        check_write(user=user, action=ACTION, company_id=follow_up.group_company_id)
    body = (body or "").strip()
    if not body and not status:
        raise RenkeiError(_("Write a message."), field_name="body")
    if len(body) > MAX_MESSAGE_CHARS:
        raise RenkeiError(_("The message is too long ({n} characters at most).").format(n=MAX_MESSAGE_CHARS), field_name="body")
    if status is not None:
        if status not in FollowUpStatus.values:
            raise RenkeiError(_("Unknown status."), field_name="status")
        if from_party and status not in PARTY_STATUSES:
            raise RenkeiError(_("Only we can close a follow-up item."), field_name="status", status=403)
        if from_party and not follow_up.is_open:
            raise RenkeiError(_("This item is closed."), status=409)
    name = (party_name or "").strip()[:100] if from_party else (user.get_full_name() or user.get_username())
    with transaction.atomic():
        if status is not None and status != follow_up.status:
            previous = follow_up.get_status_display()
            follow_up.status = status
            followup_save(user=None if from_party else user, follow_up=follow_up)
            body = (
                _("Status: {old} → {new}").format(old=previous, new=follow_up.get_status_display())
                + ("\n" + body if body else "")
            )
        return FollowUpMessage.objects.create(
            follow_up=follow_up,
            from_party=from_party,
            author=user if not from_party else None,
            author_name=name or _("unnamed"),
            body=body,
        )
