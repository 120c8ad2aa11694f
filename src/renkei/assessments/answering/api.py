"""The answering part of the assessments API: answers with conflict detection, carried-over answers,
submission, evidence files and comments."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from renkei.assessments.answering import schemas as answer_schemas
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.answering.handlers import evidence_file_response
from renkei.assessments.answering.services import AnswerConflict
from renkei.assessments.api_common import (
    ERRORS,
    WRITE,
    _multipart,
    _respondent,
)
from renkei.assessments.campaigns import schemas as campaign_schemas
from renkei.assessments.campaigns.api import _assignment, _assignment_detail
from renkei.assessments.models import (
    Answer,
    Assignment,
    Evidence,
    Question,
    ReviewComment,
    ReviewState,
)
from renkei.core.concurrency import etag, version_from_if_match
from renkei.core.crud_api import (
    ErrorOut,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.files.uploads import refuse_large_body
from renkei.core.permissions import require

# Both are mounted under /assignments (see `assessments/api.py`).
answers = Router(tags=["assessments"])
evidence_files = Router(tags=["assessments"])


def _question(assignment: Assignment, ref: str) -> Question:
    question = Question.objects.filter(framework_id=assignment.framework_id, ref=ref).select_related("section").first()
    if question is None:
        raise RenkeiError(_("Not found."), status=404)
    return question


def _item_out(item: answer_selectors.Item, section_ref: str) -> dict[str, Any]:
    question, answer = item.question, item.answer
    return {
        "question": question.ref,
        "question_id": question.pk,
        "section": section_ref,
        "text": question.text,
        "answer_type": question.answer_type,
        "required": question.required,
        "options": [{"value": v, "label": label} for v, label in item.options],
        "value": item.value,
        "value_label": item.value_label,
        "note": answer.note if answer else "",
        "version": item.version,
        "review_state": answer.review_state if answer else ReviewState.PENDING.value,
        "review_state_label": str(answer.get_review_state_display() if answer else ReviewState.PENDING.label),
        "carried_over": item.carried_over,
        "previous_value": answer.previous_value if answer else None,
        "previous_label": item.previous_label,
        "changed": item.changed,
        "updated_by": answer.updated_by_name if answer else "",
        "updated_at": answer.updated_at if answer else None,
        "evidence": [
            {"id": e.pk, "name": e.name, "size": e.size, "uploaded_at": e.uploaded_at, "uploaded_by": e.uploaded_by_name}
            for e in item.evidence
        ],
        "comments": [
            {"id": c.pk, "kind": c.kind, "from_party": c.from_party, "author": c.author_name, "body": c.body,
             "created_at": c.created_at}
            for c in item.comments
        ],
    }


def _one_item_out(assignment: Assignment, question: Question) -> dict[str, Any]:
    """One question as `GET /answers` lists it, in a fixed number of queries."""
    answer = Answer.objects.filter(assignment=assignment, question=question).first()
    if answer is not None:
        answer.assignment = assignment
    item = answer_selectors.Item(
        question=question,
        answer=answer,
        evidence=list(Evidence.objects.filter(assignment=assignment, question=question).order_by("uploaded_at", "pk")),
        comments=list(ReviewComment.objects.filter(assignment=assignment, question=question).order_by("created_at", "pk")),
    )
    item._yesno_answers = tuple(assignment.framework.answers or ())
    return _item_out(item, question.section.ref)


def _question_ids(assignment: Assignment, refs: Sequence[str], field: str) -> list[int]:
    """Question IDs (`A-1`) of the assessment's framework → primary keys; unknown ones answer 400."""
    known = dict(Question.objects.filter(framework_id=assignment.framework_id, ref__in=list(refs)).values_list("ref", "pk"))
    problems = [
        ErrorItem(message=_("{ref}: no such question in this questionnaire.").format(ref=ref), field=f"{field}.{i}")
        for i, ref in enumerate(refs)
        if ref not in known
    ]
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    return [known[ref] for ref in refs]


@answers.get("/{int:pk}/answers", response={200: list[answer_schemas.AnswerOut], 404: ErrorOut},
             operation_id="assignment_answers", summary="List the answers of an assessment")
