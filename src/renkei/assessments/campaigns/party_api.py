"""The required-levels part of the assessments API: the level each party owes (proposed or
overridden, with its due date) and each group company's reassessment policy.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from ninja import Query, Router

from renkei.assessments.api_common import (
    ASSURANCE_BATCH,
    ERRORS,
    WRITE,
    Limit,
    Offset,
    _group_companies,
)
from renkei.assessments.campaigns import schemas as campaign_schemas
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import (
    AssuranceLevel,
)
from renkei.core.crud_api import (
    DEFAULT_LIMIT,
    ErrorOut,
    Page,
    check_if_match,
    expected_version,
    set_etag,
)
from renkei.core.permissions import get_visible_or_404, require, visible
from renkei.core.search import search_q
from renkei.registry.models import OUR_KINDS, Organisation

parties = Router(tags=["required levels"])


# --- required levels and the policy --------------------------------------------------------------


def _party_url(organisation_id: int) -> str:
    try:
        return reverse("assessments:party_assurance", args=[organisation_id])
    except NoReverseMatch:
        return ""


def _assurance_out(row: campaign_selectors.AssuranceRow) -> dict[str, Any]:
    org = row.organisation
    return {
        "organisation_id": org.pk,
        "organisation_name": org.name,
        "group_company_id": org.group_company_id,
        "criticality": org.criticality,
        "criticality_label": str(org.get_criticality_display()),
        "proposed_level": row.proposal.level,
        "proposed_level_label": str(AssuranceLevel(row.proposal.level).label),
        "proposal_reasons": [str(r) for r in row.proposal.reasons],
        "override_level": row.override.level if row.override else None,
        "override_reason": row.override.reason if row.override else None,
        "override_edit_version": row.override.edit_version if row.override else None,
        "required_level": row.level,
        "required_level_label": row.get_level_display(),
        "interval_months": row.interval_months,
        "last_assessed": row.last_assessed,
        "next_due": row.next_due,
        "overdue": row.overdue,
        "url": _party_url(org.pk),
    }


def _parties(request: HttpRequest) -> QuerySet[Organisation]:
    """Every party the user may see (our own companies are assessed by self-assessment)."""
    return visible(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user)


def _batches(qs: QuerySet[Organisation]) -> Iterator[list[Organisation]]:
    batch: list[Organisation] = []
    for org in qs.iterator(chunk_size=ASSURANCE_BATCH):
        batch.append(org)
        if len(batch) == ASSURANCE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _party_row(request: HttpRequest, org_id: int, response: HttpResponse | None = None) -> dict[str, Any]:
    """The party's row; `response` gets the override's version as `ETag` (none without an override)."""
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    row = campaign_selectors.assurance_rows([organisation])[0]
    if response is not None and row.override is not None:
        set_etag(response, row.override)
    return _assurance_out(row)


@parties.get("/parties", response=Page[campaign_schemas.AssuranceOut], operation_id="assurance_list", summary="List required levels")
def assurance_list(
    request: HttpRequest, filters: Query[campaign_schemas.AssuranceFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Each party's required level (the proposal from the registry, or the analyst's override with
    its reason), its last accepted assessment, the next due date by the policy, and whether it is
    overdue for assessment (as on the dashboard and the parties page)."""
    qs = _parties(request)
    if filters.q:
        qs = qs.filter(search_q(("search_text",), filters.q))
    if filters.criticality:
        qs = qs.filter(criticality=filters.criticality)
    if filters.group_company_id is not None:
        qs = qs.filter(group_company_id=filters.group_company_id)
    qs = qs.order_by("name", "pk")
    if filters.level is None and filters.overdue is None:
        page = list(qs[offset : offset + limit])
        return {"count": qs.count(), "limit": limit, "offset": offset,
                "items": [_assurance_out(r) for r in campaign_selectors.assurance_rows(page)]}
    # Level and due dates are computed, not stored: read the parties in batches and keep the matches.
    matches = []
    for batch in _batches(qs):
        for row in campaign_selectors.assurance_rows(batch):
            if filters.level is not None and row.level != filters.level:
                continue
            if filters.overdue is not None and row.overdue != filters.overdue:
                continue
            matches.append(row)
    return {"count": len(matches), "limit": limit, "offset": offset,
            "items": [_assurance_out(r) for r in matches[offset : offset + limit]]}


