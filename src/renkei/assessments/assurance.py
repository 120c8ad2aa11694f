"""Which assurance level a party owes us, and when it is next due for assessment. Pure: no ORM.

The rule is the SCS scheme's guidance on what to ask of a supplier (standards-ja.md §1): ★4 when
the supplier's systems hold our important confidential information, when its stopping would delay
us beyond what we can accept, or when it can reach our internal systems; otherwise ★3. From the
registry these read as: it holds one of our assets classified confidential or strictly
confidential, or with personal information; its criticality is "critical"; it has VPN or
administrative access to one of our systems.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SCS3 = "scs3"
SCS4 = "scs4"
CONFIDENTIAL_CLASSES = ("confidential", "strict")
INTERNAL_ACCESS_LEVELS = ("vpn", "admin")
BUSINESS_CRITICAL = "critical"


@dataclass(frozen=True)
class HeldAsset:
    name: str
    classification: str
    personal: bool = False


@dataclass(frozen=True)
class Access:
    system: str
    level: str


@dataclass
class PartyFacts:
    criticality: str
    held_assets: Sequence[HeldAsset] = ()
    access: Sequence[Access] = ()


@dataclass
class Proposal:
    level: str
    reasons: list[str] = field(default_factory=list)


def propose_level(facts: PartyFacts) -> Proposal:
    """★4 with the reasons that call for it, or ★3 with the reason none applies."""
    reasons: list[str] = []
    confidential = sorted({a.name for a in facts.held_assets if a.classification in CONFIDENTIAL_CLASSES or a.personal})
    if confidential:
        reasons.append(
            _("Holds our confidential information: {assets}").format(assets=", ".join(confidential[:5]))
            + ("…" if len(confidential) > 5 else "")
        )
    if facts.criticality == BUSINESS_CRITICAL:
        reasons.append(_("Its stopping would delay our business beyond what we can accept (criticality: critical)"))
    internal = sorted({f"{a.system} ({a.level.upper()})" for a in facts.access if a.level in INTERNAL_ACCESS_LEVELS})
    if internal:
        reasons.append(_("Can reach our internal systems: {systems}").format(systems=", ".join(internal[:5])))
    if reasons:
        return Proposal(level=SCS4, reasons=reasons)
    return Proposal(
        level=SCS3,
        reasons=[_("Holds none of our confidential information, is not business-critical and cannot reach our internal systems")],
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, on the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(last_assessed: dt.date | None, interval_months: int) -> dt.date | None:
    """When the next assessment is due; None when the party was never assessed (due now)."""
    if last_assessed is None:
        return None
    return add_months(last_assessed, interval_months)


def is_overdue(last_assessed: dt.date | None, interval_months: int, today: dt.date) -> bool:
    """A party never assessed is due now; otherwise once its next due date has passed (the cycle
    alone: see `is_party_overdue` for what the pages call overdue)."""
    due = next_due(last_assessed, interval_months)
    return due is None or due < today


def is_party_overdue(
    *, last_assessed: dt.date | None, interval_months: int, today: dt.date, underway: bool, open_due: dt.date | None
) -> bool:
    """The one meaning of "overdue for assessment" (点検期限切れ) on the dashboard, the parties
    page, the party page and the API: a deadline has passed. While an assessment is underway
    (open or waiting for our review), its own due date is the deadline: overdue once an open one is
    past it. Otherwise the cycle is: overdue when never assessed or past the next due date.
    A party being reassessed on time is therefore not counted, though its cycle has lapsed."""
    if open_due is not None and open_due < today:
        return True
    if underway:
        return False
    return is_overdue(last_assessed, interval_months, today)
