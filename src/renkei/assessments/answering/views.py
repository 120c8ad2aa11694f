"""Answering a questionnaire: the shared screen of the portal and of self-assessments.

The partner portal (views_portal) and the staff answering page (below) differ only in who answers
(a named portal visitor, or a logged-in user), how the assessment is reached (through the portal
link's party, or within the user's scope) and the page that frames the screen. Everything else is
one set of handlers here working on an `Answering` context: the page data, autosave (JSON), the
section forms for browsers without JavaScript, evidence, comments, confirming last cycle's answers
and submission.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.backends.utils import csrf_input
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from renkei.assessments import scoring, selectors
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.answering.services import AnswerConflict, Respondent
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    CommentKind,
    Evidence,
    Question,
    ReviewState,
    Section,
)
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, get_visible_or_404, require
from renkei.core.views import request_too_large

CHOICE_CONTROLS = {"yesno": "radio", "single": "radio", "maturity": "radio", "multiple": "checkbox"}
EVIDENCE_ACCEPT = ",".join(f".{ext}" for ext in answer_services.EVIDENCE_TYPES)

Respond = Callable[[HttpRequest, str, dict[str, Any], int], HttpResponse]


def prefix_of(url: str) -> str:
    """`/portal/a/5/q/0/` → `/portal/a/5/q/` (reversed with the id 0): the screen adds the id (and
    the rest, e.g. "/delete/") per question itself, far cheaper than reversing a URL for each of 300
    questions."""
    return url[: url.rindex("/0/") + 1]


@dataclass(frozen=True)
class ScreenUrls:
    """Where the screen posts to. Per-question URLs are `question` + id + "/" (+ "evidence/",
    "comment/", "confirm/"); `section` + id + "/"; `evidence` / `evidence_delete` + id + "/" (+
    "delete/")."""

    page: str
    question: str
    section: str
    evidence: str
    evidence_delete: str
    confirm_all: str
    comment: str
    submit: str
    declarations: str = ""
    followup: str = ""  # portal only: the follow-up item page prefix
    name: str = ""  # portal only: where the visitor gives their name


@dataclass
class Answering:
    """One answering context: who answers which assessment, where the screen posts to, and how a
    page is framed (`respond` renders with the side's headers; `template` and `submit_template`
    are the side's page templates)."""

    request: HttpRequest
    assignment: Assignment
    respondent: Respondent | None
    urls: ScreenUrls
    template: str
    submit_template: str
    respond: Respond
    context: dict[str, Any] = field(default_factory=dict)
    from_party: bool = True

    def need_respondent(self) -> Respondent:
        if self.respondent is None:
            raise RenkeiError(_("Enter your name before changing anything: it is shown beside your changes."), field_name="name")
        return self.respondent

    def page_url(self, anchor: str = "") -> str:
        return self.urls.page + (f"#{anchor}" if anchor else "")


def _time(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _shown_strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def screen_messages() -> dict[str, str]:
    """The words questionnaire.js shows, in the page's language."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved {time}"),
        "offline": _("Offline — will be sent when the connection is back."),
        "pending": _("{n} change(s) not sent yet"),
        "error": _("Not saved: {message}"),
        "conflict": _("{name} changed this answer at {time}. Their answer:"),
        "conflict_note": _("Their comment:"),
        "nothing": _("(no answer)"),
        "use_theirs": _("Use their answer"),
        "keep_mine": _("Keep mine"),
        "someone": _("someone else"),
        "all_saved": _("All changes saved"),
        "restored": _("{n} unsent change(s) from your last visit were restored and are being sent."),
        "updated": _("Last changed by {name}, {time}"),
        "session": _("your session has ended. Your changes are kept in this browser and sent when you open this page again."),
    }


@dataclass
class Row:
    """One question as the screen shows it: the selector's item plus what the template would
    otherwise compute 300 times (ids as text, the shown value, translated labels)."""

    item: answer_selectors.Item
    qid: str
    sid: str
    version: str
    control: str
    options: list[tuple[str, str]]
    shown_values: list[str]
    shown_text: str
    shown_note: str
    error: str
    updated_text: str
    change_requested: bool
    change_request: str
    comments_label: str


@dataclass
class SectionRows:
    section: Section
    sid: str
    rows: list[Row]
    answered: int


def _rows(
    page: answer_selectors.Questionnaire, errors: dict[int, str], posted: dict[int, tuple[Any, str | None]]
) -> tuple[list[SectionRows], list[Row]]:
    sections = []
    requested = []
    for section_items in page.sections:
        sid = str(section_items.section.pk)
        rows = []
        for item in section_items.items:
            question, answer = item.question, item.answer
            value, note = (answer.value, answer.note) if answer else (None, "")
            if question.pk in posted:
                value, raw_note = posted[question.pk]
                note = raw_note if raw_note is not None else note
            control = CHOICE_CONTROLS.get(question.answer_type, question.answer_type)
            change_requests = [c.body for c in item.comments if c.kind == CommentKind.CHANGE_REQUEST]
            row = Row(
                item=item,
                qid=str(question.pk),
                sid=sid,
                version=str(item.version),
                control=control,
                options=item.options if control in ("radio", "checkbox") else [],
                shown_values=_shown_strings(value),
                shown_text="" if isinstance(value, list) else _number_text(value),
                shown_note=note,
                error=errors.get(question.pk, ""),
                updated_text=(
                    _("Last changed by {name}, {time}").format(name=answer.updated_by_name, time=_time(answer.updated_at))
                    if answer and answer.updated_at
                    else ""
                ),
                change_requested=bool(answer and answer.review_state == ReviewState.CHANGE_REQUESTED),
                change_request=change_requests[-1] if change_requests else "",
                comments_label=ngettext("{n} comment", "{n} comments", len(item.comments)).format(n=len(item.comments)),
            )
            rows.append(row)
            if row.change_requested:
                requested.append(row)
        sections.append(SectionRows(section=section_items.section, sid=sid, rows=rows, answered=section_items.answered))
    return sections, requested


def screen_labels() -> dict[str, str]:
    """Fixed words of the question block, translated once per page instead of once per question."""
    return {
        "required": _("Required"),
        "typical_evidence": _("Typical evidence:"),
        "change_requested": _("Change requested"),
        "carried": _("From the last cycle — confirm or change."),
        "confirm": _("Confirm"),
        "file_answer": _("Answer by attaching the file below."),
        "note": _("Comment (optional)"),
        "no_answer": _("(no answer)"),
        "delete": _("Delete"),
        "attach": _("Attach evidence"),
        "upload": _("Upload"),
        "reply": _("Reply"),
        "accepted": _("Accepted"),
        "follow_up": _("Follow-up item:"),
        "evidence_limits": _("{types}; up to {mb} MB per file, {n} files per question").format(
            types=", ".join(answer_services.EVIDENCE_TYPES),
            mb=max(1, settings.RENKEI_MAX_EVIDENCE_BYTES // 2**20),
            n=answer_services.MAX_EVIDENCE_PER_QUESTION,
        ),
    }


def screen_context(
    ans: Answering,
    *,
    errors: dict[int, str] | None = None,
    posted: dict[int, tuple[Any, str | None]] | None = None,
    message: str = "",
) -> dict[str, Any]:
    """Everything the screen shows, in a fixed number of queries whatever the number of questions.

    `posted` (question id → raw value, note) shows what a section form sent back after an error, so
    nothing typed is lost; `errors` names the problem at each question.
    """
    assignment = ans.assignment
    page = answer_selectors.questionnaire(assignment)
    sections, requested = _rows(page, errors or {}, posted or {})
    changes_requested = assignment.status == AssignmentStatus.CHANGES_REQUESTED
    general_requests = [
        c
        for c in page.general_comments
        if c.kind == CommentKind.CHANGE_REQUEST and (assignment.submitted_at is None or c.created_at >= assignment.submitted_at)
    ]
    return {
        **ans.context,
        "assignment": assignment,
        "q": page,
        "sections": sections,
        "urls": ans.urls,
        "editable": assignment.is_editable,
        "needs_name": ans.respondent is None,
        "respondent_name": ans.respondent.name if ans.respondent else "",
        "from_party": ans.from_party,
        "changes_requested": changes_requested,
        "change_requests": requested if changes_requested else [],
        "general_requests": general_requests if changes_requested else [],
        "error_message": message,
        "evidence_accept": EVIDENCE_ACCEPT,
        # One hidden CSRF field rendered once and repeated in the small forms of every question.
        "csrf_input": csrf_input(ans.request),
        "T": screen_labels(),
        "js_messages": screen_messages(),
        "percent": int(100 * page.answered / page.total) if page.total else 0,
        "title": f"{assignment.framework.name} · {assignment.organisation.name}",
    }


def render_screen(
    ans: Answering,
    *,
    status: int = 200,
    errors: dict[int, str] | None = None,
    posted: dict[int, tuple[Any, str | None]] | None = None,
    message: str = "",
) -> HttpResponse:
    context = screen_context(ans, errors=errors, posted=posted, message=message)
    return ans.respond(ans.request, ans.template, context, status)


def _error_page(ans: Answering, exc: RenkeiError, question_id: int | None = None) -> HttpResponse:
    """A refused form post: the screen again, with the message at the question and at the top."""
    errors = {question_id: str(exc.message)} if question_id else {}
    return render_screen(ans, status=exc.status, errors=errors, message=str(exc.message))


def _done(ans: Answering, text: str, anchor: str = "") -> HttpResponse:
    messages.success(ans.request, text)
    return HttpResponseRedirect(ans.page_url(anchor))


# --- autosave -----------------------------------------------------------------------------------


def _json_error(exc: RenkeiError, **extra: Any) -> JsonResponse:
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
            current["time"] = _time(dt.datetime.fromisoformat(str(exc.current["updated_at"])))
        return _json_error(exc, current=current)
    except RenkeiError as exc:
        return _json_error(exc)
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
                name=answer.updated_by_name or _("someone else"), time=_time(answer.updated_at)
            )
            continue
        values[question.ref] = (raw, note)
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
        changed = answer_services.answers_save_many(respondent=respondent, assignment=assignment, values=values)
    except RenkeiError as exc:
        errors = {by_ref[item.field].pk: item.message for item in exc.items if item.field in by_ref}
        return render_screen(ans, status=exc.status, errors=errors, posted=posted, message=str(exc.message))
    return _done(ans, _("{n} answer(s) saved.").format(n=changed), f"s-{section.pk}")


# --- evidence, comments, carried-over answers ------------------------------------------------------


def add_evidence(ans: Answering, question_id: int) -> HttpResponse:
    if request_too_large(ans.request):
        limit = max(1, settings.RENKEI_MAX_EVIDENCE_BYTES // 2**20)
        exc = RenkeiError(_("The file is too large (limit {limit} MB).").format(limit=limit), field_name="file", status=413)
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


# --- the staff answering page (self-assessments, or answering on a party's behalf) ---------------

STAFF_ACTION = Action.CHANGE_ASSESSMENTS


def _staff_respond(request: HttpRequest, template: str, context: dict[str, Any], status: int) -> HttpResponse:
    return render(request, template, context, status=status)


def staff_urls(pk: int) -> ScreenUrls:
    return ScreenUrls(
        page=reverse("assessments:assignment_answer", args=[pk]),
        question=prefix_of(reverse("assessments:answer_save", args=[pk, 0])),
        section=prefix_of(reverse("assessments:answer_section_save", args=[pk, 0])),
        evidence=prefix_of(reverse("assessments:evidence_download", args=[0])),
        evidence_delete=prefix_of(reverse("assessments:answer_evidence_delete", args=[pk, 0])),
        confirm_all=reverse("assessments:answer_confirm_all", args=[pk]),
        comment=reverse("assessments:answer_comment", args=[pk]),
        submit=reverse("assessments:assignment_submit", args=[pk]),
    )


def staff_answering(request: HttpRequest, pk: int) -> Answering:
    """The assessment (within the user's scope, else 404) and the user as respondent; the role must
    allow changing assessments (else 403)."""
    require(request.user, STAFF_ACTION)
    assignment = get_visible_or_404(
        Assignment.objects.select_related("framework", "organisation", "group_company", "campaign"), request.user, pk=pk
    )
    user: Any = request.user
    return Answering(
        request=request,
        assignment=assignment,
        respondent=Respondent(name=user.get_full_name() or user.get_username(), user=user, from_party=False),
        urls=staff_urls(pk),
        template="assessments/questionnaire/staff_answer.html",
        submit_template="assessments/questionnaire/staff_submit.html",
        respond=_staff_respond,
        context={"back_url": _assignment_detail_url(assignment)},
        from_party=False,
    )


def _assignment_detail_url(assignment: Assignment) -> str:
    # The review pages live in views_staff; link back to them when they are installed.
    try:
        return assignment.get_absolute_url()
    except NoReverseMatch:
        return ""


def _staff_view(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        return handler(staff_answering(request, pk), **kwargs)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return login_required(view)


@login_required
@require_http_methods(["GET"])
def staff_answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire of one assessment, answered by our own user."""
    return render_screen(staff_answering(request, pk))


@login_required
@require_POST
def staff_answer_save(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    try:
        ans = staff_answering(request, pk)
    except PermissionDenied as exc:
        return _json_error(RenkeiError(str(exc) or _("You do not have permission to do this."), status=403))
    except Http404:
        return _json_error(RenkeiError(_("Not found."), status=404))
    return save_answer(ans, qid)


@login_required
@require_http_methods(["GET", "POST"])
def staff_submit(request: HttpRequest, pk: int) -> HttpResponse:
    ans = staff_answering(request, pk)
    return submit(ans, done_url=ans.urls.page)


@login_required
@require_http_methods(["GET"])
def staff_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """A piece of evidence (of an assessment within the user's scope, else 404)."""
    require(request.user, Action.VIEW)
    evidence = get_visible_or_404(Evidence.objects.select_related("assignment"), request.user, pk=pk)
    return evidence_file_response(evidence)


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """The stored file, always as a download (never rendered by the browser in our origin)."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is no longer available.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.name, content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def staff_urlpatterns() -> list[URLPattern]:
    post = require_POST
    return [
        path("assignments/<int:pk>/answer/", staff_answer_page, name="assignment_answer"),
        path("assignments/<int:pk>/answer/q/<int:qid>/", staff_answer_save, name="answer_save"),
        path(
            "assignments/<int:pk>/answer/q/<int:qid>/evidence/",
            post(_staff_view(lambda ans, qid: add_evidence(ans, qid))),
            name="answer_evidence_add",
        ),
        path(
            "assignments/<int:pk>/answer/q/<int:qid>/comment/",
            post(_staff_view(lambda ans, qid: add_comment(ans, qid))),
            name="answer_comment_add",
        ),
        path(
            "assignments/<int:pk>/answer/q/<int:qid>/confirm/",
            post(_staff_view(lambda ans, qid: confirm_carried(ans, qid))),
            name="answer_confirm",
        ),
        path(
            "assignments/<int:pk>/answer/s/<int:sid>/",
            post(_staff_view(lambda ans, sid: save_section(ans, sid))),
            name="answer_section_save",
        ),
        path(
            "assignments/<int:pk>/answer/evidence/<int:eid>/delete/",
            post(_staff_view(lambda ans, eid: remove_evidence(ans, eid))),
            name="answer_evidence_delete",
        ),
        path("assignments/<int:pk>/answer/confirm/", post(_staff_view(lambda ans: confirm_carried(ans, None))), name="answer_confirm_all"),
        path("assignments/<int:pk>/answer/comment/", post(_staff_view(lambda ans: add_comment(ans, None))), name="answer_comment"),
        path("assignments/<int:pk>/submit/", staff_submit, name="assignment_submit"),
        path("evidence/<int:pk>/", staff_evidence_download, name="evidence_download"),
    ]
