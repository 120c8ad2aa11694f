"""What a user limited to some group companies is told about a party outside them: not its name.

A record in the user's scope (a relationship, an incident) may point to an organisation managed by
another group company. The record is shown; the organisation is not: wherever such a reference is
named (pages, API, exports, the audit trail, the blast radius), it reads 「範囲外の取引先」. The rule is
the one `permissions.visible` applies to the organisation itself, decided here for every caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
