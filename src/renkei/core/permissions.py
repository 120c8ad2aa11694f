"""The one permission mechanism: roles grant actions, group-company scope restricts querysets.

Every view, API endpoint and command reaches objects through `visible()` (or
`get_visible_or_404()`), so an object outside the user's scope answers 404, never the object.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from renkei.core.tenancy import allowed_company_ids

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    ADMIN = "admin", "administrator"
    ANALYST = "analyst", "analyst"
    CSIRT = "csirt", "CSIRT"
    VIEWER = "viewer", "viewer"


class Action:
    """The actions core itself checks; each app declares its own in its `permissions.py`."""

    VIEW = "view"
    ADMINISTER = "administer"
    VIEW_AUDIT = "audit.view"


# Which actions each role grants. Core's own grants are here; every app adds its actions through
# `register_actions()` when its `permissions` module is imported (from the app's `ready()`).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.ADMINISTER, Action.VIEW_AUDIT}),
    Role.ANALYST: frozenset({Action.VIEW}),
    Role.CSIRT: frozenset({Action.VIEW}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def register_actions(grants: dict[str, set[str]]) -> None:
    """Grant an app's actions to roles (idempotent: importing the module twice changes nothing)."""
    for role, actions in grants.items():
        if role not in ROLE_ACTIONS:
            raise ValueError(f"unknown role {role!r}")
        ROLE_ACTIONS[role] = ROLE_ACTIONS[role] | frozenset(actions)


def can(user: Any, action: str) -> bool:
    """Whether the user's role grants the action."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return action in ROLE_ACTIONS.get(getattr(user, "role", ""), frozenset())


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied (403) unless the user's role grants the action."""
    if not can(user, action):
        raise PermissionDenied(_("You do not have permission to do this."))


def scope_field(model: type[models.Model]) -> str:
    """The lookup from a model to the group company its records belong to."""
    return getattr(model, "scope_lookup", "group_company")


def visible(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """Restrict a queryset to what the user may see.

    A model with `scope_shared_when_null = True` (e.g. the built-in assessment frameworks) also
    shows its records without a group company to everybody: they belong to the whole group.
    """
    if not can(user, Action.VIEW):
        return queryset.none()
    ids = allowed_company_ids(user)
    if ids is None:
        return queryset
    field = scope_field(queryset.model)
    if getattr(queryset.model, "scope_shared_when_null", False):
        return queryset.filter(Q(**{f"{field}__in": ids}) | Q(**{f"{field}__isnull": True}))
    return queryset.filter(**{f"{field}__in": ids})


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One object the user may see, or 404 (an object outside the scope is 'not found')."""
    try:
        return visible(queryset, user).get(**lookup)
    # OverflowError: an id beyond a database integer (SQLite's driver refuses it) is not found either.
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(_("Not found.")) from exc
