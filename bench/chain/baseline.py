"""The same computations with networkx and plain Python: the baseline the engine must beat ≥ 10×."""

from __future__ import annotations

from collections import deque
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
    holdings: Sequence[tuple[Any, ...]],
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

    # Which holdings the breach reaches: the party's own, then copies passed on from a reached
    # (asset, organisation) pair, one hop at a time, both ends inside the radius (engine docstring:
    # `_reached_through`). Plain Python, a queue per pair, written independently of the engine.
    by_sender: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for row in holdings:
        frm = row[3]
        if frm is not None and frm >= 0:
            by_sender.setdefault((row[1], frm), []).append(row)
    seeds = {(row[1], party_id) for row in holdings if row[2] == party_id}
    seeds |= {key for key in by_sender if key[1] == party_id}
    reached = set(seeds)
    queue = deque(seeds)
    while queue:
        asset, org = queue.popleft()
        for row in by_sender.get((asset, org), ()):
            if row[2] in radius and (asset, row[2]) not in reached:
                reached.add((asset, row[2]))
                queue.append((asset, row[2]))
    exposed_rows = [
        row
        for row in holdings
        if row[2] in radius and (row[2] == party_id or (row[3] is not None and (row[1], row[3]) in reached))
    ]
    holds_exposed = {(row[1], row[2]) for row in exposed_rows}

    # per asset: [known entering sum, entering rows, unknown entering, unknown exposed, largest known, holders]
    per_asset: dict[int, list[Any]] = {}
    exposed_ids = []
    for hid, asset, holder, frm, records in exposed_rows:
        exposed_ids.append(hid)
        acc = per_asset.setdefault(asset, [0, 0, 0, 0, 0, set()])
        entering = frm is None or frm < 0 or (asset, frm) not in holds_exposed
        if entering:
            acc[1] += 1
            if records is None:
                acc[2] += 1
            else:
                acc[0] += records
        if records is None:
            acc[3] += 1
        else:
            acc[4] = max(acc[4], records)
        acc[5].add(holder)
    asset_rows = []
    for asset in sorted(per_asset):
        entering_sum, n_entering, unknown_entering, unknown_exposed, largest, holders = per_asset[asset]
        owner, total = assets.get(asset, (None, None))
        n = max(entering_sum, largest)
        if total is not None:
            n = min(n, total)
        unknown = unknown_entering > 0 if n_entering else unknown_exposed > 0
        asset_rows.append(
            {
                "asset_id": asset,
                "owner_org_id": owner,
                "exposed_records": None if unknown else n,
                "total_records": total,
                "holders": sorted(holders),
                "records_at_least": n,
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
        "exposed_records": None
        if any(a["exposed_records"] is None for a in asset_rows)
        else sum(a["exposed_records"] for a in asset_rows),
        "exposed_holding_ids": sorted(exposed_ids),
        "affected_group_companies": sorted(affected),
        "access": [
            {"org_id": o, "system": s, "level": lv, "accounts": c} for o, s, lv, c in access if o in radius
        ],
        "exposed_records_at_least": sum(a["records_at_least"] for a in asset_rows),
    }
