"""The reviewing side: accept answers or ask for changes with a comment, accept or return the whole
assessment, and accept declared subcontractors into the registry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.assessments import selectors
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CommentKind,
    DeclarationStatus,
    ReviewComment,
    ReviewState,
    SubcontractorDeclaration,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.errors import RenkeiError
from renkei.core.services import check_write
from renkei.core.tenancy import is_group_company
from renkei.registry.models import (
    DataHolding,
    Organisation,
    OrganisationKind,
    Relationship,
    RelationshipType,
)
from renkei.registry.services import holding_save, organisation_save, relationship_save

ACTION = CHANGE_ASSESSMENTS
MAX_COMMENT_CHARS = 5_000


def _user_name(user: Any) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def _check(user: Any, assignment: Assignment) -> None:
    check_write(user=user, action=ACTION, company_id=assignment.group_company_id)


def _check_reviewable(assignment: Assignment) -> None:
    if assignment.status != AssignmentStatus.SUBMITTED:
        raise RenkeiError(_("Only a submitted assessment can be reviewed."), status=409)


def answer_review(*, user: Any, answer: Answer, state: str, comment: str = "") -> Answer:
    """Accept one answer, or ask for a change (a comment saying what is needed is required).
    The comment joins the question's thread, where the party sees it."""
    assignment = answer.assignment
    _check(user, assignment)
    _check_reviewable(assignment)
    comment = (comment or "").strip()
    if state not in (ReviewState.ACCEPTED, ReviewState.CHANGE_REQUESTED, ReviewState.PENDING):
        raise RenkeiError(_("Unknown review state."), field_name="state")
    if state == ReviewState.CHANGE_REQUESTED and not comment:
        raise RenkeiError(_("Say what should change."), field_name="comment")
    if len(comment) > MAX_COMMENT_CHARS:
        raise RenkeiError(_("The comment is too long ({n} characters at most).").format(n=MAX_COMMENT_CHARS), field_name="comment")
    with transaction.atomic():
        answer.review_state = state
        answer.save(update_fields=["review_state"])
        if comment or state != ReviewState.PENDING:
            ReviewComment.objects.create(
                assignment=assignment,
                question=answer.question,
                kind=CommentKind.CHANGE_REQUEST if state == ReviewState.CHANGE_REQUESTED else (
                    CommentKind.ACCEPTED if state == ReviewState.ACCEPTED else CommentKind.COMMENT
                ),
                from_party=False,
                author=user if getattr(user, "pk", None) else None,
                author_name=_user_name(user),
                body=comment,
            )
    return answer


def answers_accept_pending(*, user: Any, assignment: Assignment) -> int:
    """Accept every answer not reviewed yet (the reviewer has read them on the page)."""
    _check(user, assignment)
    _check_reviewable(assignment)
    count = 0
    with transaction.atomic():
        for answer in assignment.answers.filter(review_state=ReviewState.PENDING).select_for_update():
            answer.review_state = ReviewState.ACCEPTED
            answer.save(update_fields=["review_state"])
            count += 1
    return count


def assignment_accept(*, user: Any, assignment: Assignment) -> Assignment:
    """Accept the assessment: it becomes the party's latest assessment, which the reassessment
    cadence counts from. Answers still waiting for review are accepted with it; an answer with an
    open change request blocks it (return the assessment, or accept that answer first)."""
    _check(user, assignment)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("framework").get(pk=assignment.pk)
        _check_reviewable(assignment)
        pending_changes = assignment.answers.filter(review_state=ReviewState.CHANGE_REQUESTED).count()
        if pending_changes:
            raise RenkeiError(
                _("{n} answer(s) have change requests: return the assessment to the party, or accept those answers.").format(
                    n=pending_changes
                ),
                status=409,
            )
        for answer in assignment.answers.filter(review_state=ReviewState.PENDING):
            answer.review_state = ReviewState.ACCEPTED
            answer.save(update_fields=["review_state"])
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.accepted_at = timezone.now()
        assignment.reviewed_by = user if getattr(user, "pk", None) else None
        assignment.score = selectors.assignment_summary(assignment).as_dict()
        assignment.save()
    return assignment


