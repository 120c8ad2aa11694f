"""Reads of campaigns and required levels: campaign progress, the level each party owes and when
it is next due. Query counts do not grow with the number of parties on a page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from renkei.assessments import assurance
from renkei.assessments.models import (
    OPEN_STATUSES,
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceLevel,
    AssuranceOverride,
)
from renkei.core.permissions import visible
from renkei.core.search import search_condition
from renkei.registry.models import OUR_KINDS, DataHolding, Organisation, OrganisationStatus, SystemAccess

# --- campaigns -----------------------------------------------------------------------------------


def campaign_progress(campaign: Any, today: dt.date | None = None) -> dict[str, int]:
    """How many assignments are in each status a person tracks (open ones past due count as overdue)."""
    today = today or timezone.localdate()
    counts = campaign.assignments.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        **{
            status: Count("pk", filter=Q(status=status) & ~Q(status__in=OPEN_STATUSES, due_date__lt=today))
            for status in AssignmentStatus.values
        },
    )
    return {k: int(v or 0) for k, v in counts.items()}


# --- required levels and cadence ----------------------------------------------------------------


@dataclass
class AssuranceRow:
    organisation: Organisation
    proposal: assurance.Proposal
    override: AssuranceOverride | None
    last_assessed: dt.date | None
    interval_months: int
    next_due: dt.date | None
    # Overdue for assessment (点検期限切れ): `assurance.is_party_overdue`, the one definition.
    overdue: bool
    # Due for reassessment by the cycle alone (never assessed or past the next due date), even
    # when an assessment is already underway: what a campaign filter "due for reassessment" picks.
    due: bool = False
    # The earliest due date of an open assessment, if any.
    open_due: dt.date | None = None

    @property
    def level(self) -> str:
        return self.override.level if self.override else self.proposal.level

    def get_level_display(self) -> str:
        return str(AssuranceLevel(self.level).label)

    @property
    def is_overridden(self) -> bool:
        return self.override is not None


def party_facts(organisations: Sequence[Organisation]) -> dict[int, assurance.PartyFacts]:
    """The registry facts the level proposal needs, for a page of parties (three queries)."""
    ids = [o.pk for o in organisations]
    facts = {o.pk: assurance.PartyFacts(criticality=o.criticality, held_assets=[], access=[]) for o in organisations}
    holdings = DataHolding.objects.filter(holder_id__in=ids).values_list(
        "holder_id", "asset__name", "asset__classification", "asset__has_personal_info"
    )
    for holder_id, name, classification, personal in holdings:
        facts[holder_id].held_assets.append(assurance.HeldAsset(name=name, classification=classification, personal=personal))  # type: ignore[attr-defined]
    for org_id, system, level in SystemAccess.objects.filter(organisation_id__in=ids).values_list("organisation_id", "system", "level"):
        facts[org_id].access.append(assurance.Access(system=system, level=level))  # type: ignore[attr-defined]
    return facts


def _of(organisations: Iterable[int] | QuerySet[Organisation]) -> Q:
    # A queryset stays a subquery (20,000 parties would not fit in an IN list on SQLite).
    if isinstance(organisations, QuerySet):
        return Q(organisation_id__in=organisations.values("pk"))
    return Q(organisation_id__in=list(organisations))


def last_assessed(organisations: Iterable[int] | QuerySet[Organisation]) -> dict[int, dt.date]:
    """The date (Japan time) of each party's latest accepted assessment. An accepted assessment
    without an acceptance time (older data, imports) counts from when it was submitted or last
    changed: it is still the party's last assessment."""
    rows = (
        Assignment.objects.filter(_of(organisations), status=AssignmentStatus.ACCEPTED)
        .values("organisation_id")
        .annotate(last=Max(Coalesce("accepted_at", "submitted_at", "updated_at")))
    )
    return {r["organisation_id"]: timezone.localtime(r["last"]).date() for r in rows if r["last"]}


def underway(organisations: Iterable[int] | QuerySet[Organisation]) -> dict[int, dt.date | None]:
    """Parties with an assessment underway (open, or submitted and waiting for review), each with
    the earliest due date of its open ones (None when only submitted ones are waiting)."""
    rows = (
        Assignment.objects.filter(_of(organisations), status__in=[*OPEN_STATUSES, AssignmentStatus.SUBMITTED])
        .values("organisation_id")
        .annotate(open_due=Min("due_date", filter=Q(status__in=OPEN_STATUSES)))
    )
    return {r["organisation_id"]: r["open_due"] for r in rows}


def policies(company_ids: Iterable[int]) -> dict[int, AssessmentPolicy]:
    """Each group company's policy (the defaults where none was saved)."""
    ids = set(company_ids)
    found = {p.group_company_id: p for p in AssessmentPolicy.objects.filter(group_company_id__in=ids)}
    return {cid: found.get(cid) or AssessmentPolicy(group_company_id=cid) for cid in ids}


