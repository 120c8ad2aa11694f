"""Chain analytics API: tiers and blast radius."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from renkei.chain import selectors
from renkei.core.permissions import Action, get_visible_or_404, require, visible
from renkei.registry.models import Organisation

router = Router(tags=["chain"])


def blast_radius_dict(radius: selectors.NamedBlastRadius) -> dict[str, Any]:
    """The blast radius as JSON-ready data (the API's and `renkei blast-radius --json`'s output)."""

    def org(ref: selectors.OrgRef) -> dict[str, Any]:
        return {"id": ref.id, "name": ref.name}

    return {
        "party": {"id": radius.party.id, "name": radius.party.name, "tier": radius.party.tier},
        "exposed_assets": [
            {
                "id": a.id,
                "name": a.name,
                "classification": a.classification,
                "personal_info": a.personal_info,
                "sensitive_personal_info": a.sensitive_personal_info,
                "persons": a.persons,
                "exposed_records": a.exposed_records,  # null when unknown, never 0
                "records_at_least": a.records_at_least,
                "total_records": a.total_records,
                "owner": org(a.owner) if a.owner else None,
                "holders": [org(h) for h in a.holders],
            }
            for a in radius.exposed_assets
        ],
        "exposed_records": radius.exposed_records,
        "exposed_records_at_least": radius.exposed_records_at_least,
        "downstream": [org(o) for o in radius.downstream],
        "notice_chain": [org(o) for o in radius.notice_chain],
        "upstream": [org(o) for o in radius.upstream],
        "affected_group_companies": [org(o) for o in radius.affected_group_companies],
        "access": [
            {
                "org_id": row.org_id,
                "system": row.system,
                "level": row.level,
                "accounts": row.accounts,
                "organisation": row.organisation,
                "level_label": row.level_label,
            }
            for row in radius.access
        ],
    }


@router.get("/blast-radius/{org_id}")
def blast_radius(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """If this party is breached: our exposed information, downstream holders, the notice chain,
    its access to our systems and the affected group companies."""
    require(request.user, Action.VIEW)
    party = get_visible_or_404(Organisation.objects.all(), request.user, pk=org_id)
    return blast_radius_dict(selectors.blast_radius(user=request.user, party=party))


@router.get("/tiers")
def tiers(request: HttpRequest) -> dict[str, Any]:
    """Every visible party's tier (distance from the own company; null when not connected)."""
    require(request.user, Action.VIEW)
    rows = visible(Organisation.objects.all(), request.user).values_list("pk", "name", "tier").order_by("pk")
    return {"organisations": [{"id": pk, "name": name, "tier": tier} for pk, name, tier in rows]}