def assignment_return(*, user: Any, assignment: Assignment, message: str = "") -> Assignment:
    """Send the assessment back to the party for changes; it becomes editable again and the party is
    e-mailed the change requests with a new portal link."""
    from renkei.assessments import notifications

    _check(user, assignment)
    message = (message or "").strip()
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("framework", "organisation").get(pk=assignment.pk)
        _check_reviewable(assignment)
        requested = list(
            ReviewComment.objects.filter(
                assignment=assignment,
                kind=CommentKind.CHANGE_REQUEST,
                question__in=assignment.answers.filter(review_state=ReviewState.CHANGE_REQUESTED).values("question"),
            ).select_related("question")
        )
        if not requested and not message:
            raise RenkeiError(
                _("Ask for a change on at least one answer, or write what the party should change."), field_name="message"
            )
        if message:
            ReviewComment.objects.create(
                assignment=assignment,
                kind=CommentKind.CHANGE_REQUEST,
                from_party=False,
                author=user if getattr(user, "pk", None) else None,
                author_name=_user_name(user),
                body=message,
            )
        assignment.status = AssignmentStatus.CHANGES_REQUESTED
        assignment.reviewed_by = user if getattr(user, "pk", None) else None
        assignment.save()
    if not is_group_company(assignment.organisation):
        email = notifications.changes_requested(assignment=assignment, user=user, comments=requested, note=message)
        if email is not None:
            notifications.send_all([email])
    return assignment


def assignment_reopen(*, user: Any, assignment: Assignment) -> Assignment:
    """Reopen an accepted assessment for the party to correct (e.g. accepted by mistake)."""
    _check(user, assignment)
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise RenkeiError(_("Only an accepted assessment can be reopened."), status=409)
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.accepted_at = None
    assignment.save(update_fields=["status", "accepted_at", "updated_at"])
    return assignment


# --- declared subcontractors ---------------------------------------------------------------------


def declaration_accept(
    *, user: Any, declaration: SubcontractorDeclaration, organisation: Organisation | None = None
) -> SubcontractorDeclaration:
    """Take a declared subcontractor into the registry: the organisation (an existing one when its
    corporate number or the chosen record matches, else a new contractor), a re-delegation from
    the party to it, and a holding for each of our assets it handles, received from the party."""
    assignment = declaration.assignment
    party = assignment.organisation
    _check(user, assignment)
    if declaration.status != DeclarationStatus.PROPOSED:
        raise RenkeiError(_("This declaration has already been decided."), status=409)
    with transaction.atomic():
        target = organisation or _match_organisation(declaration, party.group_company_id)
        if target is None:
            target = organisation_save(
                user=user,
                organisation=Organisation(
                    name=declaration.name,
                    corporate_number=declaration.corporate_number,
                    country=declaration.country or "JP",
                    kind=OrganisationKind.CONTRACTOR,
                    group_company_id=party.group_company_id,
                    notes=_("Declared by {party} as its subcontractor ({service}).").format(
                        party=party.name, service=declaration.service or "—"
                    ),
                ),
            )
        if target.pk == party.pk or is_group_company(target):
            raise RenkeiError(_("Choose another organisation: this one cannot be the party's subcontractor."), field_name="organisation")
        if not Relationship.objects.filter(client=party, provider=target).exists():
            relationship_save(
                user=user,
                relationship=Relationship(
                    client=party,
                    provider=target,
                    type=RelationshipType.REDELEGATES_WORK,
                    service=declaration.service[:200],
                    group_company_id=party.group_company_id,  # type: ignore[misc]
                ),
            )
        for asset in declaration.assets.all():
            if not DataHolding.objects.filter(asset=asset, holder=target, received_from=party).exists():
                holding_save(
                    user=user,
                    holding=DataHolding(
                        asset=asset,
                        holder=target,
                        received_from=party,
                        purpose=declaration.service[:200],
                        group_company_id=asset.group_company_id,
                    ),
                )
        declaration.status = DeclarationStatus.ACCEPTED
        declaration.organisation = target
        declaration.decided_by = user if getattr(user, "pk", None) else None
        declaration.decided_at = timezone.now()
        declaration.save()
    return declaration


def _match_organisation(declaration: SubcontractorDeclaration, company_id: int | None) -> Organisation | None:
    if declaration.corporate_number:
        found = Organisation.objects.filter(corporate_number=declaration.corporate_number).first()
        if found is not None:
            if found.group_company_id != company_id:
                raise RenkeiError(
                    _("An organisation with this corporate number is managed by another group company."),
                    field_name="organisation",
                )
            return found
    return Organisation.objects.filter(name=declaration.name, group_company_id=company_id).first()


def declaration_reject(*, user: Any, declaration: SubcontractorDeclaration, note: str = "") -> SubcontractorDeclaration:
    _check(user, declaration.assignment)
    if declaration.status != DeclarationStatus.PROPOSED:
        raise RenkeiError(_("This declaration has already been decided."), status=409)
    declaration.status = DeclarationStatus.REJECTED
    declaration.decision_note = (note or "").strip()
    declaration.decided_by = user if getattr(user, "pk", None) else None
    declaration.decided_at = timezone.now()
    declaration.save()
    return declaration
