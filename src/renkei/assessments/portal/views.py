"""The partner portal (no login).

A portal link (`/portal/<token>/`) is exchanged for a mark in the browser's session and the browser
is sent on to a URL without the token, so the token does not linger in the address bar, history or
logs. Every portal page then re-reads the link from the session and checks it is still valid (not
expired, not revoked): a revoked link stops working at once, also for a browser that opened it
before. Everything a page shows is reached through the link's party: an assessment of another
party answers 404.

Before the first change the visitor gives their name (kept in the session): it is shown beside
every answer they save and names them in a conflict notice and in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_find, portal_link_touch
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.answering import views as views_answer
from renkei.assessments.answering.services import Respondent
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
from renkei.core.audit import set_current_actor
from renkei.core.errors import RenkeiError
from renkei.core.public import public_language
from renkei.core.public import public_response as portal_response

SESSION_KEY = "renkei_portal_link"
NAME_SESSION_KEY = "renkei_portal_name"


def link_problem_page(request: HttpRequest, link: PortalLink | None) -> HttpResponse:
    """A clear page for a link that does not work: unknown, expired or revoked."""
    if link is None:
        state, status = "unknown", 404
        message = _("This link is not valid. Check that you copied the whole address from the e-mail.")
    elif link.state == "revoked":
        state, status = "revoked", 403
        message = _("This link has been withdrawn. Ask your contact at {company} for a new one.").format(
            company=link.group_company.name
        )
    else:
        state, status = "expired", 403
        message = _("This link expired on {date}. Ask your contact at {company} for a new one.").format(
            date=link.expires_at.date().isoformat(), company=link.group_company.name
        )
    return portal_response(
        request, "assessments/portal/link_problem.html", {"title": _("The link cannot be used"), "state": state, "message": message},
        status=status,
    )


def current_link(request: HttpRequest) -> PortalLink | None:
    """The portal link this browser entered with, if it is still active."""
    link_id = request.session.get(SESSION_KEY)
    if not link_id:
        return None
    link = PortalLink.objects.select_related("organisation", "group_company").filter(pk=link_id).first()
    if link is None or link.state != "active":
        return None
    return link


@never_cache
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """Open the portal with a link from an e-mail."""
    public_language(request)
    link = portal_link_find(token)
    if link is None or link.state != "active":
        request.session.pop(SESSION_KEY, None)
        return link_problem_page(request, link)
    # A new session id: the link's access must not ride on a session id set before it was used.
    request.session.cycle_key()
    if request.session.get(SESSION_KEY) != link.pk:
        request.session.pop(NAME_SESSION_KEY, None)  # another party's link: not the same person
    request.session[SESSION_KEY] = link.pk
    portal_link_touch(link)
    if request.session.get("language") not in {"ja", "en"}:
        # The language the assessment was sent in (set per party when the campaign was launched).
        newest = portal_selectors.portal_assignments(link.organisation).values_list("language", flat=True).first()
        if newest in {"ja", "en"}:
            request.session["language"] = newest
    target = reverse("portal:home")
    if request.GET.get("lang") in {"ja", "en"}:
        target += f"?lang={request.GET['lang']}"
    return HttpResponseRedirect(target)


# --- what every portal page does first ------------------------------------------------------------


def _activate_session_language(request: HttpRequest) -> None:
    """`?lang=` first, else the language chosen earlier in this browser (also when a staff user is
    logged in in the same browser: the portal speaks the partner's language)."""
    public_language(request)
    language = request.session.get("language")
    if language in {"ja", "en"} and "lang" not in request.GET:
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def _inactive_link_page(request: HttpRequest) -> HttpResponse:
    """The page for a browser without an active link: the link it entered with was revoked or has
    expired since (403), or it never entered with one."""
    link_id = request.session.get(SESSION_KEY)
    link = PortalLink.objects.select_related("group_company").filter(pk=link_id).first() if link_id else None
    if link is not None:
        return link_problem_page(request, link)
    return portal_response(
        request,
        "assessments/portal/link_problem.html",
        {
            "title": _("The link cannot be used"),
            "state": "missing",
            "message": _("Open this portal with the personal link in the e-mail you received from us."),
        },
        status=403,
    )


def _json_problem(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "errors": [{"message": message}]}, status=status, json_dumps_params={"ensure_ascii": False})


