"""Answering a questionnaire: the shared screen of the portal and of self-assessments.

The partner portal (`portal/views.py`) and the staff answering page (`answering/views.py`) differ
only in who answers (a named portal visitor, or a logged-in user), how the assessment is reached
(through the portal link's party, or within the user's scope) and the page that frames the screen.
Everything else works on one `Answering` context: this module builds the page data; the handlers
(`answering/handlers.py`) do autosave (JSON), the section forms for browsers without JavaScript,
evidence, comments, confirming last cycle's answers and submission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.backends.utils import csrf_input
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.answering.services import Respondent
from renkei.assessments.models import (
    Assignment,
    AssignmentStatus,
    CommentKind,
    ReviewState,
    Section,
)
from renkei.core.display import show_datetime
from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import limit_mb

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


def time_label(value: Any) -> str:
    return show_datetime(value) if value else ""


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
                    _("Last changed by {name}, {time}").format(name=answer.updated_by_name, time=time_label(answer.updated_at))
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
            mb=limit_mb(settings.RENKEI_MAX_EVIDENCE_BYTES),
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
