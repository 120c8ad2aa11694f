"""Chain analytics API: tiers and blast radius."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from renkei.chain import selectors
from renkei.core.permissions import Action, get_visible_or_404, require, visible
from renkei.registry.models import Organisation

router = Router(tags=["chain"])


@router.get("/blast-radius/{org_id}")
def blast_radius(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """If this party is breached: our exposed information, downstream holders, the notice chain,
    its access to our systems and the affected group companies."""
    require(request.user, Action.VIEW)
    party = get_visible_or_404(Organisation.objects.all(), request.user, pk=org_id)
    return selectors.blast_radius_data(user=request.user, party=party)


@router.get("/tiers")
def tiers(request: HttpRequest) -> dict[str, Any]:
    """Every visible party's tier (distance from the own company; null when not connected)."""
    require(request.user, Action.VIEW)
    rows = visible(Organisation.objects.all(), request.user).values_list("pk", "name", "tier").order_by("pk")
    return {"organisations": [{"id": pk, "name": name, "tier": tier} for pk, name, tier in rows]}
