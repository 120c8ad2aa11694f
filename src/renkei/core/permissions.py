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

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    ADMIN = "admin", "administrator"
    ANALYST = "analyst", "analyst"
    CSIRT = "csirt", "CSIRT"
    VIEWER = "viewer", "viewer"


class Action:
    VIEW = "view"
    CHANGE_REGISTRY = "registry.change"
    CHANGE_INCIDENTS = "incidents.change"
    CHANGE_ASSESSMENTS = "assessments.change"
    VIEW_INCIDENTS = "incidents.view"
    ADMINISTER = "administer"
    VIEW_AUDIT = "audit.view"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Action.VIEW,
            Action.CHANGE_REGISTRY,
            Action.CHANGE_INCIDENTS,
            Action.VIEW_INCIDENTS,
            Action.CHANGE_ASSESSMENTS,
            Action.ADMINISTER,
            Action.VIEW_AUDIT,
        }
    ),
    Role.ANALYST: frozenset({Action.VIEW, Action.CHANGE_REGISTRY, Action.CHANGE_ASSESSMENTS}),
    Role.CSIRT: frozenset({Action.VIEW, Action.CHANGE_INCIDENTS, Action.VIEW_INCIDENTS}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def can(user: Any, action: str) -> bool:
    """Whether the user's role grants the action."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return action in ROLE_ACTIONS.get(getattr(user, "role", ""), frozenset())


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied (403) unless the user's role grants the action."""
    if not can(user, action):
        raise PermissionDenied(_("You do not have permission to do this."))


def allowed_company_ids(user: Any) -> set[int] | None:
    """The group companies a user is limited to, or None for an unlimited (headquarters) user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_renkei_company_ids", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    ids = set(user.group_companies.values_list("pk", flat=True))
    result = ids or None
    user._renkei_company_ids = result
    return result


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
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def may_use_company(user: Any, company_id: int | None) -> bool:
    """Whether the user may put a record under this group company."""
    ids = allowed_company_ids(user)
    return ids is None or company_id in ids
