"""The base views and helpers shared by the staff pages of the sub-packages.

Reads need `Action.VIEW` (every role, scoped to the user's group companies); writes need
`CHANGE_ASSESSMENTS`. Objects are reached through `permissions.visible`, so an object of a
group company outside the user's scope answers 404. The bases are the generic views of
`core.views`, with the assessments permissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.permissions import Action
from renkei.core.views.actions import ActionView, ConfirmView
from renkei.core.views.objects import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

READ = Action.VIEW
WRITE = CHANGE_ASSESSMENTS
PAGE_SIZE = 25


class StaffAccess:
    """Staff pages are seen with core's `view` and written with `assessments.change`
    (put first in a view's bases, before the core generic view)."""

    permission_action = READ
    change_action = WRITE


class StaffListView(StaffAccess, ObjectListView):
    """A generic list whose write buttons follow the assessments write permission."""


class StaffDetailView(StaffAccess, ObjectDetailView):
    pass


class StaffEditView(StaffAccess, ObjectEditView):
    pass


class StaffDeleteView(StaffAccess, ObjectDeleteView):
    pass


class StaffActionView(StaffAccess, ActionView):
    """POST-only action on one object (see core.views.actions.ActionView)."""


class StaffConfirmView(StaffAccess, ConfirmView):
    """Explain a one-off action (GET), run it (POST)."""

    template_name = "assessments/confirm.html"
    cancel_url_name = "assessments:party_list"


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
