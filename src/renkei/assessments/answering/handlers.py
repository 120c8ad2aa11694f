"""The handlers of the answering screen, shared by the portal and the staff answering page: autosave
(JSON), the section forms for browsers without JavaScript, evidence, comments, confirming last
cycle's answers and submission. Each works on an `Answering` context (see `answering/screen.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.assessments import scoring, selectors
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.answering.screen import Answering, render_screen, time_label
from renkei.assessments.answering.services import AnswerConflict
from renkei.assessments.models import (
    Answer,
    Assignment,
    Evidence,
    Question,
    Section,
)
from renkei.core.errors import RenkeiError
from renkei.core.files.downloads import attachment_response
from renkei.core.files.uploads import request_too_large, too_large


def _error_page(ans: Answering, exc: RenkeiError, question_id: int | None = None) -> HttpResponse:
    """A refused form post: the screen again, with the message at the question and at the top."""
    errors = {question_id: str(exc.message)} if question_id else {}
    return render_screen(ans, status=exc.status, errors=errors, message=str(exc.message))


def _done(ans: Answering, text: str, anchor: str = "") -> HttpResponse:
    messages.success(ans.request, text)
    return HttpResponseRedirect(ans.page_url(anchor))


# --- autosave -----------------------------------------------------------------------------------


def json_error(exc: RenkeiError, **extra: Any) -> JsonResponse:
    return JsonResponse({**exc.as_dict(), **extra}, status=exc.status, json_dumps_params={"ensure_ascii": False})


def _read_payload(request: HttpRequest) -> tuple[Any, str | None, int | None]:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise RenkeiError(_("The request could not be read.")) from exc
    if not isinstance(payload, dict):
        raise RenkeiError(_("The request could not be read."))
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        raise RenkeiError(_("The comment must be text."), field_name="note")
    base_version = payload.get("base_version")
    if base_version is not None and (isinstance(base_version, bool) or not isinstance(base_version, int)):
        raise RenkeiError(_("The request could not be read."), field_name="base_version")
    return payload.get("value"), note, base_version


def _progress(assignment: Assignment) -> tuple[int, int]:
    answered = Answer.objects.filter(assignment=assignment, value__isnull=False).count()
    total = Question.objects.filter(framework_id=assignment.framework_id).count()
    return answered, total


def save_answer(ans: Answering, question_id: int) -> JsonResponse:
    """The autosave endpoint: JSON {value, note, base_version} in, the saved answer out; a conflict
    (409) carries the other person's answer in `current`, and nothing is overwritten."""
    try:
        respondent = ans.need_respondent()
        value, note, base_version = _read_payload(ans.request)
        answer = answer_services.answer_save(
            respondent=respondent,
            assignment=ans.assignment,
            question_id=question_id,
            value=value,
            note=note,
            base_version=base_version,
        )
    except AnswerConflict as exc:
        question = Question.objects.get(pk=question_id)
        current = {**exc.current, "label": answer_selectors.value_label(question, exc.current["value"])}
        if exc.current["updated_at"]:
            current["time"] = time_label(dt.datetime.fromisoformat(str(exc.current["updated_at"])))
        return json_error(exc, current=current)
    except RenkeiError as exc:
        return json_error(exc)
    answered, total = _progress(ans.assignment)
    return JsonResponse(
        {
            "version": answer.version,
            "value": answer.value,
            "note": answer.note,
            "label": answer_selectors.value_label(answer.question, answer.value),
            "updated_by": answer.updated_by_name,
            "updated_at": answer.updated_at.isoformat() if answer.updated_at else None,
            "time": timezone.localtime(answer.updated_at).strftime("%H:%M") if answer.updated_at else "",
            "answered": answered,
            "total": total,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# --- one section at once, for browsers without JavaScript ---------------------------------------


def _posted_value(request: HttpRequest, question: Question) -> Any:
    name = f"q{question.pk}"
    if question.answer_type == "multiple":
        return request.POST.getlist(name)
    return request.POST.get(name)


def save_section(ans: Answering, section_id: int) -> HttpResponse:
    """Save the answers of one section posted as a form (no JavaScript). Only answers that differ
    from what is stored are sent on (so unchanged carried-over answers stay to be confirmed); an
    answer somebody else changed since the page was loaded is a conflict, and one bad value or one
    conflict saves nothing."""
    assignment = ans.assignment
    section = Section.objects.filter(pk=section_id, framework_id=assignment.framework_id).first()
    if section is None:
        raise Http404(_("Not found."))
    try:
        respondent = ans.need_respondent()
    except RenkeiError as exc:
        return _error_page(ans, exc)
    questions = list(Question.objects.filter(section=section).order_by("order"))
    current = {a.question_id: a for a in Answer.objects.filter(assignment=assignment, question__in=questions)}
    posted: dict[int, tuple[Any, str | None]] = {}
    values: dict[str, tuple[Any, str | None]] = {}
    conflicts: dict[int, str] = {}
    versions: dict[str, int] = {}
    by_ref = {q.ref: q for q in questions}
    for question in questions:
        raw = None if question.answer_type == "file" else _posted_value(ans.request, question)
        note = ans.request.POST.get(f"q{question.pk}-note")
        try:
            loaded_version = int(ans.request.POST.get(f"q{question.pk}-version") or 0)
        except ValueError:
            loaded_version = -1
        posted[question.pk] = (raw, note)
        answer = current.get(question.pk)
        try:
            value = scoring.normalise_value(
                answer_type=question.answer_type,
                choices=question.choices,
                yesno_answers=assignment.framework.answers,
                raw=raw,
            )
        except RenkeiError:
            values[question.ref] = (raw, note)  # the service names the problem
            continue
        stored_value, stored_note = (answer.value, answer.note) if answer else (None, "")
        if value == stored_value and (note is None or note.strip() == stored_note):
            continue
        if answer is not None and answer.version != loaded_version:
            conflicts[question.pk] = _("{name} changed this answer at {time}; their answer is shown after reloading the page.").format(
                name=answer.updated_by_name or _("someone else"), time=time_label(answer.updated_at)
            )
            continue
        values[question.ref] = (raw, note)
        versions[question.ref] = loaded_version
    if conflicts:
        return render_screen(
            ans,
            status=409,
            errors=conflicts,
            posted=posted,
            message=_("Somebody else changed {n} answer(s) of this section since you opened the page; nothing was saved.").format(
                n=len(conflicts)
            ),
        )
    if not values:
        return _done(ans, _("Nothing changed."), f"s-{section.pk}")
    try:
        # The check above reads; `versions` makes the save itself refuse one saved meanwhile.
        changed = answer_services.answers_save_many(
            respondent=respondent, assignment=assignment, values=values, versions=versions
        )
    except RenkeiError as exc:
        errors = {by_ref[item.field].pk: item.message for item in exc.items if item.field in by_ref}
        return render_screen(ans, status=exc.status, errors=errors, posted=posted, message=str(exc.message))
    return _done(ans, _("{n} answer(s) saved.").format(n=changed), f"s-{section.pk}")


# --- evidence, comments, carried-over answers ------------------------------------------------------


def add_evidence(ans: Answering, question_id: int) -> HttpResponse:
    # Evidence has a limit of its own (RENKEI_MAX_EVIDENCE_BYTES); the request is measured against it.
    if request_too_large(ans.request, settings.RENKEI_MAX_EVIDENCE_BYTES):
        exc = too_large(settings.RENKEI_MAX_EVIDENCE_BYTES)
        return _error_page(ans, exc, question_id)
    upload = ans.request.FILES.get("file")
    try:
        respondent = ans.need_respondent()
        if upload is None:
            raise RenkeiError(_("Choose a file."), field_name="file")
        evidence = answer_services.evidence_add(respondent=respondent, assignment=ans.assignment, question_id=question_id, upload=upload)
    except RenkeiError as exc:
        return _error_page(ans, exc, question_id)
    return _done(ans, _("{name} attached.").format(name=evidence.name), f"q-{question_id}")


def remove_evidence(ans: Answering, evidence_id: int) -> HttpResponse:
    evidence = Evidence.objects.filter(pk=evidence_id, assignment=ans.assignment).first()
    if evidence is None:
        raise Http404(_("Not found."))
    question_id = evidence.question_id
    try:
        answer_services.evidence_remove(respondent=ans.need_respondent(), evidence=evidence)
    except RenkeiError as exc:
        return _error_page(ans, exc, question_id)
    return _done(ans, _("{name} removed.").format(name=evidence.name), f"q-{question_id}")


def add_comment(ans: Answering, question_id: int | None) -> HttpResponse:
    try:
        answer_services.comment_add(
            respondent=ans.need_respondent(),
            assignment=ans.assignment,
            body=ans.request.POST.get("body", ""),
            question_id=question_id,
        )
    except RenkeiError as exc:
        return _error_page(ans, exc, question_id)
    return _done(ans, _("Comment added."), f"q-{question_id}" if question_id else "comments")


def confirm_carried(ans: Answering, question_id: int | None) -> HttpResponse:
    try:
        count = answer_services.answers_confirm_carried(
            respondent=ans.need_respondent(),
            assignment=ans.assignment,
            question_ids=[question_id] if question_id is not None else None,
        )
    except RenkeiError as exc:
        return _error_page(ans, exc, question_id)
    return _done(ans, _("{n} answer(s) confirmed.").format(n=count), f"q-{question_id}" if question_id else "")


# --- submission -----------------------------------------------------------------------------------


def submit_check(assignment: Assignment) -> dict[str, Any]:
    """What still stands in the way of submitting: unanswered required questions and answers carried
    over from the last cycle that are not confirmed yet (each with its question, for a link)."""
    summary = selectors.assignment_summary(assignment)
    missing_refs = set(summary.unanswered_required)
    questions = list(Question.objects.filter(framework_id=assignment.framework_id).order_by("order"))
    carried_ids = set(assignment.answers.filter(carried_over=True).values_list("question_id", flat=True))
    return {
        "missing": [q for q in questions if q.ref in missing_refs],
        "carried": [q for q in questions if q.pk in carried_ids],
        "summary": summary,
    }


def submit(ans: Answering, *, done_url: str) -> HttpResponse:
    """GET: what is missing, and the button; POST: submit for review."""
    assignment = ans.assignment
    context: dict[str, Any] = {
        **ans.context,
        "assignment": assignment,
        "urls": ans.urls,
        "needs_name": ans.respondent is None,
        "title": _("Submit {framework}").format(framework=assignment.framework.name),
    }
    status = 200
    if ans.request.method == "POST":
        try:
            answer_services.assignment_submit(respondent=ans.need_respondent(), assignment=assignment)
        except RenkeiError as exc:
            context["error_message"] = str(exc.message)
            status = exc.status
        else:
            messages.success(ans.request, _("Submitted. Thank you: we will review your answers and tell you the result."))
            return HttpResponseRedirect(done_url)
    context.update(submit_check(assignment))
    return ans.respond(ans.request, ans.submit_template, context, status)


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """The stored file, always as a download (never rendered by the browser in our origin)."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is no longer available.")) from exc
    response = attachment_response(handle, evidence.name)
    response["Cache-Control"] = "no-store"
    return response
