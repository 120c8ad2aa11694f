"""Reads that feed the chain engine (plain arrays and rows built from the database in a few
queries), and the engine's blast radius with names, typed (`blast_radius_for`: the one call other
apps make into chain, loading the graph once for any number of parties)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from renkei.core.masking import OUT_OF_SCOPE_PARTY
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


@dataclass(frozen=True)
class OrgRef:
    """A party named in a blast radius. Outside the user's scope it has no id and a placeholder name."""

    id: int | None
    name: str


@dataclass(frozen=True)
class ExposedAsset:
    """One of our information assets that a breach at the party exposes."""

    id: int
    name: str
    classification: str
    personal_info: bool
    sensitive_personal_info: bool
    persons: int | None  # of the whole asset (None: unknown)
    exposed_records: int | None  # None: unknown (a count it depends on is not recorded), never 0
    total_records: int | None
    owner: OrgRef | None
    holders: list[OrgRef]  # the holders in the radius that the user may see
    records_at_least: int = 0  # what the known counts prove (= exposed_records when known)


@dataclass(frozen=True)
class AccessRef:
    """A party in the radius with access to one of our systems."""

    org_id: int
    system: str
    level: str
    accounts: int
    organisation: str
    level_label: str


@dataclass(frozen=True)
class PartyRef:
    id: int
    name: str
    tier: int | None


@dataclass(frozen=True)
class NamedBlastRadius:
    """The engine's blast radius of one party with names and asset facts, masked to a user's scope:
    parties outside it appear as `OrgRef(None, placeholder)` in the notice chain and the affected
    group companies and are left out elsewhere, as are assets outside it. Typed for the callers in
    Python (incidents, the page, the command); the API turns it into JSON (`chain.api`)."""

    party: PartyRef
    exposed_assets: list[ExposedAsset]
    exposed_records: int | None  # of the assets listed, each counted once; None if any is unknown
    downstream: list[OrgRef]
    notice_chain: list[OrgRef]
    upstream: list[OrgRef]
    affected_group_companies: list[OrgRef]
    access: list[AccessRef]
    exposed_records_at_least: int = 0  # the known part of exposed_records (shown beside 不明)


def _compute_blast_radii(party_ids: list[int]) -> tuple[dict[int, Any], dict[int, str]]:
    """The engine's results for the parties (and why a party has none), from one load of the graph.

    The chain is computed over the whole group: a limited user's own view of the graph lacks the
    links up to the own company, and the notice chain must still be right. What the user may not
    see is masked afterwards (`_named`).
    """
    from renkei.chain import engine
    from renkei.core.errors import RenkeiError

    data = graph_data()
    if data.root_id is None:
        raise RenkeiError(_("Register the own company first."))
    rows = exposure_rows()
    graph = engine.build_graph(data.node_ids, data.sources, data.targets)
    holdings = engine.HoldingsTable.from_rows(rows["holdings"])
    results: dict[int, Any] = {}
    unknown: dict[int, str] = {}
    for party_id in party_ids:
        try:
            results[party_id] = engine.blast_radius(
                graph,
                party_id=party_id,
                root_id=data.root_id,
                holdings=holdings,
                assets=rows["assets"],
                group_company_ids=rows["group_company_ids"],
                access=rows["access"],
            )
        except engine.UnknownOrganisationError as exc:
            unknown[party_id] = str(exc)
    return results, unknown