def answer_list(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """Every question in order with its answer, comment, version, review state, last cycle's answer,
    evidence and review thread."""
    assignment = _assignment(request, pk)
    page = answer_selectors.questionnaire(assignment, with_follow_ups=False)
    return [_item_out(item, s.section.ref) for s in page.sections for item in s.items]


@answers.put("/{int:pk}/answers", response={200: answer_schemas.AnswersSavedOut, **ERRORS},
             operation_id="assignment_answers_save", summary="Save many answers")
def answers_save(request: HttpRequest, pk: int, payload: answer_schemas.AnswersIn) -> dict[str, int]:
    """Save answers by question ID, all or nothing: one unreadable value or unknown question answers
    400 listing every problem (`field` is the question ID) and nothing is saved. Saving a carried-over
    answer confirms it. Answers the number of answers that changed.

    No versions here (an import of many answers at once, all or nothing): every answer saved moves
    its own `version` on, so an editor holding an older one is told by `PATCH .../answers/{ref}`."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    values: dict[str, tuple[Any, str | None]] = {}
    duplicates = []
    for index, item in enumerate(payload.answers):
        ref = item.question.strip()
        if ref in values:
            duplicates.append(ErrorItem(message=_("{ref} is listed twice.").format(ref=ref), field=f"answers.{index}"))
        values[ref] = (item.value, item.note)
    if duplicates:
        raise RenkeiError.from_items(duplicates[0].message, duplicates)
    changed = answer_services.answers_save_many(respondent=_respondent(request), assignment=assignment, values=values)
    return {"changed": changed}


@answers.patch(
    "/{int:pk}/answers/{question_ref}",
    response={200: answer_schemas.AnswerOut, 409: answer_schemas.ConflictOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="assignment_answer_save",
    summary="Save one answer",
)
def answer_save(
    request: HttpRequest, response: HttpResponse, pk: int, question_ref: str, payload: answer_schemas.AnswerPatch
) -> Any:
    """Save one answer as it is typed. With `If-Match` (`W/"<version>"`) or `base_version` (the
    `version` the editor loaded; 0 before the first save), a change somebody saved since answers 409
    and writes nothing; the body's `current` holds their answer (value, note, version, who and when)
    so the client can show it, and `ETag` its version. 409 also when the assessment was submitted
    (then without `current`). Without either the answer is saved as before."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    header = version_from_if_match(request.headers.get("If-Match"))
    base_version = header if header is not None else payload.base_version
    if "value" in payload.model_fields_set:
        value = payload.value
    else:
        stored = Answer.objects.filter(assignment=assignment, question=question).first()
        value = stored.value if stored else None
    try:
        answer_services.answer_save(
            respondent=_respondent(request),
            assignment=assignment,
            question_id=question.pk,
            value=value,
            note=payload.note,
            base_version=base_version,
        )
    except AnswerConflict as conflict:
        response["ETag"] = etag(conflict.current["version"])
        return Status(409, {**conflict.as_dict(), "current": conflict.current})
    saved = _one_item_out(assignment, question)
    response["ETag"] = etag(saved["version"])
    return saved


@answers.post("/{int:pk}/confirm-carried", response={200: answer_schemas.ConfirmedOut, **ERRORS},
              operation_id="assignment_confirm_carried", summary="Confirm last cycle's answers")
def answers_confirm(request: HttpRequest, pk: int, payload: answer_schemas.ConfirmIn) -> dict[str, int]:
    """Confirm answers carried over from the last cycle unchanged (those listed, or all)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    ids = None if payload.questions is None else _question_ids(assignment, payload.questions, "questions")
    count = answer_services.answers_confirm_carried(respondent=_respondent(request), assignment=assignment, question_ids=ids)
    return {"confirmed": count}


@answers.post("/{int:pk}/submit", response={200: campaign_schemas.AssignmentDetailOut, **ERRORS},
              operation_id="assignment_submit", summary="Submit an assessment for review")
def assignment_submit(request: HttpRequest, pk: int) -> Assignment:
    """Every required question must be answered and every carried-over answer confirmed (400 lists
    what is missing); the answers are read only from then on until changes are requested."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    answer_services.assignment_submit(respondent=_respondent(request), assignment=assignment)
    return _assignment_detail(request, pk)


# --- evidence and comments -----------------------------------------------------------------------


def _evidence(assignment: Assignment, evidence_id: int) -> Evidence:
    evidence = Evidence.objects.filter(assignment=assignment, pk=evidence_id).first()
    if evidence is None:
        raise RenkeiError(_("Not found."), status=404)
    return evidence


@evidence_files.post(
    "/{int:pk}/answers/{question_ref}/evidence",
    response={201: answer_schemas.AnswerOut, **ERRORS},
    operation_id="assignment_evidence_add",
    summary="Attach evidence to a question",
    openapi_extra=_multipart("PDF, Word, Excel, PowerPoint (also 97-2003), text, CSV, images (PNG, JPEG, GIF, WebP) or archives (ZIP, 7z, gzip); 10 MB at most unless configured"),
)
def evidence_add(request: HttpRequest, pk: int, question_ref: str) -> Status[dict[str, Any]]:
    """Attach a file (multipart field `file`) to a question; its type is checked on the bytes, not
    the name (400), an oversized body answers 413 before it is read, a question takes at most ten
    files, and a submitted assessment 409. Answers the question as `GET /answers` lists it."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    refuse_large_body(request, settings.RENKEI_MAX_EVIDENCE_BYTES)
    upload = request.FILES.get("file")
    if upload is None:
        raise RenkeiError(_("Attach the file as multipart form field `file`."), field_name="file")
    answer_services.evidence_add(respondent=_respondent(request), assignment=assignment, question_id=question.pk, upload=upload)
    return Status(201, _one_item_out(assignment, question))


@evidence_files.get("/{int:pk}/evidence/{int:evidence_id}", response={200: None, 404: ErrorOut},
                    operation_id="assignment_evidence_download", summary="Download a piece of evidence")
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    """The file as it was uploaded, always as an attachment (`application/octet-stream`)."""
    return evidence_file_response(_evidence(_assignment(request, pk), evidence_id))


@evidence_files.delete("/{int:pk}/evidence/{int:evidence_id}", response={204: None, **ERRORS},
                       operation_id="assignment_evidence_delete", summary="Remove a piece of evidence")
def evidence_delete(request: HttpRequest, pk: int, evidence_id: int) -> Status[None]:
    """Only while the assessment is being answered (409 once submitted)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    answer_services.evidence_remove(respondent=_respondent(request), evidence=_evidence(assignment, evidence_id))
    return Status(204, None)


@evidence_files.post("/{int:pk}/answers/{question_ref}/comments", response={201: answer_schemas.AnswerOut, **ERRORS},
                     operation_id="assignment_comment_add", summary="Comment on a question")
def comment_add(request: HttpRequest, pk: int, question_ref: str, payload: answer_schemas.CommentIn) -> Status[dict[str, Any]]:
    """Add a comment to the question's thread, which the party sees in the portal (also after
    submission). Answers the question with its thread."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    answer_services.comment_add(respondent=_respondent(request), assignment=assignment, body=payload.body, question_id=question.pk)
    return Status(201, _one_item_out(assignment, question))