def portal_view(
    *methods: str, json_errors: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A portal page: allowed methods, the language, an active link (else the clear page), and
    objects outside the link's party answering a portal 404 page (or JSON for autosave)."""
    allowed = list(methods or ("GET",))

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            _activate_session_language(request)
            link = current_link(request)
            if link is None:
                if json_errors:
                    return _json_problem(_("This portal link no longer works. Open the link from your e-mail again."), 403)
                return _inactive_link_page(request)
            portal_link_touch(link)
            try:
                return view(request, link, *args, **kwargs)
            except Http404:
                if json_errors:
                    return _json_problem(_("Not found."), 404)
                return portal_response(request, "assessments/portal/not_found.html", _base_context(request, link, _("Not found.")), status=404)
            except RenkeiError as exc:
                if json_errors:
                    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
                context = {**_base_context(request, link, _("Something is not right")), "error_message": str(exc.message)}
                return portal_response(request, "assessments/portal/error.html", context, status=exc.status)

        return never_cache(wrapper)

    return decorate


def respondent_name(request: HttpRequest) -> str:
    return str(request.session.get(NAME_SESSION_KEY) or "")


def _respondent(request: HttpRequest, link: PortalLink) -> Respondent | None:
    """The named visitor, or None before they gave their name. On a write, the audit trail is told
    who it is (there is no user account behind a portal visitor)."""
    name = respondent_name(request)
    if not name:
        return None
    if request.method == "POST":
        set_current_actor(None, f"portal: {link.organisation} / {name}")
    return Respondent(name=name, user=None, from_party=True)


def _need_respondent(request: HttpRequest, link: PortalLink) -> Respondent:
    respondent = _respondent(request, link)
    if respondent is None:
        raise RenkeiError(_("Enter your name before changing anything: it is shown beside your changes."), field_name="name")
    return respondent


def _base_context(request: HttpRequest, link: PortalLink, title: Any) -> dict[str, Any]:
    return {
        "title": title,
        "link": link,
        "company": link.group_company,
        "party": link.organisation,
        "respondent_name": respondent_name(request),
    }


def _assignment(link: PortalLink, pk: int) -> Assignment:
    assignment = portal_selectors.portal_assignments(link.organisation).select_related("organisation").filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("Not found."))
    return assignment


