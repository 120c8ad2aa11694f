"""Tenancy: our group companies, the own company among them, and which of them a user may act for.

Core does not import the registry. The group-company model is named by the setting
`RENKEI_GROUP_COMPANY_MODEL` (like `AUTH_USER_MODEL`) and looked up through the app registry; it
must provide `OWN_KINDS` (the values of its `kind` field that make a record one of our group
companies) and the class methods `own()` (the own company, at most one) and `group_companies()`
(the own company and its group companies, as a queryset). See docs/architecture.md, "Tenancy".
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models


def group_company_model() -> Any:
    """The model our group companies are records of (`settings.RENKEI_GROUP_COMPANY_MODEL`)."""
    return apps.get_model(settings.RENKEI_GROUP_COMPANY_MODEL)


def group_companies() -> models.QuerySet[Any]:
    """The own company and the group companies (not filtered by any user's scope)."""
    return group_company_model().group_companies()  # type: ignore[no-any-return]


def is_group_company(organisation: Any) -> bool:
    """Whether the organisation is one of ours (the own company or a group company)."""
    return organisation.kind in group_company_model().OWN_KINDS


def own_company() -> Any | None:
    """The own company (the headquarters' legal entity), if registered."""
    return group_company_model().own()


def allowed_company_ids(user: Any) -> set[int] | None:
    """The group companies a user is limited to, or None for an unrestricted (headquarters) user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_renkei_company_ids", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    ids = set(user.group_companies.values_list("pk", flat=True))
    result = ids or None
    user._renkei_company_ids = result
    return result


def is_unrestricted(user: Any) -> bool:
    """A headquarters user: not limited to some group companies, so sees and acts for all of them.

    An anonymous user is never unrestricted.
    """
    return allowed_company_ids(user) is None


def may_use_company(user: Any, company_id: int | None) -> bool:
    """Whether the user may put a record under this group company."""
    ids = allowed_company_ids(user)
    return ids is None or company_id in ids


def default_group_company_id(user: Any) -> int | None:
    """New records belong to the own company unless the user is limited to other group companies.

    Without a user (commands, tasks) the own company.
    """
    ids = allowed_company_ids(user) if user is not None else None
    own = own_company()
    if ids is None:
        return own.pk if own else None
    if own and own.pk in ids:
        return own.pk
    return min(ids) if ids else None