@parties.get(
    "/parties/{int:org_id}", response={200: campaign_schemas.AssuranceOut, 404: ErrorOut}, operation_id="assurance_retrieve",
    summary="Retrieve a party's required level",
)
def assurance_retrieve(request: HttpRequest, response: HttpResponse, org_id: int) -> dict[str, Any]:
    """The party's row; `ETag`: the version of its override, when it has one."""
    return _party_row(request, org_id, response)


@parties.put(
    "/parties/{int:org_id}/override", response={200: campaign_schemas.AssuranceOut, **ERRORS},
    operation_id="assurance_override_set", summary="Override a party's required level",
)
def assurance_override_set(
    request: HttpRequest, response: HttpResponse, org_id: int, payload: campaign_schemas.OverrideIn
) -> dict[str, Any]:
    """Replace the proposed level; the reason is required and kept in the audit trail. With `If-Match`
    (the ETag read) or `edit_version`, an override saved or cleared since answers 409 and nothing is
    written; without either the override is saved as before."""
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    require(request.user, WRITE)
    campaign_services.assurance_override_set(
        user=request.user, organisation=organisation, level=payload.level, reason=payload.reason,
        expected_version=expected_version(request, {"edit_version": payload.edit_version}),
    )
    return _party_row(request, org_id, response)


@parties.delete(
    "/parties/{int:org_id}/override", response={200: campaign_schemas.AssuranceOut, **ERRORS},
    operation_id="assurance_override_clear", summary="Go back to the proposed level",
)
def assurance_override_clear(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """Remove the override; answers the party's row with the proposed level."""
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    require(request.user, WRITE)
    campaign_services.assurance_override_clear(user=request.user, organisation=organisation)
    return _party_row(request, org_id)


def _policy_out(policy: Any, company: Organisation) -> dict[str, Any]:
    fields = ("months_critical", "months_high", "months_medium", "months_low", "reminder_days_before",
              "overdue_reminder_days")
    return {
        "group_company_id": company.pk,
        "group_company_name": company.name,
        "saved": policy.pk is not None,
        "edit_version": policy.edit_version if policy.pk is not None else None,
        **{name: getattr(policy, name) for name in fields},
    }


@parties.get("/policies", response=list[campaign_schemas.PolicyOut], operation_id="policy_list", summary="List policies")
def policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The reassessment policy of each group company the user may see (defaults where none was saved)."""
    companies = list(visible(_group_companies(), request.user).order_by("kind", "name", "pk"))
    found = campaign_selectors.policies(c.pk for c in companies)
    return [_policy_out(found[c.pk], c) for c in companies]


@parties.get(
    "/policies/{int:company_id}", response={200: campaign_schemas.PolicyOut, 404: ErrorOut}, operation_id="policy_retrieve",
    summary="Retrieve a group company's policy",
)
def policy_retrieve(request: HttpRequest, response: HttpResponse, company_id: int) -> dict[str, Any]:
    """The policy (`ETag`: its version once saved; the defaults have none)."""
    company = get_visible_or_404(_group_companies(), request.user, pk=company_id)
    policy = campaign_services.policy_for(company.pk)
    if policy.pk is not None:
        set_etag(response, policy)
    return _policy_out(policy, company)


@parties.put(
    "/policies/{int:company_id}", response={200: campaign_schemas.PolicyOut, **ERRORS}, operation_id="policy_save",
    summary="Save a group company's policy",
)
def policy_save(request: HttpRequest, response: HttpResponse, company_id: int, payload: campaign_schemas.PolicyIn) -> dict[str, Any]:
    """Reassessment interval per criticality and reminder timing; fields left out take the defaults.
    With `If-Match` (the ETag read) or `edit_version`, a policy saved since answers 409 and nothing
    is written; without either it is saved as before."""
    company = get_visible_or_404(_group_companies(), request.user, pk=company_id)
    require(request.user, WRITE)
    policy = campaign_services.policy_for(company.pk)
    data = payload.model_dump()
    check_if_match(request, policy, data.pop("edit_version"))
    for name, value in data.items():
        setattr(policy, name, value)
    campaign_services.policy_save(user=request.user, policy=policy)
    set_etag(response, policy)
    return _policy_out(policy, company)
