"""Entering and leaving the partner portal (no login).

A portal link (`/portal/<token>/`) is exchanged for a mark in the browser's session and the browser
is sent on to a URL without the token, so the token does not linger in the address bar, history or
logs. Every portal page (`portal_view`) then re-reads the link from the session and checks it is
still valid (not expired, not revoked): a revoked link stops working at once, also for a browser
that opened it before.

Before the first change the visitor gives their name (kept in the session): it is shown beside
every answer they save and names them in a conflict notice and in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_find, portal_link_touch
from renkei.assessments.answering.services import Respondent
from renkei.assessments.portal import selectors as portal_selectors
from renkei.assessments.portal.forms import NameForm
from renkei.core.audit import set_current_actor
from renkei.core.display import show_date
from renkei.core.errors import RenkeiError
from renkei.core.network import client_address
from renkei.core.public import public_language
from renkei.core.public import public_response as portal_response
from renkei.core.ratelimit import rate_limit_hit

SESSION_KEY = "renkei_portal_link"
# (links opened, window seconds) per client address: generous for people, a wall for token guessing.
PORTAL_ENTRY_RATE_LIMIT = (60, 3600)
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
            date=show_date(link.expires_at), company=link.group_company.name
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
    limit, window = getattr(settings, "RENKEI_PORTAL_ENTRY_RATE_LIMIT", PORTAL_ENTRY_RATE_LIMIT)
    if rate_limit_hit(bucket="portal:enter", client=client_address(request), limit=limit, window_seconds=window):
        response = portal_response(
            request,
            "assessments/portal/link_problem.html",
            {
                "title": _("Too many requests"),
                "state": "rate_limited",
                "message": _("Too many links were opened from your network in a short time. Please wait an hour and try again."),
            },
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
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
                return portal_response(request, "assessments/portal/not_found.html", base_context(request, link, _("Not found.")), status=404)
            except RenkeiError as exc:
                if json_errors:
                    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
                context = {**base_context(request, link, _("Something is not right")), "error_message": str(exc.message)}
                return portal_response(request, "assessments/portal/error.html", context, status=exc.status)

        return never_cache(wrapper)

    return decorate


def respondent_name(request: HttpRequest) -> str:
    return str(request.session.get(NAME_SESSION_KEY) or "")


def link_respondent(request: HttpRequest, link: PortalLink) -> Respondent | None:
    """The named visitor, or None before they gave their name. On a write, the audit trail is told
    who it is (there is no user account behind a portal visitor)."""
    name = respondent_name(request)
    if not name:
        return None
    if request.method == "POST":
        set_current_actor(None, f"portal: {link.organisation} / {name}")
    return Respondent(name=name, user=None, from_party=True)


def need_respondent(request: HttpRequest, link: PortalLink) -> Respondent:
    respondent = link_respondent(request, link)
    if respondent is None:
        raise RenkeiError(_("Enter your name before changing anything: it is shown beside your changes."), field_name="name")
    return respondent


def base_context(request: HttpRequest, link: PortalLink, title: Any) -> dict[str, Any]:
    return {
        "title": title,
        "link": link,
        "company": link.group_company,
        "party": link.organisation,
        "respondent_name": respondent_name(request),
    }


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
    context = {**base_context(request, link, _("Your name")), "form": form, "next": _safe_next(request)}
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
