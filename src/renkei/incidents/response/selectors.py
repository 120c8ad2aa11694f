"""Reads of incident response: lists, the involved parties' blast radius (one typed call into
chain for all of them), the APPI panel, the task board, the plan's input from the registry, the
dashboard card and the report's nine items (which `documents` turns into drafts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.chain.selectors import NamedBlastRadius, OrgRef, blast_radius_for
from renkei.core.errors import RenkeiError
from renkei.core.permissions import can, visible
from renkei.core.search import search_condition
from renkei.core.tenancy import group_companies, own_company
from renkei.incidents.permissions import VIEW_INCIDENTS
from renkei.incidents.response import deadlines as appi
from renkei.incidents.response.models import (
    PUBLIC_BODY_KINDS,
    Incident,
    IncidentStatus,
    IncidentTask,
    NotificationEntry,
    NotificationStatus,
    OurRole,
    ResponseRole,
    TaskStatus,
)
from renkei.incidents.response.notification_plan import (
    AffectedCompany,
    NoticeChain,
    Party,
    PlanInput,
    Role,
    chains_from_blast_radius,
)
from renkei.registry.models import Organisation

PRELIM_END_DAYS = appi.PRELIM_END_DAY
DONE_STATES = (NotificationStatus.SENT, NotificationStatus.ACKNOWLEDGED)
DEADLINE_KEYS = (appi.PPC_PRELIMINARY, appi.PPC_FINAL, appi.PRINCIPAL)


def incidents(*, user: Any, drills: bool | None = False) -> QuerySet[Incident]:
    """Incidents the user may see; real ones only by default (drills stay out of every count)."""
    qs = visible(Incident.objects.select_related("group_company"), user)
    if drills is not None:
        qs = qs.filter(is_drill=drills)
    return qs


def open_incident_count(*, user: Any) -> int:
    return incidents(user=user).exclude(status=IncidentStatus.CLOSED).count()


# --- the blast radius of the parties involved --------------------------------------------------------


# The involved parties' blast radii by party id (chain's typed result; the only arrow into chain).
Radii = dict[int, NamedBlastRadius]


def blast_radii(parties: Iterable[Organisation]) -> Radii:
    """The involved parties' blast radii by party id, from one load of the chain graph (system
    view: the prefill and the plan must see the whole chain). A party outside the graph has none;
    without an own company registered there is nothing to prefill."""
    try:
        return blast_radius_for(party_ids=[p.pk for p in parties])
    except RenkeiError:
        return {}


def _roles_for(incident: Incident) -> list[ResponseRole]:
    """The company's roles; public bodies fall back to the own company's register."""
    roles = list(ResponseRole.objects.filter(group_company_id=incident.group_company_id))
    kinds = {r.kind for r in roles}
    missing = [k for k in PUBLIC_BODY_KINDS if k not in kinds]
    if missing:
        roles += list(
            ResponseRole.objects.filter(
                group_company=own_company(), kind__in=missing
            ).exclude(group_company_id=incident.group_company_id)
        )
    return roles


def assessment_for(incident: Incident) -> appi.AppiAssessment:
    return appi.appi_assessment(
        sensitive=incident.appi_sensitive,
        financial_risk=incident.appi_financial_risk,
        wrongful_purpose=incident.appi_wrongful_purpose,
        persons=incident.persons_estimate,
        encrypted=incident.appi_encrypted,
        key_leaked=incident.appi_key_leaked,
        our_role=incident.our_role,
    )


def deadlines_for(incident: Incident) -> appi.AppiDeadlines:
    # Day 1 is the day of learning: a window starting "on day 0" (older data) starts on day 1.
    start = max(1, incident.prelim_start_days or 1)
    return appi.appi_deadlines(
        learned_at=incident.learned_at,
        wrongful_purpose=incident.appi_wrongful_purpose,
        prelim_start_days=start,
        prelim_end_days=max(PRELIM_END_DAYS, start),
    )


def clock_for(incident: Incident) -> dict[str, appi.ClockItem]:
    """The deadlines that apply to the incident now, by key (tasks, plan and countdowns follow them)."""
    return appi.clock_schedule(assessment_for(incident), deadlines_for(incident))


def clock_differs(entry: NotificationEntry, clock: dict[str, appi.ClockItem]) -> dt.datetime | str | None:
    """For a plan entry a user edited and not sent yet: the clock's date when it differs from the
    entry's, "none" when the clock no longer lists it; None otherwise (untouched entries follow the
    clock)."""
    if not entry.edited or entry.generated_key not in appi.CLOCK_KEYS or entry.status in DONE_STATES:
        return None
    item = clock.get(entry.generated_key)
    if item is None:
        return "none"
    return item.due if item.due != entry.deadline else None


def persons_proposal(incident: Incident) -> appi.PersonsProposal:
    """Persons affected as the affected assets' person counts suggest (records are never used)."""
    return appi.persons_proposal(list(incident.assets.values_list("persons", flat=True)))


