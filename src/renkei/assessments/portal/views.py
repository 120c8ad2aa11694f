"""The pages of the partner portal (no login): the link's party's assessments (on the shared answering
screen), its declared subcontractors and follow-up items. Everything a page shows is reached through
the link's party: an assessment of another party answers 404. Each page is a function view wrapped
in `portal_view` (see `portal/access.py`), which checks the link.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from renkei.accounts.models import PortalLink
from renkei.assessments.answering import handlers, screen
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import (
    Answer,
    Assignment,
    DeclarationStatus,
    Evidence,
    FollowUpStatus,
    SubcontractorDeclaration,
)
from renkei.assessments.portal import selectors as portal_selectors
from renkei.assessments.portal.access import (
    base_context,
    link_respondent,
    need_respondent,
    portal_view,
)
from renkei.assessments.portal.forms import DeclarationForm
from renkei.core.errors import RenkeiError
from renkei.core.public import public_response as portal_response


def _assignment(link: PortalLink, pk: int) -> Assignment:
    assignment = portal_selectors.portal_assignments(link.organisation).select_related("organisation").filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("Not found."))
    return assignment


def portal_urls(pk: int) -> screen.ScreenUrls:
    prefix = screen.prefix_of
    return screen.ScreenUrls(
        page=reverse("portal:assignment", args=[pk]),
        question=prefix(reverse("portal:answer_save", args=[pk, 0])),
        section=prefix(reverse("portal:section_save", args=[pk, 0])),
        evidence=prefix(reverse("portal:evidence", args=[0])),
        evidence_delete=prefix(reverse("portal:evidence_delete", args=[pk, 0])),
        confirm_all=reverse("portal:confirm_all", args=[pk]),
        comment=reverse("portal:comment", args=[pk]),
        submit=reverse("portal:submit", args=[pk]),
        declarations=reverse("portal:declarations", args=[pk]),
        followup=prefix(reverse("portal:followup", args=[0])),
        name=reverse("portal:name"),
    )


def _answering(request: HttpRequest, link: PortalLink, pk: int) -> screen.Answering:
    assignment = _assignment(link, pk)
    if request.session.get("language") not in {"ja", "en"} and assignment.language in {"ja", "en"}:
        request.session["language"] = assignment.language
        translation.activate(assignment.language)
        request.LANGUAGE_CODE = assignment.language  # type: ignore[attr-defined]
    return screen.Answering(
        request=request,
        assignment=assignment,
        respondent=link_respondent(request, link),
        urls=portal_urls(pk),
        template="assessments/portal/assignment.html",
        submit_template="assessments/portal/submit.html",
        respond=portal_response,
        context=base_context(request, link, ""),
        from_party=True,
    )


# --- pages ----------------------------------------------------------------------------------------


@portal_view("GET")
def home(request: HttpRequest, link: PortalLink) -> HttpResponse:
    """The party's assessments and follow-up items."""
    assignments = list(portal_selectors.portal_assignments(link.organisation))
    counts = dict(
        Answer.objects.filter(assignment__in=assignments, value__isnull=False)
        .values("assignment_id")
        .annotate(n=Count("pk"))
        .values_list("assignment_id", "n")
    )
    for assignment in assignments:
        assignment.answered_count = counts.get(assignment.pk, 0)  # type: ignore[attr-defined]
    context = {
        **base_context(request, link, _("Security questionnaires")),
        "assignments": assignments,
        "follow_ups": list(portal_selectors.portal_follow_ups(link.organisation)),
    }
    return portal_response(request, "assessments/portal/home.html", context)