def _named(results: dict[int, Any], *, user: Any, party_names: dict[int, str]) -> dict[int, NamedBlastRadius]:
    """Names and asset facts for all the results at once: two queries, whatever their number."""
    from renkei.chain import engine

    org_ids: set[int] = set()
    asset_ids: set[int] = set()
    for result in results.values():
        org_ids.update(result.downstream, result.notice_chain, result.upstream, result.affected_group_companies)
        for exposure in result.assets:
            org_ids.update(exposure.holders)
            asset_ids.add(exposure.asset_id)
    orgs = Organisation.objects.filter(pk__in=org_ids)
    assets_qs = InformationAsset.objects.filter(pk__in=asset_ids)
    if user is not None:
        orgs = visible(orgs, user)
        assets_qs = visible(assets_qs, user)
    names = dict(orgs.values_list("pk", "name"))
    assets = assets_qs.in_bulk()
    levels = dict(AccessLevel.choices)
    hidden = str(OUT_OF_SCOPE_PARTY)

    def org(pk: int) -> OrgRef:
        return OrgRef(pk, names[pk]) if pk in names else OrgRef(None, hidden)

    out = {}
    for party_id, result in results.items():
        exposed_assets = []
        for a in result.assets:
            asset = assets.get(a.asset_id)
            if asset is None:
                continue
            exposed_assets.append(
                ExposedAsset(
                    id=a.asset_id,
                    name=asset.name,
                    classification=asset.classification,
                    personal_info=asset.has_personal_info,
                    sensitive_personal_info=asset.has_sensitive_personal_info,
                    persons=asset.person_count,
                    exposed_records=a.exposed_records,
                    total_records=a.total_records,
                    owner=org(a.owner_org_id) if a.owner_org_id else None,
                    holders=[org(h) for h in a.holders if h in names],
                    records_at_least=a.records_at_least,
                )
            )
        out[party_id] = NamedBlastRadius(
            party=PartyRef(party_id, party_names[party_id], result.party_tier),
            exposed_assets=exposed_assets,
            exposed_records=engine.sum_records(a.exposed_records for a in exposed_assets),
            exposed_records_at_least=sum(a.records_at_least for a in exposed_assets),
            downstream=[org(pk) for pk in result.downstream if pk in names],
            notice_chain=[org(pk) for pk in result.notice_chain],
            upstream=[org(pk) for pk in result.upstream if pk in names],
            affected_group_companies=[org(pk) for pk in result.affected_group_companies],
            access=[
                AccessRef(
                    org_id=row["org_id"],
                    system=row["system"],
                    level=row["level"],
                    accounts=row["accounts"],
                    organisation=names[row["org_id"]],
                    level_label=str(levels.get(row["level"], row["level"])),
                )
                for row in result.access
                if row["org_id"] in names
            ],
        )
    return out


def blast_radius_for(*, party_ids: Iterable[int], user: Any = None) -> dict[int, NamedBlastRadius]:
    """The blast radius of each party, by party id, loading the graph once for all of them.

    A party that is not in the graph is left out. `user=None` shows everything (system use, e.g.
    an incident's prefill and notification plan); the parties themselves are named whatever the
    user's scope, so pass only parties the user may see. Raises RenkeiError when no own company is
    registered.
    """
    ids = list(dict.fromkeys(party_ids))
    if not ids:
        return {}
    results, _unknown = _compute_blast_radii(ids)
    party_names = dict(Organisation.objects.filter(pk__in=list(results)).values_list("pk", "name"))
    return _named(results, user=user, party_names=party_names)


def blast_radius(*, user: Any, party: Organisation) -> NamedBlastRadius:
    """The blast radius of one party the user may see (page, API, command); 404 if not in the graph."""
    from renkei.core.errors import RenkeiError

    results, unknown = _compute_blast_radii([party.pk])
    if party.pk in unknown:
        raise RenkeiError(unknown[party.pk], status=404)
    return _named(results, user=user, party_names={party.pk: party.name})[party.pk]


@dataclass(frozen=True)
class ChainContacts:
    """A party of the notice chain with its incident and security contacts."""

    id: int | None
    name: str
    contacts: list[Any]


def notice_chain_contacts(*, user: Any, radius: NamedBlastRadius) -> list[ChainContacts]:
    """The contacts to notify along the notice chain, for the page."""
    from renkei.registry.models import Contact, ContactRole

    chain_ids = [o.id for o in radius.notice_chain]
    contacts = visible(
        Contact.objects.filter(
            organisation_id__in=chain_ids, role__in=[ContactRole.INCIDENT, ContactRole.SECURITY]
        ).select_related("organisation"),
        user,
    )
    by_org: dict[int, list[Any]] = {}
    for c in contacts:
        by_org.setdefault(c.organisation_id, []).append(c)
    return [ChainContacts(o.id, o.name, by_org.get(o.id, []) if o.id is not None else []) for o in radius.notice_chain]