def plan_input(incident: Incident, *, radii: Radii | None = None) -> PlanInput:
    """The notification plan's plain-data input, built from the incident and the registry.

    `radii`: the involved parties' blast radii when the caller has them (opening an incident
    computes them once for the prefill and the plan); otherwise they are computed here.
    """
    ours = set(group_companies().values_list("pk", flat=True))
    chains: list[NoticeChain] = []
    companies: dict[int, AffectedCompany] = {}
    parties = list(incident.parties.all())
    if radii is None:
        radii = blast_radii(parties)

    def as_parties(refs: list[OrgRef]) -> list[Party]:
        return [Party(r.id, r.name) for r in refs if r.id is not None]

    for party in parties:
        radius = radii.get(party.pk)
        if radius is None:
            chains.append(NoticeChain(breached=Party(party.pk, party.name), path=()))
            continue
        if party.pk not in ours:
            chains.append(
                chains_from_blast_radius(
                    breached=Party(party.pk, party.name),
                    notice_chain=as_parties(radius.notice_chain),
                    upstream=as_parties(radius.upstream),
                    ours=ours,
                )
            )
        owners = {a.owner.id for a in radius.exposed_assets if a.owner and a.owner.id}
        users = {p.id for p in as_parties(radius.upstream)} | {p.id for p in as_parties(radius.notice_chain)}
        involved = {p.pk for p in parties}
        for company in radius.affected_group_companies:
            pk = company.id
            if pk is None or pk == incident.group_company_id:
                continue
            before = companies.get(pk, AffectedCompany(Party(pk, company.name)))
            companies[pk] = AffectedCompany(
                before.party,
                owns_exposed_data=before.owns_exposed_data or pk in owners,
                uses_breached_party=before.uses_breached_party or pk in users,
                is_breached=pk in involved,
            )
    principal = incident.principal
    roles = tuple(
        Role(r.pk, r.kind, r.name, r.organisation_name, r.escalation_level) for r in _roles_for(incident)
    )
    return PlanInput(
        learned_at=incident.learned_at,
        assessment=assessment_for(incident),
        deadlines=deadlines_for(incident),
        roles=roles,
        chains=tuple(chains),
        principal=Party(principal.pk, principal.name) if principal else None,
        group_companies=tuple(companies.values()),
        persons_estimate=incident.persons_estimate,
    )


# --- the APPI panel and countdowns --------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    key: str
    label: str
    deadline: dt.datetime
    left: appi.TimeLeft
    done: bool
    latest: dt.datetime | None = None
    provisional: bool = False

    @property
    def text(self) -> str:
        return countdown_text(self.left, done=self.done)


def countdown_text(left: appi.TimeLeft, *, done: bool = False) -> str:
    if done:
        return _("done")
    if left.overdue:
        return _("overdue by {days} d {hours} h").format(days=left.days, hours=left.hours)
    return _("{days} d {hours} h left").format(days=left.days, hours=left.hours)


def _done_keys(incident: Incident) -> set[str]:
    entries = getattr(incident, "deadline_entries", None)
    if entries is None:
        entries = list(incident.notifications.filter(generated_key__in=DEADLINE_KEYS))
    return {e.generated_key for e in entries if e.status in DONE_STATES}


COUNTDOWN_LABELS = {
    appi.PPC_PRELIMINARY: lambda: _("Preliminary report (速報)"),
    appi.PPC_FINAL: lambda: _("Final report (確報)"),
    appi.PRINCIPAL: lambda: _("Notify the principal"),
}


def countdowns(incident: Incident, *, now: dt.datetime | None = None) -> list[Countdown]:
    """The legal deadlines that run for the incident (provisionally while the decision is
    undetermined), with the time left, computed server-side from the clock."""
    now = now or timezone.now()
    done = _done_keys(incident)
    result = []
    for key, item in clock_for(incident).items():
        if key not in COUNTDOWN_LABELS:
            continue
        label = COUNTDOWN_LABELS[key]()
        if item.provisional:
            label = _("{label} (provisional)").format(label=label)
        result.append(
            Countdown(key, label, item.due, appi.time_left(deadline=item.due, now=now), key in done, item.latest,
                      item.provisional)
        )
    return result


