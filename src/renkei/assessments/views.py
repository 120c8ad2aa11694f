"""The base views and helpers shared by the staff pages of the sub-packages.

Reads need `Action.VIEW` (every role, scoped to the user's group companies); writes need
`Action.CHANGE_ASSESSMENTS`. Objects are reached through `permissions.visible`, so an object of a
group company outside the user's scope answers 404. The bases are the generic views of `core.views`
and the action and confirmation shapes, with the assessments permissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from renkei.core.permissions import Action, can
from renkei.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from renkei.incidents.view_base import ActionView, ConfirmView

READ = Action.VIEW
WRITE = Action.CHANGE_ASSESSMENTS
PAGE_SIZE = 25


class StaffListView(ObjectListView):
    """A generic list whose write buttons follow the assessments write permission."""

    permission_action = READ

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = can(self.request.user, WRITE)
        return ctx


class StaffDetailView(ObjectDetailView):
    permission_action = READ
    change_action = WRITE


class StaffEditView(ObjectEditView):
    permission_action = WRITE


class StaffDeleteView(ObjectDeleteView):
    permission_action = WRITE


class StaffActionView(ActionView):
    """POST-only action on one object (see incidents.view_base.ActionView)."""

    permission_action = WRITE


class StaffConfirmView(ConfirmView):
    """Explain a one-off action (GET), run it (POST)."""

    permission_action = WRITE
    template_name = "assessments/confirm.html"

    def extra_context(self, target: Any) -> dict[str, Any]:
        """More for the page: `details` (lines), `danger`, `cancel_url`, or a computed `explanation`."""
        return {}

    def render_page(self, target: Any, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        context = {
            "title": self.title,
            "explanation": self.explanation,
            "button": self.button,
            "form": form,
            "object": target,
            "error": error,
            **self.extra_context(target),
        }
        return render(self.request, self.template_name, context, status=status)


def optional_url(name: str, *args: Any) -> str | None:
    """The URL of a page another part of the app may not provide yet (Excel, answering, evidence)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def paginate(request: HttpRequest, items: Sequence[Any] | Any, *, param: str = "page", per_page: int = PAGE_SIZE) -> Page:
    """One page of a list or queryset; an out-of-range or malformed page number gives the last/first page."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def querystring(request: HttpRequest, *drop: str) -> str:
    """The current query string without the given parameters (for pagination and sort links)."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