def assurance_rows(organisations: Sequence[Organisation], today: dt.date | None = None) -> list[AssuranceRow]:
    """Required level (proposal or override), last assessment, next due date and whether it is
    overdue, for a page of parties in a fixed number of queries."""
    today = today or timezone.localdate()
    orgs = list(organisations)
    facts = party_facts(orgs)
    overrides = {o.organisation_id: o for o in AssuranceOverride.objects.filter(organisation__in=orgs)}
    cadences = _cadences(orgs, [o.pk for o in orgs], today)
    return [
        AssuranceRow(
            organisation=org,
            proposal=assurance.propose_level(facts[org.pk]),
            override=overrides.get(org.pk),
            **cadences[org.pk],
        )
        for org in orgs
    ]


@dataclass(frozen=True)
class _Party:
    # What the cadence needs of a party: plain values (20,000 model instances cost a second).
    pk: int
    criticality: str
    group_company_id: int | None


def _cadences(
    orgs: Sequence[Organisation | _Party], of: Iterable[int] | QuerySet[Organisation], today: dt.date
) -> dict[int, dict[str, Any]]:
    """Last assessment, interval, next due date, "due" and "overdue" per party: three queries."""
    last = last_assessed(of)
    busy = underway(of)
    policy = policies(o.group_company_id for o in orgs if o.group_company_id)
    months_of: dict[tuple[int | None, str], int] = {}
    out = {}
    for org in orgs:
        key = (org.group_company_id, org.criticality)
        if key not in months_of:
            months_of[key] = policy[org.group_company_id].interval_months(org.criticality) if org.group_company_id else 12
        months = months_of[key]
        assessed = last.get(org.pk)
        open_due = busy.get(org.pk)
        out[org.pk] = {
            "last_assessed": assessed,
            "interval_months": months,
            "next_due": assurance.next_due(assessed, months),
            "due": assurance.is_overdue(assessed, months, today),
            "open_due": open_due,
            "overdue": assurance.is_party_overdue(
                last_assessed=assessed, interval_months=months, today=today, underway=org.pk in busy, open_due=open_due
            ),
        }
    return out


def required_level(organisation: Organisation) -> str:
    return assurance_rows([organisation])[0].level


def overdue_party_ids(queryset: QuerySet[Organisation], today: dt.date | None = None) -> list[int]:
    """Parties of the queryset overdue for assessment (`assurance.is_party_overdue`), in the
    queryset's order: four queries whatever the number of parties (no registry facts needed)."""
    today = today or timezone.localdate()
    orgs = [_Party(*row) for row in queryset.values_list("pk", "criticality", "group_company_id")]
    cadences = _cadences(orgs, queryset, today)
    return [o.pk for o in orgs if cadences[o.pk]["overdue"]]


def active_parties(user: Any) -> QuerySet[Organisation]:
    """The parties the parties page lists by default: active, visible to the user, not ours."""
    return visible(Organisation.objects.exclude(kind__in=OUR_KINDS).filter(status=OrganisationStatus.ACTIVE), user)


def overdue_party_count(*, user: Any, today: dt.date | None = None) -> int:
    """How many of the parties page's parties are overdue for assessment: the dashboard's figure,
    which links to the parties page filtered to exactly these (`?overdue=on`)."""
    return len(overdue_party_ids(active_parties(user), today))


# --- choosing a campaign's parties ---------------------------------------------------------------

SEARCH_LIMIT = 20


def candidate_parties(campaign: Any, user: Any) -> QuerySet[Organisation]:
    """Parties a campaign may go to: active, managed by its group company, not one of ours, and
    visible to the user."""
    return visible(
        Organisation.objects.filter(group_company_id=campaign.group_company_id, status=OrganisationStatus.ACTIVE).exclude(
            kind__in=OUR_KINDS
        ),
        user,
    )


@dataclass(frozen=True)
class PartyMatch:
    organisation: Organisation
    chosen: bool


def party_search(*, campaign: Any, user: Any, query: str, limit: int = SEARCH_LIMIT) -> tuple[list[PartyMatch], bool]:
    """Candidate parties whose name, reading, corporate number or domain contains `query` (normalised
    like every list search: width, kana and spacing ignored), by reading: at most
    `limit` of them and whether there are more (two queries, however many parties there are)."""
    query = query.strip()
    if not query:
        return [], False
    qs = candidate_parties(campaign, user).filter(search_condition(("search_text",), query))
    found = list(qs.order_by("sort_key", "pk").only("pk", "name", "name_reading", "kind")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    chosen = set(campaign.parties.filter(pk__in=[o.pk for o in found]).values_list("pk", flat=True))
    return [PartyMatch(organisation=o, chosen=o.pk in chosen) for o in found], more


def campaign_fingerprint(campaign: Any) -> str:
    """What the launch confirmation showed: the parties, framework, due date, name and message. A
    launch posted with another fingerprint was confirmed on a preview that is no longer true."""
    ids = ",".join(str(pk) for pk in campaign.parties.order_by("pk").values_list("pk", flat=True))
    text = "|".join([str(campaign.framework_id), str(campaign.due_date), campaign.name, campaign.message, ids])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