def next_countdown(incident: Incident, *, now: dt.datetime | None = None) -> Countdown | None:
    pending = [c for c in countdowns(incident, now=now) if not c.done]
    return min(pending, key=lambda c: c.deadline) if pending else None


def decision_text(assessment: appi.AppiAssessment) -> str:
    if assessment.contractor_duty:
        return _("Notify the principal promptly (our own report to the PPC is replaced by it).")
    return appi.state_text(assessment.state)


def appi_panel(incident: Incident, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The questions, the decision (required / not required / undetermined) with its reasons and who
    decided when, the deadlines (provisional ones too) and the countdowns."""
    assessment = assessment_for(incident)
    d = deadlines_for(incident)
    persons = incident.persons_estimate
    questions = [
        (appi.SENSITIVE, incident.appi_sensitive),
        (appi.FINANCIAL_RISK, incident.appi_financial_risk),
        (appi.WRONGFUL_PURPOSE, incident.appi_wrongful_purpose),
        (appi.OVER_THRESHOLD, None if persons is None else persons > appi.PERSONS_THRESHOLD),
    ]
    decided = incident.appi_decision == assessment.state and assessment.state != appi.UNDETERMINED
    proposal = persons_proposal(incident) if persons is None else None
    return {
        "assessment": assessment,
        "state": assessment.state,
        "decision": decision_text(assessment),
        "decided_by": incident.appi_decided_by if decided else None,
        "decided_at": incident.appi_decided_at if decided else None,
        "reasons": [appi.reason_text(code) for code in assessment.reasons],
        "questions": [{"text": appi.question_text(code), "answer": answer} for code, answer in questions],
        "unanswered": [appi.question_text(code) for code in assessment.unanswered],
        "deadlines": d,
        "both_finals": assessment.we_may_report_to_ppc and not d.final_known,
        "countdowns": countdowns(incident, now=now),
        "is_contractor": incident.our_role == OurRole.CONTRACTOR,
        "persons_proposal": proposal if proposal is not None and proposal.at_least is not None else None,
    }


# --- the task board -----------------------------------------------------------------------------------


def task_board(incident: Incident, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Columns to do / doing / done; a task past its due time and not done is marked overdue."""
    now = now or timezone.now()
    clock = clock_for(incident)
    tasks = list(incident.tasks.select_related("owner").order_by("order", "due_at", "pk"))
    columns = []
    for status, label in TaskStatus.choices:
        items = [
            {
                "task": t,
                "overdue": t.status != TaskStatus.DONE and t.due_at is not None and t.due_at < now,
                "clock": clock.get(t.deadline_key) if t.deadline_key else None,
            }
            for t in tasks
            if t.status == status
        ]
        columns.append({"status": status, "label": label, "items": items})
    return columns


def due_tasks(*, now: dt.datetime) -> QuerySet[IncidentTask]:
    """Open tasks of open incidents (drills included: they are exercises of the same flow) that are
    due and whose owner was not reminded since the due time was set."""
    return (
        IncidentTask.objects.filter(due_at__lte=now, reminded_at__isnull=True)
        .exclude(status=TaskStatus.DONE)
        .exclude(incident__status=IncidentStatus.CLOSED)
        .select_related("incident", "owner")
    )


# --- dashboard ----------------------------------------------------------------------------------------


def dashboard_incidents(*, user: Any, now: dt.datetime | None = None, limit: int = 5) -> dict[str, Any]:
    """Open real incidents (no drills) with their nearest APPI deadline, nearest first."""
    now = now or timezone.now()
    qs = (
        incidents(user=user)
        .exclude(status=IncidentStatus.CLOSED)
        .prefetch_related(
            Prefetch(
                "notifications",
                queryset=NotificationEntry.objects.filter(generated_key__in=DEADLINE_KEYS),
                to_attr="deadline_entries",
            )
        )
    )
    pairs: list[tuple[Incident, Countdown | None]] = [(i, next_countdown(i, now=now)) for i in qs]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    pairs.sort(key=lambda p: (p[1].deadline if p[1] else far, -p[0].learned_at.timestamp()))
    rows = [{"incident": incident, "countdown": countdown} for incident, countdown in pairs[:limit]]
    return {"count": len(pairs), "rows": rows, "can_view_details": can(user, VIEW_INCIDENTS)}


def visible_parties(*, user: Any) -> QuerySet[Organisation]:
    return visible(Organisation.objects.all(), user).order_by("name")


def search(qs: QuerySet[Incident], query: str) -> QuerySet[Incident]:
    return qs.filter(search_condition(("search_text",), query))
