"""The staff answering page: a self-assessment, or answering on a party's behalf, by a logged-in user
whose role may change assessments, on the shared screen (`answering/screen.py`, `answering/handlers.py`).
Like the portal pages, one function view per URL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from renkei.assessments.answering.handlers import (
    add_comment,
    add_evidence,
    confirm_carried,
    evidence_file_response,
    json_error,
    remove_evidence,
    save_answer,
    save_section,
    submit,
)
from renkei.assessments.answering.screen import Answering, ScreenUrls, prefix_of, render_screen
from renkei.assessments.answering.services import Respondent
from renkei.assessments.models import (
    Assignment,
    Evidence,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, get_visible_or_404, require

# --- the staff answering page (self-assessments, or answering on a party's behalf) ---------------

STAFF_ACTION = CHANGE_ASSESSMENTS


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
    # The review pages live in review/; link back to them when they are installed.
    try:
        return assignment.get_absolute_url()
    except NoReverseMatch:
        return ""


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
        return json_error(RenkeiError(str(exc) or _("You do not have permission to do this."), status=403))
    except Http404:
        return json_error(RenkeiError(_("Not found."), status=404))
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


@login_required
@require_POST
def staff_section_save(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    return save_section(staff_answering(request, pk), sid)


@login_required
@require_POST
def staff_evidence_add(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    return add_evidence(staff_answering(request, pk), qid)


@login_required
@require_POST
def staff_evidence_delete(request: HttpRequest, pk: int, eid: int) -> HttpResponse:
    return remove_evidence(staff_answering(request, pk), eid)


@login_required
@require_POST
def staff_comment_add(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    return add_comment(staff_answering(request, pk), qid)


@login_required
@require_POST
def staff_comment_general(request: HttpRequest, pk: int) -> HttpResponse:
    return add_comment(staff_answering(request, pk), None)


@login_required
@require_POST
def staff_confirm(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    return confirm_carried(staff_answering(request, pk), qid)


@login_required
@require_POST
def staff_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    return confirm_carried(staff_answering(request, pk), None)
