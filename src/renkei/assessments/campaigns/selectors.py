"""Reads of campaigns and required levels: campaign progress, the level each party owes and when
it is next due. Query counts do not grow with the number of parties on a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
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
from renkei.registry.models import DataHolding, Organisation, SystemAccess

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
    overdue: bool

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


def last_assessed(organisation_ids: Iterable[int]) -> dict[int, dt.date]:
    """The date of each party's latest accepted assessment."""
    rows = (
        Assignment.objects.filter(organisation_id__in=list(organisation_ids), status=AssignmentStatus.ACCEPTED)
        .values("organisation_id")
        .annotate(last=Max("accepted_at"))
    )
    return {r["organisation_id"]: timezone.localtime(r["last"]).date() for r in rows if r["last"]}


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
    last = last_assessed([o.pk for o in orgs])
    policy = policies(o.group_company_id for o in orgs if o.group_company_id)
    rows = []
    for org in orgs:
        months = policy[org.group_company_id].interval_months(org.criticality) if org.group_company_id else 12
        assessed = last.get(org.pk)
        rows.append(
            AssuranceRow(
                organisation=org,
                proposal=assurance.propose_level(facts[org.pk]),
                override=overrides.get(org.pk),
                last_assessed=assessed,
                interval_months=months,
                next_due=assurance.next_due(assessed, months),
                overdue=assurance.is_overdue(assessed, months, today),
            )
        )
    return rows


def required_level(organisation: Organisation) -> str:
    return assurance_rows([organisation])[0].level


def overdue_party_ids(queryset: QuerySet[Organisation], today: dt.date | None = None) -> list[int]:
    """Parties (of the queryset) due for reassessment now: never assessed, or past their next due date."""
    return [row.organisation.pk for row in assurance_rows(list(queryset), today) if row.overdue]
