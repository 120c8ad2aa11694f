"""The same computations with networkx and plain Python: the baseline the engine must beat ≥ 10×."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx


def build(node_ids: Sequence[int], sources: Sequence[int], targets: Sequence[int]) -> nx.DiGraph:
    """DiGraph with the engine's rules: self-loops and edges to unknown ids dropped."""
    g = nx.DiGraph()
    g.add_nodes_from(node_ids)
    g.add_edges_from((s, t) for s, t in zip(sources, targets, strict=True) if s != t and s in g and t in g)
    return g


def tiers(g: nx.DiGraph, root: int) -> dict[int, int | None]:
    """Hops from ``root`` for every node, ``None`` when unreachable."""
    dist = nx.single_source_shortest_path_length(g, root)
    return {v: dist.get(v) for v in g}


def blast_radius(
    g: nx.DiGraph,
    *,
    party_id: int,
    root_id: int,
    holdings: Sequence[tuple[int, int, int, int, int]],
    assets: dict[int, tuple[int | None, int | None]],
    group_company_ids: Sequence[int],
    access: Sequence[tuple[int, str, str, int]],
) -> dict[str, Any]:
    """Same result as ``engine.blast_radius(...).as_dict()`` (up to the choice among equally short chains)."""
    downstream = nx.descendants(g, party_id)
    radius = downstream | {party_id}
    try:
        chain = nx.shortest_path(g, root_id, party_id)
    except nx.NetworkXNoPath:
        chain = []
    upstream: set[int] = set()
    if chain:
        upstream = (nx.ancestors(g, party_id) & (nx.descendants(g, root_id) | {root_id})) - {party_id}

    per_asset: dict[int, list[Any]] = {}  # asset → [entering, largest, holders]
    exposed_ids = []
    for hid, asset, holder, frm, records in holdings:
        if holder not in radius:
            continue
        exposed_ids.append(hid)
        acc = per_asset.setdefault(asset, [0, 0, set()])
        if frm not in radius:
            acc[0] += records
        acc[1] = max(acc[1], records)
        acc[2].add(holder)
    asset_rows = []
    for asset in sorted(per_asset):
        entering, largest, holders = per_asset[asset]
        owner, total = assets.get(asset, (None, None))
        n = max(entering, largest)
        if total is not None:
            n = min(n, total)
        asset_rows.append(
            {
                "asset_id": asset,
                "owner_org_id": owner,
                "exposed_records": n,
                "total_records": total,
                "holders": sorted(holders),
            }
        )
    affected = {c for c in group_company_ids if c in upstream or c == party_id}
    affected |= {a["owner_org_id"] for a in asset_rows if a["owner_org_id"] is not None}
    return {
        "party_id": party_id,
        "root_id": root_id,
        "party_tier": len(chain) - 1 if chain else None,
        "downstream": sorted(downstream),
        "notice_chain": chain,
        "upstream": sorted(upstream),
        "assets": asset_rows,
        "exposed_records": sum(a["exposed_records"] for a in asset_rows),
        "exposed_holding_ids": sorted(exposed_ids),
        "affected_group_companies": sorted(affected),
        "access": [
            {"org_id": o, "system": s, "level": lv, "accounts": c} for o, s, lv, c in access if o in radius
        ],
    }
