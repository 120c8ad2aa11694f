"""What a user limited to some group companies is told about a party outside them: not its name.

A record in the user's scope (a relationship, an incident) may point to an organisation managed by
another group company. The record is shown; the organisation is not: wherever such a reference is
named (pages, API, exports, the audit trail, the blast radius), it reads 「範囲外の取引先」. The rule is
the one `permissions.visible` applies to the organisation itself, decided here for every caller.

Hiding the name on the page is not enough: a search that matches it, or a sort by it, tells the
name too. `scope_party_lookups` makes a filter read such a party's columns only when it is in scope,
and `party_ordering` sorts out-of-scope parties last, in an order that does not depend on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import OrderBy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from renkei.core.permissions import Action, can
from renkei.core.tenancy import allowed_company_ids, group_company_model

OUT_OF_SCOPE_PARTY: Promise = gettext_lazy("Out-of-scope party")


def party_in_scope(user: Any, organisation: Any) -> bool:
    """Whether the user may see this organisation (its name, its page). No query: the organisation's
    `group_company_id` decides. `user=None` is the system (commands, tasks): it sees everything."""
    if user is None:
        return True
    if not can(user, Action.VIEW):
        return False
    ids = allowed_company_ids(user)
    return ids is None or organisation.group_company_id in ids


def party_name(user: Any, organisation: Any) -> str:
    """The organisation's name, or 「範囲外の取引先」 when it is outside the user's scope."""
    if organisation is None:
        return ""
    return str(organisation.name) if party_in_scope(user, organisation) else str(OUT_OF_SCOPE_PARTY)


def names_in_scope(user: Any, names: Iterable[str]) -> set[str]:
    """Which of these organisation names the user may see (one query): for texts that kept a name
    but not the id, such as the audit trail's record of a changed reference."""
    wanted = {n for n in names if n}
    if user is None:
        return wanted
    if not wanted or not can(user, Action.VIEW):
        return set()
    organisations = group_company_model().objects.filter(name__in=wanted)
    ids = allowed_company_ids(user)
    if ids is not None:
        organisations = organisations.filter(group_company_id__in=ids)
    return set(organisations.values_list("name", flat=True))


def _party_paths(model: type[models.Model], lookup: str) -> list[str]:
    """The organisations a lookup reads more than the id of, as paths from `model`:
    `["provider"]` for "provider__search_text__contains", none for "provider_id" or "provider__pk"."""
    party_model = group_company_model()
    paths: list[str] = []
    path: list[str] = []
    current: Any = model
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            break  # a lookup such as "contains" or "in"
        if current is party_model and path and not field.primary_key:
            paths.append(LOOKUP_SEP.join(path))
        if not field.is_relation or field.related_model is None or part != field.name:
            break  # a column, or "provider_id" (the id, not the party)
        path.append(part)
        current = field.related_model
    return paths


def _in_scope(path: str, ids: set[int]) -> Q:
    return Q(**{f"{path}{LOOKUP_SEP}group_company__in": ids})


def scope_party_lookups(user: Any, model: type[models.Model], condition: Q) -> Q:
    """`condition` (a list search, API filters) where every test of another organisation's columns
    (its name, its search text) holds only for an organisation in the user's scope, so a search by the
    name of a hidden party never finds its rows. Unchanged for an unrestricted user or the system."""
    ids = allowed_company_ids(user) if user is not None else None
    if ids is None:
        return condition
    return _guard(model, condition, ids)


def _guard(model: type[models.Model], condition: Q, ids: set[int]) -> Q:
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_guard(model, child, ids))
        elif isinstance(child, tuple):
            guards = [_in_scope(path, ids) for path in _party_paths(model, child[0])]
            children.append(Q(child, *guards) if guards else child)
        else:
            children.append(child)
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def party_ordering(user: Any, model: type[models.Model], *fields: Any) -> list[Any]:
    """`order_by` arguments where a field of another organisation (a name, a sort key) sorts only the
    organisations in the user's scope; the others come last, and the fields after (finally the pk)
    order them, so their order tells nothing of their names. Unchanged for an unrestricted user."""
    ids = allowed_company_ids(user) if user is not None else None
    if ids is None:
        return list(fields)
    ordering: list[Any] = []
    for field in fields:
        name = field.lstrip("-") if isinstance(field, str) else ""
        paths = _party_paths(model, name) if name else []
        if not paths:
            ordering.append(field)
            continue
        shown = Case(When(Q(*(_in_scope(path, ids) for path in paths)), then=F(name)), default=None)
        descending = field.startswith("-")
        ordering.append(OrderBy(shown, descending=descending, nulls_last=True))
    return ordering
