"""Reads that feed the chain engine: plain arrays and rows built from the database in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from renkei.core.permissions import visible
from renkei.registry.models import OUR_KINDS, DataHolding, InformationAsset, Organisation, OrganisationKind, Relationship, SystemAccess


@dataclass
class GraphData:
    node_ids: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    root_id: int | None


def _array(values: list[Any]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def graph_data(*, user: Any = None) -> GraphData:
    """Organisations and relationships as id arrays; `user=None` means the whole group (system use)."""
    orgs = Organisation.objects.all()
    rels = Relationship.objects.all()
    if user is not None:
        orgs = visible(orgs, user)
        rels = visible(rels, user)
    node_ids = list(orgs.values_list("pk", flat=True))
    pairs = list(rels.values_list("client_id", "provider_id"))
    root = Organisation.objects.filter(kind=OrganisationKind.OWN).values_list("pk", flat=True).first()
    return GraphData(
        node_ids=_array(node_ids),
        sources=_array([p[0] for p in pairs]),
        targets=_array([p[1] for p in pairs]),
        root_id=root,
    )


def exposure_rows(*, user: Any = None) -> dict[str, Any]:
    """Holdings, assets, group companies and access rows for the blast-radius engine."""
    holdings = DataHolding.objects.all()
    assets = InformationAsset.objects.all()
    access = SystemAccess.objects.all()
    companies = Organisation.objects.filter(kind__in=OUR_KINDS)
    if user is not None:
        holdings, assets, access, companies = (visible(q, user) for q in (holdings, assets, access, companies))
    return {
        "holdings": list(holdings.values_list("pk", "asset_id", "holder_id", "received_from_id", "record_count")),
        "assets": {a[0]: (a[1], a[2]) for a in assets.values_list("pk", "group_company_id", "record_count")},
        "group_company_ids": list(companies.values_list("pk", flat=True)),
        "access": list(access.values_list("organisation_id", "system", "level", "account_count")),
    }


def map_payload(*, user: Any) -> dict[str, Any]:
    """Nodes (with kind, criticality and tier) and edges for the map, in two queries."""
    orgs = visible(Organisation.objects.all(), user)
    rels = visible(Relationship.objects.all(), user)
    kinds = dict(OrganisationKind.choices)
    nodes = [
        {
            "id": pk,
            "name": name,
            "kind": kind,
            "kind_label": str(kinds.get(kind, kind)),
            "criticality": criticality,
            "tier": tier,
            "status": status,
            "url": f"/registry/organisations/{pk}/",
        }
        for pk, name, kind, criticality, tier, status in orgs.values_list(
            "pk", "name", "kind", "criticality", "tier", "status"
        )
    ]
    visible_ids = {n["id"] for n in nodes}
    edges = [
        {"id": pk, "source": c, "target": p, "type": t}
        for pk, c, p, t in rels.values_list("pk", "client_id", "provider_id", "type")
        if c in visible_ids and p in visible_ids
    ]
    return {"nodes": nodes, "edges": edges}
