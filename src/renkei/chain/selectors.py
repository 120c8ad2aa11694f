"""Reads that feed the chain engine: plain arrays and rows built from the database in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from renkei.core.permissions import visible
from renkei.core.tenancy import group_companies, own_company
from renkei.registry.models import (
    AccessLevel,
    DataHolding,
    InformationAsset,
    Organisation,
    OrganisationKind,
    Relationship,
    SystemAccess,
)


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
    root = getattr(own_company(), "pk", None)
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
    companies = group_companies()
    if user is not None:
        holdings = visible(holdings, user)
        assets = visible(assets, user)
        access = visible(access, user)
        companies = visible(companies, user)
    return {
        "holdings": list(
            holdings.order_by("pk").values_list("pk", "asset_id", "holder_id", "received_from_id", "record_count")
        ),
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


def _compute_blast_radius(*, party: Organisation) -> Any:
    # The chain is computed over the whole group: a limited user's own view of the graph lacks the
    # links up to the own company, and the notice chain must still be right. What the user may not
    # see is masked afterwards (blast_radius_data).
    from renkei.chain import engine
    from renkei.core.errors import RenkeiError

    data = graph_data()
    if data.root_id is None:
        raise RenkeiError(_("Register the own company first."))
    rows = exposure_rows()
    graph = engine.build_graph(data.node_ids, data.sources, data.targets)
    try:
        return engine.blast_radius(
            graph,
            party_id=party.pk,
            root_id=data.root_id,
            holdings=engine.HoldingsTable.from_rows(rows["holdings"]),
            assets=rows["assets"],
            group_company_ids=rows["group_company_ids"],
            access=rows["access"],
        )
    except engine.UnknownOrganisationError as exc:
        raise RenkeiError(str(exc), status=404) from exc


def blast_radius_data(*, user: Any, party: Organisation) -> dict[str, Any]:
    """The blast radius as plain data with names, for the API and the command line.

    `user=None` shows everything (commands). For a user limited to some group companies, parties
    outside the scope appear without name or id, and assets outside the scope are left out.
    """
    result = _compute_blast_radius(party=party)
    org_ids = set(result.downstream) | set(result.notice_chain) | set(result.upstream) | set(
        result.affected_group_companies
    )
    for exposure in result.assets:
        org_ids.update(exposure.holders)
    orgs = Organisation.objects.filter(pk__in=org_ids)
    assets_qs = InformationAsset.objects.filter(pk__in=[a.asset_id for a in result.assets])
    if user is not None:
        orgs = visible(orgs, user)
        assets_qs = visible(assets_qs, user)
    names = dict(orgs.values_list("pk", "name"))
    assets = assets_qs.in_bulk()
    levels = dict(AccessLevel.choices)
    hidden = _("(outside your scope)")

    def org(pk: int) -> dict[str, Any]:
        if pk in names:
            return {"id": pk, "name": names[pk]}
        return {"id": None, "name": hidden}

    exposed_assets = []
    for a in result.assets:
        asset = assets.get(a.asset_id)
        if asset is None:
            continue
        exposed_assets.append(
            {
                "id": a.asset_id,
                "name": asset.name,
                "classification": asset.classification,
                "personal_info": asset.has_personal_info,
                "sensitive_personal_info": asset.has_sensitive_personal_info,
                "persons": asset.person_count,
                "exposed_records": a.exposed_records,
                "total_records": a.total_records,
                "owner": org(a.owner_org_id) if a.owner_org_id else None,
                "holders": [org(h) for h in a.holders if h in names],
            }
        )
    return {
        "party": {"id": party.pk, "name": party.name, "tier": result.party_tier},
        "exposed_assets": exposed_assets,
        "exposed_records": sum(a["exposed_records"] for a in exposed_assets),
        "downstream": [org(pk) for pk in result.downstream if pk in names],
        "notice_chain": [org(pk) for pk in result.notice_chain],
        "upstream": [org(pk) for pk in result.upstream if pk in names],
        "affected_group_companies": [org(pk) for pk in result.affected_group_companies],
        "access": [
            {
                **row,
                "organisation": names[row["org_id"]],
                "level_label": str(levels.get(row["level"], row["level"])),
            }
            for row in result.access
            if row["org_id"] in names
        ],
    }


def blast_radius_report(*, user: Any, party: Organisation) -> dict[str, Any]:
    """The blast radius for the page: plain data plus the contacts to notify along the chain."""
    from renkei.registry.models import Contact, ContactRole

    data = blast_radius_data(user=user, party=party)
    chain_ids = [o["id"] for o in data["notice_chain"]]
    contacts = visible(
        Contact.objects.filter(
            organisation_id__in=chain_ids, role__in=[ContactRole.INCIDENT, ContactRole.SECURITY]
        ).select_related("organisation"),
        user,
    )
    by_org: dict[int, list[Any]] = {}
    for c in contacts:
        by_org.setdefault(c.organisation_id, []).append(c)
    data["notice_chain_contacts"] = [{**o, "contacts": by_org.get(o["id"], [])} for o in data["notice_chain"]]
    return data
