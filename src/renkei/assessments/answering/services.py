"""The answering side: answers (saved as they are typed), evidence, declared subcontractors,
comments and submission. Used by the partner portal and, for self-assessments, by our own users.

Who acts is a `Respondent`: a portal visitor (no user; the portal view has checked that the link
opens this party's assessment) or a logged-in user, whose role and scope are checked here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.assessments import scoring, selectors
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CommentKind,
    DeclarationStatus,
    Evidence,
    Question,
    ReviewComment,
    ReviewState,
    SubcontractorDeclaration,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.assessments.portal import selectors as portal_selectors
from renkei.core.concurrency import StaleEdit, expect_version
from renkei.core.errors import ErrorItem, NotFound, RenkeiError
from renkei.core.files import uploads
from renkei.core.files.uploads import Upload, check_file
from renkei.core.services import check_write, validate
from renkei.registry.models import InformationAsset
from renkei.registry.validators import normalise_corporate_number

ACTION = CHANGE_ASSESSMENTS
EVIDENCE_TYPES = tuple(sorted(uploads.EVIDENCE_TYPES))
MAX_EVIDENCE_PER_QUESTION = 10
MAX_NOTE_CHARS = 5_000
MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class Respondent:
    """Who answers: `name` is shown beside every change; `user` is set for a logged-in user."""

    name: str
    user: Any = None
    from_party: bool = True


class AnswerConflict(StaleEdit):
    """Somebody else saved this answer since the editor loaded it; `current` is what they saved
    (the answer's fields as the portal shows them; `answer` is the record)."""

    def __init__(self, answer: Answer) -> None:
        when = timezone.localtime(answer.updated_at).strftime("%H:%M") if answer.updated_at else ""
        super().__init__(
            answer,
            message=_("{name} changed this answer at {time}. Check their answer before saving yours.").format(
                name=answer.updated_by_name or _("someone else"), time=when
            ),
        )
        self.field_name = "value"
        self.items[0].field = "value"
        self.answer = answer
        self.current = {
            "value": answer.value,
            "note": answer.note,
            "version": answer.version,
            "updated_by": answer.updated_by_name,
            "updated_at": answer.updated_at.isoformat() if answer.updated_at else None,
        }


def _check_respondent(respondent: Respondent, assignment: Assignment) -> None:
    if respondent.user is not None:
        check_write(user=respondent.user, action=ACTION, company_id=assignment.group_company_id)


def _check_editable(assignment: Assignment) -> None:
    if not assignment.is_editable:
        raise RenkeiError(
            _("These answers were submitted and are read only until changes are requested."), status=409
        )


def _clean_name(name: str) -> str:
    name = (name or "").strip()[:MAX_NAME_CHARS]
    return name or _("unnamed")


def _question(assignment: Assignment, question_id: int) -> Question:
    question = Question.objects.filter(pk=question_id, framework_id=assignment.framework_id).first()
    if question is None:
        raise NotFound(_("Not found."))
    return question


def _mark_started(assignment: Assignment) -> None:
    if assignment.status == AssignmentStatus.NOT_STARTED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = timezone.now()
        assignment.save(update_fields=["status", "started_at", "updated_at"])


def answer_save(
    *,
    respondent: Respondent,
    assignment: Assignment,
    question_id: int,
    value: Any,
    note: str | None = None,
    base_version: int | None = None,
) -> Answer:
    """Save one answer as it is typed.

    `base_version` is the version the editor loaded; if somebody saved the answer since, nothing is
    written and `AnswerConflict` (409) carries their answer. `None` overwrites without the check
    (used after the person has seen the conflict and chosen to keep theirs).
    """
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    question = _question(assignment, question_id)
    normalised = scoring.normalise_value(
        answer_type=question.answer_type,
        choices=question.choices,
        yesno_answers=assignment.framework.answers,
        raw=value,
    )
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise RenkeiError(_("The comment is too long ({n} characters at most).").format(n=MAX_NOTE_CHARS), field_name="note")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _write_answer(respondent, assignment, question, normalised, note, base_version)
        except IntegrityError:
            # Two first saves of the same answer raced to create its row; the second one retries
            # against the row the first created (and meets the version check there).
            if attempt:
                raise
    raise AssertionError("unreachable")


def _write_answer(
    respondent: Respondent, assignment: Assignment, question: Question, value: Any, note: str | None, base_version: int | None
) -> Answer:
    answer = Answer.objects.filter(assignment=assignment, question=question).first()
    if answer is None:
        answer = Answer(assignment=assignment, question=question)
    if base_version is not None and answer.version != base_version:
        raise AnswerConflict(answer)
    if _unchanged(answer, value, note):
        return answer
    # The check above reads; the one that counts is core's conditional UPDATE when the answer is
    # saved: of two saves based on the same version exactly one is written.
    expect_version(answer, base_version)
    try:
        _record(answer, value=value, note=note, respondent=respondent)
    except StaleEdit as exc:
        raise AnswerConflict(exc.current) from exc
    _mark_started(assignment)
    return answer


def _unchanged(answer: Answer, value: Any, note: str | None) -> bool:
    """Saving would change nothing (a carried-over answer saved as it is counts as a change: it confirms it)."""
    return (
        answer.pk is not None
        and not answer.carried_over
        and answer.value == value
        and (note is None or note.strip() == answer.note)
    )


def _stamp(answer: Answer, respondent: Respondent) -> None:
    """A new version of the answer, under the respondent's name, no longer waiting for confirmation
    (saving an existing answer moves its version on: core.models.Versioned)."""
    answer.carried_over = False
    if answer.pk is None:
        answer.version = 1
    answer.updated_at = timezone.now()
    answer.updated_by_name = _clean_name(respondent.name)


def _record(answer: Answer, *, value: Any, note: str | None, respondent: Respondent) -> None:
    """Write a changed answer; it is to be reviewed (again)."""
    answer.value = value
    if note is not None:
        answer.note = note.strip()
    _stamp(answer, respondent)
    answer.review_state = ReviewState.PENDING
    answer.save()


def answers_save_many(
    *,
    respondent: Respondent,
    assignment: Assignment,
    values: Mapping[str, tuple[Any, str | None]],
    versions: Mapping[str, int] | None = None,
) -> int:
    """Save many answers at once by question ID (an Excel file, a form without JavaScript, the API).
    Every value is checked first; one bad value refuses the whole set and nothing is saved.
    `versions` (by question ID) are the versions the editor loaded: an answer saved since refuses
    the whole set (`AnswerConflict`). Returns the number of answers that changed."""
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    questions = {q.ref: q for q in Question.objects.filter(framework_id=assignment.framework_id)}
    problems: list[ErrorItem] = []
    cleaned: dict[str, tuple[Any, str | None]] = {}
    for ref, (raw, note) in values.items():
        question = questions.get(ref)
        if question is None:
            problems.append(ErrorItem(message=_("{ref}: no such question in this questionnaire.").format(ref=ref), field=ref))
            continue
        try:
            cleaned[ref] = (
                scoring.normalise_value(
                    answer_type=question.answer_type,
                    choices=question.choices,
                    yesno_answers=assignment.framework.answers,
                    raw=raw,
                ),
                note,
            )
        except RenkeiError as exc:
            problems.append(ErrorItem(message=f"{ref}: {exc.message}", field=ref))
        if note is not None and len(note) > MAX_NOTE_CHARS:
            problems.append(ErrorItem(message=_("{ref}: the comment is too long.").format(ref=ref), field=ref))
    if problems:
        raise RenkeiError.from_items(
            _("{n} answer(s) could not be read; nothing was saved.").format(n=len(problems)), problems
        )
    changed = 0
    with transaction.atomic():
        existing = {
            a.question_id: a for a in Answer.objects.select_for_update().filter(assignment=assignment)
        }
        for ref, (value, note) in cleaned.items():
            question = questions[ref]
            answer = existing.get(question.pk) or Answer(assignment=assignment, question=question)
            if _unchanged(answer, value, note):
                continue
            if versions is not None and ref in versions and answer.pk is not None:
                expect_version(answer, versions[ref])
            try:
                _record(answer, value=value, note=note, respondent=respondent)
            except StaleEdit as exc:
                raise AnswerConflict(exc.current) from exc
            changed += 1
        if changed:
            _mark_started(assignment)
    return changed


def answers_confirm_carried(*, respondent: Respondent, assignment: Assignment, question_ids: Iterable[int] | None = None) -> int:
    """Confirm last cycle's answers unchanged (all, or those listed); returns how many."""
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    qs = Answer.objects.filter(assignment=assignment, carried_over=True)
    if question_ids is not None:
        qs = qs.filter(question_id__in=list(question_ids))
    count = 0
    with transaction.atomic():
        for answer in qs.select_for_update():
            _stamp(answer, respondent)
            answer.save()
            count += 1
        if count:
            _mark_started(assignment)
    return count


# --- evidence ------------------------------------------------------------------------------------


def evidence_add(*, respondent: Respondent, assignment: Assignment, question_id: int, upload: Upload) -> Evidence:
    """Attach a file to a question; type and size are checked on the bytes themselves."""
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    question = _question(assignment, question_id)
    if Evidence.objects.filter(assignment=assignment, question=question).count() >= MAX_EVIDENCE_PER_QUESTION:
        raise RenkeiError(
            _("A question can have at most {n} files.").format(n=MAX_EVIDENCE_PER_QUESTION), field_name="file"
        )
    checked = check_file(upload, allowed=EVIDENCE_TYPES, limit=settings.RENKEI_MAX_EVIDENCE_BYTES)
    evidence = Evidence(
        assignment=assignment,
        question=question,
        name=checked.name,
        size=len(checked.content),
        uploaded_by_name=_clean_name(respondent.name),
    )
    with transaction.atomic():
        # Stored under a random name: the uploader's file name is only shown, never used as a path.
        evidence.file.save(f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False)
        evidence.save()
        _mark_started(assignment)
    return evidence


def evidence_remove(*, respondent: Respondent, evidence: Evidence) -> None:
    assignment = evidence.assignment
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    evidence.delete()


# --- declared subcontractors ---------------------------------------------------------------------


def declaration_add(
    *,
    respondent: Respondent,
    assignment: Assignment,
    name: str,
    corporate_number: str = "",
    country: str = "JP",
    service: str = "",
    asset_ids: Sequence[int] = (),
) -> SubcontractorDeclaration:
    """A subcontractor the party declares, with which of our information (among what we share with
    the party) it handles. It stays a proposal until our analyst accepts it into the registry."""
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    allowed_assets = {a.pk: a for a in portal_selectors.assets_shared_with(assignment.organisation)}
    unknown = [pk for pk in asset_ids if pk not in allowed_assets]
    if unknown:
        raise RenkeiError(_("Choose among the information we share with you."), field_name="assets")
    declaration = SubcontractorDeclaration(
        assignment=assignment,
        name=(name or "").strip(),
        corporate_number=normalise_corporate_number(corporate_number or ""),
        country=(country or "JP").strip().upper()[:2],
        service=(service or "").strip(),
        declared_by_name=_clean_name(respondent.name),
    )
    if not declaration.name:
        raise RenkeiError(_("Enter the subcontractor's name."), field_name="name")
    validate(declaration, exclude=["assignment"])
    with transaction.atomic():
        declaration.save()
        declaration.assets.set([allowed_assets[pk] for pk in asset_ids])
        _mark_started(assignment)
    return declaration


def declaration_remove(*, respondent: Respondent, declaration: SubcontractorDeclaration) -> None:
    assignment = declaration.assignment
    _check_respondent(respondent, assignment)
    _check_editable(assignment)
    if declaration.status != DeclarationStatus.PROPOSED:
        raise RenkeiError(_("Our analyst has already decided on this declaration."), status=409)
    declaration.delete()


# --- comments and submission ---------------------------------------------------------------------


def comment_add(
    *, respondent: Respondent, assignment: Assignment, body: str, question_id: int | None = None
) -> ReviewComment:
    """A message in the thread of a question (or of the whole assessment), from either side."""
    _check_respondent(respondent, assignment)
    body = (body or "").strip()
    if not body:
        raise RenkeiError(_("Write a comment."), field_name="body")
    if len(body) > MAX_NOTE_CHARS:
        raise RenkeiError(_("The comment is too long ({n} characters at most).").format(n=MAX_NOTE_CHARS), field_name="body")
    question = _question(assignment, question_id) if question_id is not None else None
    return ReviewComment.objects.create(
        assignment=assignment,
        question=question,
        kind=CommentKind.COMMENT,
        from_party=respondent.from_party,
        author=respondent.user if getattr(respondent.user, "pk", None) else None,
        author_name=_clean_name(respondent.name),
        body=body,
    )


def assignment_submit(*, respondent: Respondent, assignment: Assignment) -> Assignment:
    """Submit for review: every required question must be answered and no answer left unconfirmed
    from the last cycle. The answers are read only from then on until changes are requested."""
    from renkei.assessments import notifications

    _check_respondent(respondent, assignment)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("framework").get(pk=assignment.pk)
        _check_editable(assignment)
        summary = selectors.assignment_summary(assignment)
        if summary.unanswered_required:
            refs = ", ".join(summary.unanswered_required[:10])
            more = "…" if len(summary.unanswered_required) > 10 else ""
            raise RenkeiError(
                _("{n} required question(s) are not answered yet: {refs}{more}").format(
                    n=len(summary.unanswered_required), refs=refs, more=more
                ),
                status=400,
            )
        carried = assignment.answers.filter(carried_over=True).count()
        if carried:
            raise RenkeiError(
                _("{n} answer(s) from the last cycle are not confirmed yet: confirm or change them.").format(n=carried),
                status=400,
            )
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.submitted_by_name = _clean_name(respondent.name)
        assignment.score = summary.as_dict()
        assignment.save()
    message = notifications.submitted(assignment=assignment)
    if message is not None:
        notifications.send_all([message])
    return assignment


def assets_choices(assignment: Assignment) -> list[InformationAsset]:
    """Our information the party may say a subcontractor handles."""
    return list(portal_selectors.assets_shared_with(assignment.organisation))