def portal_urls(pk: int) -> views_answer.ScreenUrls:
    prefix = views_answer.prefix_of
    return views_answer.ScreenUrls(
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


def _answering(request: HttpRequest, link: PortalLink, pk: int) -> views_answer.Answering:
    assignment = _assignment(link, pk)
    if request.session.get("language") not in {"ja", "en"} and assignment.language in {"ja", "en"}:
        request.session["language"] = assignment.language
        translation.activate(assignment.language)
        request.LANGUAGE_CODE = assignment.language  # type: ignore[attr-defined]
    return views_answer.Answering(
        request=request,
        assignment=assignment,
        respondent=_respondent(request, link),
        urls=portal_urls(pk),
        template="assessments/portal/assignment.html",
        submit_template="assessments/portal/submit.html",
        respond=portal_response,
        context=_base_context(request, link, ""),
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
        **_base_context(request, link, _("Security questionnaires")),
        "assignments": assignments,
        "follow_ups": list(portal_selectors.portal_follow_ups(link.organisation)),
    }
    return portal_response(request, "assessments/portal/home.html", context)


class NameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=answer_services.MAX_NAME_CHARS,
        help_text=gettext_lazy("Shown beside the answers you change, so your colleagues and our reviewers know who answered."),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/portal/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("portal:home")


@portal_view("GET", "POST")
def name_page(request: HttpRequest, link: PortalLink) -> HttpResponse:
    """Who is answering (kept for this browser's visit)."""
    form = NameForm(request.POST or None, initial={"name": respondent_name(request)})
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["name"].strip():
            request.session[NAME_SESSION_KEY] = form.cleaned_data["name"].strip()
            return HttpResponseRedirect(_safe_next(request))
        if form.is_valid():
            form.add_error("name", _("Enter your name."))
        status = 400
    context = {**_base_context(request, link, _("Your name")), "form": form, "next": _safe_next(request)}
    return portal_response(request, "assessments/portal/name.html", context, status=status)


@never_cache
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the link (and the name) in this browser; the link in the e-mail still works."""
    _activate_session_language(request)
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)
        request.session.pop(NAME_SESSION_KEY, None)
        return portal_response(request, "assessments/portal/leave.html", {"title": _("You have left the portal"), "left": True})
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return portal_response(request, "assessments/portal/leave.html", {"title": _("Leave the portal"), "left": False})


@portal_view("GET")
def assignment_page(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """The questionnaire of one assessment."""
    return views_answer.render_screen(_answering(request, link, pk))


@portal_view("POST", json_errors=True)
def answer_save(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    """Autosave of one answer (JSON)."""
    return views_answer.save_answer(_answering(request, link, pk), qid)


@portal_view("POST")
def section_save(request: HttpRequest, link: PortalLink, pk: int, sid: int) -> HttpResponse:
    return views_answer.save_section(_answering(request, link, pk), sid)


@portal_view("POST")
def evidence_add(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return views_answer.add_evidence(_answering(request, link, pk), qid)


@portal_view("POST")
def evidence_delete(request: HttpRequest, link: PortalLink, pk: int, eid: int) -> HttpResponse:
    return views_answer.remove_evidence(_answering(request, link, pk), eid)


@portal_view("POST")
def comment_add(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return views_answer.add_comment(_answering(request, link, pk), qid)


@portal_view("POST")
def comment_general(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    return views_answer.add_comment(_answering(request, link, pk), None)


@portal_view("POST")
def confirm(request: HttpRequest, link: PortalLink, pk: int, qid: int) -> HttpResponse:
    return views_answer.confirm_carried(_answering(request, link, pk), qid)


@portal_view("POST")
def confirm_all(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    return views_answer.confirm_carried(_answering(request, link, pk), None)


@portal_view("GET", "POST")
def submit(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    """What is missing before submitting, and the submission itself."""
    return views_answer.submit(_answering(request, link, pk), done_url=reverse("portal:home"))


@portal_view("GET")
def evidence_download(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponseBase:
    """A piece of evidence of the link's party (another party's: 404)."""
    item = Evidence.objects.filter(pk=pk, assignment__organisation=link.organisation).first()
    if item is None:
        raise Http404(_("Not found."))
    return views_answer.evidence_file_response(item)


# --- declared subcontractors ----------------------------------------------------------------------


class DeclarationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Subcontractor's name"), max_length=200)
    corporate_number = forms.CharField(
        label=gettext_lazy("Corporate number (法人番号)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("13 digits, if the company is registered in Japan."),
    )
    country = forms.CharField(
        label=gettext_lazy("Country"), max_length=2, initial="JP", help_text=gettext_lazy("ISO 3166 code, e.g. JP.")
    )
    service = forms.CharField(label=gettext_lazy("Work delegated to it"), max_length=200, required=False)
    assets = forms.MultipleChoiceField(
        label=gettext_lazy("Which of our information it handles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, asset_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assets"].choices = asset_choices  # type: ignore[attr-defined]


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
                    respondent=_need_respondent(request, link),
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
        **_base_context(request, link, _("Subcontractors")),
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
    answer_services.declaration_remove(respondent=_need_respondent(request, link), declaration=declaration)
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
            respondent = _need_respondent(request, link)
            followup_services.followup_message_add(follow_up=item, body=body, party_name=respondent.name, status=new_status)
        except RenkeiError as exc:
            error, status = str(exc.message), exc.status
            item.refresh_from_db()
        else:
            messages.success(request, _("Your reply was sent."))
            return HttpResponseRedirect(reverse("portal:followup", args=[pk]))
    context = {
        **_base_context(request, link, item.title),
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


def urlpatterns() -> list[URLPattern]:
    return [
        path("t/<str:token>/", enter, name="enter"),
        path("", home, name="home"),
        path("name/", name_page, name="name"),
        path("leave/", leave, name="leave"),
        path("a/<int:pk>/", assignment_page, name="assignment"),
        path("a/<int:pk>/q/<int:qid>/", answer_save, name="answer_save"),
        path("a/<int:pk>/q/<int:qid>/evidence/", evidence_add, name="evidence_add"),
        path("a/<int:pk>/q/<int:qid>/comment/", comment_add, name="comment_add"),
        path("a/<int:pk>/q/<int:qid>/confirm/", confirm, name="confirm"),
        path("a/<int:pk>/s/<int:sid>/", section_save, name="section_save"),
        path("a/<int:pk>/evidence/<int:eid>/delete/", evidence_delete, name="evidence_delete"),
        path("a/<int:pk>/confirm/", confirm_all, name="confirm_all"),
        path("a/<int:pk>/comment/", comment_general, name="comment"),
        path("a/<int:pk>/submit/", submit, name="submit"),
        path("a/<int:pk>/declarations/", declarations, name="declarations"),
        path("a/<int:pk>/declarations/<int:did>/delete/", declaration_delete, name="declaration_delete"),
        path("followups/<int:pk>/", followup, name="followup"),
        path("evidence/<int:pk>/", evidence_download, name="evidence"),
    ]
