"""The review part of the assessments API: accept, return, reopen, per-answer review, follow-up
proposals and items made from answers, declared subcontractors.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from renkei.assessments.answering import schemas as answer_schemas
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering.api import _one_item_out, _question, _question_ids
from renkei.assessments.api_common import (
    ERRORS,
    WRITE,
    _follow_ups,
    _organisations,
)
from renkei.assessments.campaigns import schemas as campaign_schemas
from renkei.assessments.campaigns.api import _assignment, _assignment_detail
from renkei.assessments.followups import schemas as followup_schemas
from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import (
    Answer,
    Assignment,
    FollowUp,
    Question,
    SubcontractorDeclaration,
)
from renkei.assessments.review import schemas as review_schemas
from renkei.assessments.review import selectors as review_selectors
from renkei.assessments.review import services as review_services
from renkei.core.crud_api import (
    ErrorOut,
    resolve_references,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.permissions import get_visible_or_404, require

# Mounted under /assignments, and /declarations (see `assessments/api.py`).
reviews = Router(tags=["assessments"])
assignment_declarations = Router(tags=["assessments"])
declarations = Router(tags=["declared subcontractors"])


@reviews.post("/{int:pk}/accept", response={200: campaign_schemas.AssignmentDetailOut, **ERRORS},
              operation_id="assignment_accept", summary="Accept a submitted assessment")
def assignment_accept(request: HttpRequest, pk: int) -> Assignment:
    """Answers not reviewed yet are accepted with it; an open change request answers 409."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_accept(user=request.user, assignment=assignment)
    return _assignment_detail(request, pk)


@reviews.post("/{int:pk}/return", response={200: campaign_schemas.AssignmentDetailOut, **ERRORS},
              operation_id="assignment_return", summary="Return an assessment for changes")
def assignment_return(request: HttpRequest, pk: int, payload: review_schemas.ReturnIn) -> Assignment:
    """Send it back to the party, which is e-mailed the change requests and a portal link. Needs a
    change request on an answer or a `message`."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_return(user=request.user, assignment=assignment, message=payload.message)
    return _assignment_detail(request, pk)


@reviews.post("/{int:pk}/reopen", response={200: campaign_schemas.AssignmentDetailOut, **ERRORS},
              operation_id="assignment_reopen", summary="Reopen an accepted assessment for review")
def assignment_reopen(request: HttpRequest, pk: int) -> Assignment:
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_reopen(user=request.user, assignment=assignment)
    return _assignment_detail(request, pk)


@reviews.post("/{int:pk}/answers/{question_ref}/review", response={200: answer_schemas.AnswerOut, **ERRORS},
              operation_id="assignment_answer_review", summary="Review one answer")
def answer_review(request: HttpRequest, pk: int, question_ref: str, payload: review_schemas.ReviewIn) -> dict[str, Any]:
    """Accept an answer or ask for a change (`comment` required); the comment joins the question's
    thread, where the party sees it. Only a submitted assessment is reviewed (409 otherwise)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    answer = Answer.objects.filter(assignment=assignment, question=question).first()
    if answer is None:
        raise RenkeiError(_("This question is not answered."), field_name="question", status=409)
    answer.assignment = assignment
    answer.question = question
    review_services.answer_review(user=request.user, answer=answer, state=payload.state, comment=payload.comment)
    return _one_item_out(assignment, question)


@reviews.get("/{int:pk}/proposed-follow-ups", response={200: list[review_schemas.ProposalOut], 404: ErrorOut},
             operation_id="assignment_proposed_follow_ups", summary="List proposed follow-up items")