@portal_view("GET")
def assignment_page(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """The questionnaire of one assessment."""
    return screen.render_screen(_answering(request, link, pk))


@portal_view("POST", json_errors=True)
def answer_save(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    """Autosave of one answer (JSON)."""
    return handlers.save_answer(_answering(request, link, pk), qid)


@portal_view("POST")
def section_save(request: HttpRequest, link: PortalLink, pk: int, sid: int) -> HttpResponse:
    return handlers.save_section(_answering(request, link, pk), sid)


@portal_view("POST")
def evidence_add(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return handlers.add_evidence(_answering(request, link, pk), qid)


@portal_view("POST")
def evidence_delete(request: HttpRequest, link: PortalLink, pk: int, eid: int) -> HttpResponse:
    return handlers.remove_evidence(_answering(request, link, pk), eid)


@portal_view("POST")
def comment_add(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return handlers.add_comment(_answering(request, link, pk), qid)


@portal_view("POST")
def comment_general(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    return handlers.add_comment(_answering(request, link, pk), None)


@portal_view("POST")
def confirm(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return handlers.confirm_carried(_answering(request, link, pk), qid)


@portal_view("POST")
def confirm_all(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    return handlers.confirm_carried(_answering(request, link, pk), None)


@portal_view("GET", "POST")
def submit(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """What is missing before submitting, and the submission itself."""
    return handlers.submit(_answering(request, link, pk), done_url=reverse("portal:home"))


@portal_view("GET")
def evidence_download(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponseBase:
    """A piece of evidence of the link's party (another party's: 404)."""
    item = Evidence.objects.filter(pk=pk, assignment__organisation=link.organisation).first()
    if item is None:
        raise Http404(_("Not found."))
    return handlers.evidence_file_response(item)


# --- declared subcontractors ----------------------------------------------------------------------


@portal_view("GET", "POST")
def declarations(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """The subcontractors the party declares for this assessment (proposals for our analyst)."""
    assignment = _assignment(link, pk)
    asset_choices = [(a.pk, a.name) for a in portal_selectors.assets_shared_with(link.organisation)]
    form = DeclarationForm(request.POST or None, asset_choices=asset_choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer_services.declaration_add(
                    respondent=need_respondent(request, link),
                    assignment=assignment,
                    name=data["name"],
                    corporate_number=data["corporate_number"],
                    country=data["country"],
                    service=data["service"],
                    asset_ids=[int(v) for v in data["assets"]],
                )
            except RenkeiError as exc:
                for item in exc.items:
                    form.add_error(item.field if item.field in form.fields else None, item.message)
                status = exc.status
            else:
                messages.success(request, _("{name} declared. Our analyst will review it.").format(name=data["name"]))
                return HttpResponseRedirect(reverse("portal:declarations", args=[pk]))
        else:
            status = 400
    context = {
        **base_context(request, link, _("Subcontractors")),
        "assignment": assignment,
        "declarations": list(answer_selectors.declarations(assignment)),
        "form": form,
        "editable": assignment.is_editable,
        "has_assets": bool(asset_choices),
        "proposed": DeclarationStatus.PROPOSED,
    }
    return portal_response(request, "assessments/portal/declarations.html", context, status=status)


@portal_view("POST")
def declaration_delete(request: HttpRequest, link: PortalLink, pk: int, did: int) -> HttpResponse:
    assignment = _assignment(link, pk)
    declaration = SubcontractorDeclaration.objects.filter(pk=did, assignment=assignment).select_related("assignment").first()
    if declaration is None:
        raise Http404(_("Not found."))
    answer_services.declaration_remove(respondent=need_respondent(request, link), declaration=declaration)
    messages.success(request, _("{name} removed.").format(name=declaration.name))
    return HttpResponseRedirect(reverse("portal:declarations", args=[pk]))


# --- follow-up items ------------------------------------------------------------------------------

PARTY_STATUS_CHOICES = [(s.value, s.label) for s in followup_services.PARTY_STATUSES]


@portal_view("GET", "POST")
def followup(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """One follow-up item: its thread, and the party's reply (optionally: started / done)."""
    item = portal_selectors.portal_follow_ups(link.organisation).filter(pk=pk).first()
    if item is None:
        raise Http404(_("Not found."))
    status = 200
    error = ""
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        new_status = request.POST.get("status") or None
        try:
            respondent = need_respondent(request, link)
            followup_services.followup_message_add(follow_up=item, body=body, party_name=respondent.name, status=new_status)
        except RenkeiError as exc:
            error, status = str(exc.message), exc.status
            item.refresh_from_db()
        else:
            messages.success(request, _("Your reply was sent."))
            return HttpResponseRedirect(reverse("portal:followup", args=[pk]))
    context = {
        **base_context(request, link, item.title),
        "item": item,
        "thread": list(item.messages.order_by("created_at", "pk")),
        "status_choices": PARTY_STATUS_CHOICES,
        "error_message": error,
        "body": body,
        "overdue": item.is_overdue(),
        "is_open": item.is_open,
        "party_done": item.status == FollowUpStatus.PARTY_DONE,
    }
    return portal_response(request, "assessments/portal/followup.html", context, status=status)
