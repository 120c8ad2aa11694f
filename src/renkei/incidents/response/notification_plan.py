"""Whom to notify about an incident, why and by when: a pure function over plain data.

`build_plan` returns entries in the order they should be worked through:

1. our CSIRT, then the internal escalation chain (CISO and superiors by escalation level);
2. every party between us and each breached party (the notice chain from the chain engine's blast
   radius, plus any other party upstream of it), and the breached party itself — each must pass
   the notice up to its client;
3. the principal, when we are the contractor: notifying it promptly replaces our own report;
4. our other group companies that own the exposed data, use the breached party, or are the
   breached party themselves;
5. public bodies: the PPC (preliminary and final report) while a report is required *or not yet
   determined* (provisionally then) and we are not the contractor; IPA, JPCERT/CC, the police and
   the sector regulator as configured;
6. the affected persons, on the same condition as the PPC (the principal does it when we are the
   contractor).

The legal deadlines (PPC, persons, principal) come from `deadlines.clock_schedule`, the one source
that tasks and countdowns follow too. Every entry carries a stable `key`, so regenerating the plan
can keep entries a user edited and update only the untouched ones. Deadlines are absolute (aware)
datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from renkei.incidents.response import deadlines as clock
from renkei.incidents.response.deadlines import AppiAssessment, AppiDeadlines

# How soon after learning each internal or partner notice is due (hours). Internal first: the
# CSIRT and the escalation chain must know before partners are contacted.
CSIRT_HOURS = 1
ESCALATION_HOURS_PER_LEVEL = 1
CISO_HOURS = 2
CHAIN_HOURS = 24
PRINCIPAL_HOURS = clock.PRINCIPAL_HOURS
GROUP_COMPANY_HOURS = 24
ADVISORY_BODY_HOURS = 72

INTERNAL = "internal"
CSIRT = "csirt"
CHAIN = "chain"
PRINCIPAL = "principal"
GROUP_COMPANY = "group_company"
PUBLIC_BODY = "public_body"
INDIVIDUALS = "individuals"

ADVISORY_BODY_KINDS = ("ipa", "jpcert", "police", "regulator")
DEFAULT_ADVISORY_KINDS = frozenset({"ipa", "jpcert", "police"})


@dataclass(frozen=True)
class Party:
    id: int
    name: str


@dataclass(frozen=True)
class Role:
    """A response role (ResponseRole) as plain data."""

    id: int
    kind: str
    name: str
    organisation_name: str = ""
    escalation_level: int = 0

    @property
    def label(self) -> str:
        return f"{self.organisation_name} {self.name}".strip() if self.organisation_name else self.name


@dataclass(frozen=True)
class NoticeChain:
    """One breached party and who stands between us and it.

    `path` runs from our side down to the breached party, ours left out (tier 1 first, the breached
    party last); `others` are further parties upstream of the breached one on other paths.
    """

    breached: Party
    path: tuple[Party, ...]
    others: tuple[Party, ...] = ()


@dataclass(frozen=True)
class AffectedCompany:
    party: Party
    owns_exposed_data: bool = False
    uses_breached_party: bool = False
    # The group company is itself one of the breached parties (it does not "use" itself).
    is_breached: bool = False


@dataclass(frozen=True)
class PlanInput:
    learned_at: dt.datetime
    assessment: AppiAssessment
    deadlines: AppiDeadlines
    roles: tuple[Role, ...] = ()
    chains: tuple[NoticeChain, ...] = ()
    principal: Party | None = None
    group_companies: tuple[AffectedCompany, ...] = ()
    persons_estimate: int | None = None
    # Public bodies (other than the PPC) to list when registered; the PPC follows the law instead.
    advisory_kinds: frozenset[str] = DEFAULT_ADVISORY_KINDS


@dataclass
class PlanEntry:
    key: str
    category: str
    recipient: str
    reason: str
    deadline: dt.datetime | None
    organisation_id: int | None = None
    role_id: int | None = None
    order: int = 0


def _after(start: dt.datetime, hours: int) -> dt.datetime:
    return start + dt.timedelta(hours=hours)


def _internal(data: PlanInput) -> list[PlanEntry]:
    entries = []
    # CSIRT first, then the escalation chain level by level, then the CISO at its top.
    for role in sorted(data.roles, key=lambda r: (r.kind != CSIRT, r.kind == "ciso", r.escalation_level, r.id)):
        if role.kind == CSIRT:
            hours, category, reason = CSIRT_HOURS, CSIRT, _("CSIRT member: starts the response.")
        elif role.kind == "ciso":
            hours, category, reason = CISO_HOURS, INTERNAL, _("CISO: decides on the response and publication.")
        elif role.kind == "escalation":
            level = max(role.escalation_level, 1)
            hours, category = level * ESCALATION_HOURS_PER_LEVEL, INTERNAL
            reason = _("Internal escalation, level {level}.").format(level=level)
        else:
            continue
        entries.append(
            PlanEntry(
                key=f"role:{role.id}",
                category=category,
                recipient=role.label,
                reason=reason,
                deadline=_after(data.learned_at, hours),
                role_id=role.id,
            )
        )
    # Without registered members the plan still reminds whom to tell: a placeholder per group.
    kinds = {r.kind for r in data.roles}
    if CSIRT not in kinds:
        entries.insert(
            0,
            PlanEntry(
                "csirt",
                CSIRT,
                _("CSIRT"),
                _("Register the CSIRT members under response roles."),
                _after(data.learned_at, CSIRT_HOURS),
            ),
        )
    if not kinds & {"ciso", "escalation"}:
        entries.append(
            PlanEntry(
                "escalation",
                INTERNAL,
                _("Management (escalation chain)"),
                _("Register the CISO and the escalation chain under response roles."),
                _after(data.learned_at, CISO_HOURS),
            )
        )
    return entries


def _chain(data: PlanInput) -> list[PlanEntry]:
    entries: list[PlanEntry] = []
    seen: set[int] = set()
    deadline = _after(data.learned_at, CHAIN_HOURS)
    for chain in data.chains:
        for party in chain.path:
            if party.id in seen:
                continue
            seen.add(party.id)
            if party.id == chain.breached.id:
                reason = _("The breached party: ask for its incident report and keep it informed.")
            else:
                reason = _(
                    "Between us and {breached}: must pass the notice up and confirm what it holds of ours."
                ).format(breached=chain.breached.name)
            entries.append(
                PlanEntry(f"chain:{party.id}", CHAIN, party.name, reason, deadline, organisation_id=party.id)
            )
        for party in chain.others:
            if party.id in seen:
                continue
            seen.add(party.id)
            reason = _("Also upstream of {breached} on another path: must pass the notice up.").format(
                breached=chain.breached.name
            )
            entries.append(
                PlanEntry(f"chain:{party.id}", CHAIN, party.name, reason, deadline, organisation_id=party.id)
            )
        if chain.breached.id not in seen:
            seen.add(chain.breached.id)
            reason = _("The breached party: ask for its incident report and keep it informed.")
            entries.append(
                PlanEntry(
                    f"chain:{chain.breached.id}",
                    CHAIN,
                    chain.breached.name,
                    reason,
                    deadline,
                    organisation_id=chain.breached.id,
                )
            )
    return entries


def _schedule(data: PlanInput) -> dict[str, clock.ClockItem]:
    return clock.clock_schedule(data.assessment, data.deadlines)


def _provisional(reason: str, item: clock.ClockItem) -> str:
    if not item.provisional:
        return reason
    return reason + " " + _("Provisional: the APPI decision is not final yet.")


def _principal(data: PlanInput) -> list[PlanEntry]:
    item = _schedule(data).get(clock.PRINCIPAL)
    if item is None:
        return []
    name = data.principal.name if data.principal else _("(principal not set)")
    reason = _(
        "We are the contractor: notify the principal promptly. This replaces our own report to the "
        "PPC; the principal reports and notifies the persons."
    )
    return [
        PlanEntry(
            "principal",
            PRINCIPAL,
            name,
            reason,
            item.due,
            organisation_id=data.principal.id if data.principal else None,
        )
    ]


def _group_companies(data: PlanInput) -> list[PlanEntry]:
    entries = []
    for company in data.group_companies:
        reasons = []
        if company.is_breached:
            reasons.append(
                _("This group company is the breached party: ask for its incident report and keep it informed.")
            )
        if company.owns_exposed_data and not company.is_breached:
            reasons.append(_("Owns data the breached party holds."))
        if company.uses_breached_party and not company.is_breached:
            reasons.append(_("Uses the breached party, directly or through others."))
        entries.append(
            PlanEntry(
                f"group:{company.party.id}",
                GROUP_COMPANY,
                company.party.name,
                " ".join(reasons) or _("Group company concerned."),
                _after(data.learned_at, GROUP_COMPANY_HOURS),
                organisation_id=company.party.id,
            )
        )
    return entries


def _public_bodies(data: PlanInput) -> list[PlanEntry]:
    entries: list[PlanEntry] = []
    deadlines = data.deadlines
    schedule = _schedule(data)
    ppc_roles = [r for r in data.roles if r.kind == "ppc"]
    preliminary, final = schedule.get(clock.PPC_PRELIMINARY), schedule.get(clock.PPC_FINAL)
    if preliminary is not None and final is not None:
        ppc = ppc_roles[0] if ppc_roles else None
        name = ppc.label if ppc else _("Personal Information Protection Commission")
        reason = _("Preliminary report (速報): promptly, about days {start}–{end} (the day of learning is day 1).")
        start = (deadlines.prelim_from.date() - deadlines.learned_at.date()).days + 1
        end = (deadlines.prelim_until.date() - deadlines.learned_at.date()).days + 1
        entries.append(
            PlanEntry(
                clock.PPC_PRELIMINARY,
                PUBLIC_BODY,
                name,
                _provisional(reason.format(start=start, end=end), preliminary),
                preliminary.due,
                role_id=ppc.id if ppc else None,
            )
        )
        if deadlines.final_known:
            reason = _("Final report (確報): by day {days} (the day of learning is day 1).").format(
                days=deadlines.final_days
            )
        else:
            reason = _(
                "Final report (確報): by day 30, or by day 60 ({date60}) if a wrongful purpose is confirmed."
            ).format(date60=f"{deadlines.final_60.target:%Y-%m-%d}")
        if final.latest is not None:
            reason += " " + _("That day is a weekend or holiday: at the latest {date}.").format(
                date=f"{final.latest:%Y-%m-%d}"
            )
        entries.append(
            PlanEntry(
                clock.PPC_FINAL,
                PUBLIC_BODY,
                name,
                _provisional(reason, final),
                final.due,
                role_id=ppc.id if ppc else None,
            )
        )
    for kind in ADVISORY_BODY_KINDS:
        if kind not in data.advisory_kinds:
            continue
        for role in (r for r in data.roles if r.kind == kind):
            if kind == "police":
                reason = _("Report the crime to the police cyber desk; keep the evidence.")
            elif kind == "regulator":
                reason = _("Report to the sector's regulator as its rules require.")
            else:
                reason = _("Share the incident so others can be warned (recommended).")
            entries.append(
                PlanEntry(
                    f"role:{role.id}",
                    PUBLIC_BODY,
                    role.label,
                    reason,
                    _after(data.learned_at, ADVISORY_BODY_HOURS),
                    role_id=role.id,
                )
            )
    return entries


def _individuals(data: PlanInput) -> list[PlanEntry]:
    item = _schedule(data).get(clock.INDIVIDUALS)
    if item is None:
        return []
    if data.persons_estimate:
        recipient = _("Affected persons (about {n})").format(n=f"{data.persons_estimate:,}")
    else:
        recipient = _("Affected persons")
    reason = _(
        "Notify the persons promptly, as the situation allows: what happened, the data items, the "
        "cause, secondary damage and whom to contact."
    )
    return [PlanEntry(clock.INDIVIDUALS, INDIVIDUALS, recipient, _provisional(reason, item), item.due)]


def build_plan(data: PlanInput) -> list[PlanEntry]:
    """The notification plan for one incident (see the module doc for the order and the rules)."""
    entries = [
        *_internal(data),
        *_chain(data),
        *_principal(data),
        *_group_companies(data),
        *_public_bodies(data),
        *_individuals(data),
    ]
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.key in seen:
            continue
        seen.add(entry.key)
        unique.append(entry)
    for position, entry in enumerate(unique, start=1):
        entry.order = position * 10
    return unique


def chains_from_blast_radius(
    *, breached: Party, notice_chain: Iterable[Party], upstream: Iterable[Party], ours: set[int]
) -> NoticeChain:
    """A NoticeChain from the chain engine's blast radius of one party (our companies left out)."""
    path = tuple(p for p in notice_chain if p.id not in ours)
    on_path = {p.id for p in path} | {breached.id}
    others = tuple(p for p in upstream if p.id not in ours and p.id not in on_path)
    return NoticeChain(breached=breached, path=path, others=others)