def proposed_follow_ups(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """Negative answers without a follow-up item yet, with the proposed severity and due date."""
    assignment = _assignment(request, pk)
    return [
        {
            "question": p.question.ref,
            "question_id": p.question.pk,
            "value": p.value,
            "value_label": answer_selectors.value_label(p.question, p.value),
            "severity": p.severity,
            "title": p.title,
            "description": str(p.description),
            "due_date": followup_services.default_due(p.severity),
        }
        for p in review_selectors.proposed_followups(assignment)
    ]


@reviews.post("/{int:pk}/follow-ups", response={201: list[followup_schemas.FollowUpOut], **ERRORS},
              operation_id="assignment_follow_ups_create", summary="Turn negative answers into follow-up items")
def follow_ups_from_answers(request: HttpRequest, pk: int, payload: review_schemas.FromAnswersIn) -> Status[list[FollowUp]]:
    """Create follow-up items for the chosen questions (`question_refs` or `question_ids`) with the
    proposed severity and due date. Questions without a proposal (not negative, or already followed
    up) are skipped; the answer lists the items created."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    ids: list[int] = []
    if payload.question_refs:
        ids += _question_ids(assignment, payload.question_refs, "question_refs")
    if payload.question_ids:
        known = set(Question.objects.filter(framework_id=assignment.framework_id, pk__in=payload.question_ids)
                    .values_list("pk", flat=True))
        problems = [ErrorItem(message=_("Not found."), field=f"question_ids.{i}")
                    for i, q in enumerate(payload.question_ids) if q not in known]
        if problems:
            raise RenkeiError.from_items(problems[0].message, problems)
        ids += payload.question_ids
    if not ids:
        raise RenkeiError(_("Choose at least one question."), field_name="question_refs")
    created = followup_services.followups_from_answers(user=request.user, assignment=assignment, question_ids=ids)
    return Status(201, list(_follow_ups().filter(pk__in=[f.pk for f in created]).order_by("question__order", "pk")))


# --- declared subcontractors ---------------------------------------------------------------------


def _declarations() -> QuerySet[SubcontractorDeclaration]:
    return SubcontractorDeclaration.objects.select_related(
        "assignment__organisation", "organisation", "decided_by"
    ).prefetch_related("assets")


@assignment_declarations.get("/{int:pk}/declarations", response={200: list[review_schemas.DeclarationOut], 404: ErrorOut},
                             operation_id="assignment_declarations", summary="List declared subcontractors")
def declaration_list(request: HttpRequest, pk: int) -> list[SubcontractorDeclaration]:
    """Subcontractors the party declared, with which of our information they handle."""
    assignment = _assignment(request, pk)
    return list(answer_selectors.declarations(assignment).select_related("decided_by"))


@declarations.post("/{int:pk}/accept", response={200: review_schemas.DeclarationOut, **ERRORS},
                   operation_id="declaration_accept", summary="Accept a declared subcontractor into the registry")
def declaration_accept(request: HttpRequest, pk: int, payload: review_schemas.DeclarationAcceptIn) -> SubcontractorDeclaration:
    """Adds the organisation (or uses `organisation_id`), a re-delegation from the party to it, and a
    holding for each of our assets it handles."""
    declaration = get_visible_or_404(_declarations(), request.user, pk=pk)
    require(request.user, WRITE)
    organisation = resolve_references(
        user=request.user, references={"organisation_id": _organisations}, data=payload.model_dump()
    ).get("organisation_id")
    review_services.declaration_accept(
        user=request.user, declaration=declaration, organisation=organisation  # type: ignore[arg-type]
    )
    return get_visible_or_404(_declarations(), request.user, pk=pk)


@declarations.post("/{int:pk}/reject", response={200: review_schemas.DeclarationOut, **ERRORS},
                   operation_id="declaration_reject", summary="Reject a declared subcontractor")
def declaration_reject(request: HttpRequest, pk: int, payload: review_schemas.DeclarationRejectIn) -> SubcontractorDeclaration:
    declaration = get_visible_or_404(_declarations(), request.user, pk=pk)
    require(request.user, WRITE)
    review_services.declaration_reject(user=request.user, declaration=declaration, note=payload.note)
    return get_visible_or_404(_declarations(), request.user, pk=pk)
