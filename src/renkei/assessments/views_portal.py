"""The partner portal (no login).

A portal link (`/portal/<token>/`) is exchanged for a mark in the browser's session and the browser
is sent on to a URL without the token, so the token does not linger in the address bar, history or
logs. Every portal page then re-reads the link from the session and checks it is still valid (not
expired, not revoked): a revoked link stops working at once, also for a browser that opened it
before. Everything a page shows is reached through the link's party: an assessment of another
party answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_find, portal_link_touch

SESSION_KEY = "renkei_portal_link"
NAME_SESSION_KEY = "renkei_portal_name"


def public_language(request: HttpRequest) -> None:
    """`?lang=en` / `?lang=ja` switches the portal's language for this browser's session."""
    language = request.GET.get("lang")
    if language in {"ja", "en"}:
        request.session["language"] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def portal_response(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Content-Language"] = translation.get_language()
    # Answers and evidence names must not stay in shared caches or the back button of a shared PC.
    response["Cache-Control"] = "no-store"
    # Not "no-referrer": browsers then send `Origin: null` on POSTs and the CSRF check refuses them.
    response["Referrer-Policy"] = "same-origin"
    return response


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
    request.session[SESSION_KEY] = link.pk
    portal_link_touch(link)
    target = reverse("portal:home")
    if request.GET.get("lang") in {"ja", "en"}:
        target += f"?lang={request.GET['lang']}"
    return HttpResponseRedirect(target)


def urlpatterns() -> list[URLPattern]:
    return [
        path("t/<str:token>/", enter, name="enter"),
    ]
