"""Supply-chain graph engine: tiers, reachability and the blast radius of a breach.

Pure functions over plain data (numpy arrays, tuples, mappings) with no ORM inside, so the same
code serves a request for one party, a worker recomputing a whole group, the tests and
``python -m bench.chain`` (10⁵ organisations / 10⁶ relationships).

Conventions
-----------
* Organisations are integer ids in every public argument and result. Inside, ids are mapped to
  dense indices ``0..n-1`` (ascending id order) so that the graph is a pair of CSR matrices.
* A relationship is directed ``source → target``: client/upstream → provider/downstream
  (own company → contractor → its subcontractor → …).
* The tier of an organisation is its number of hops from the own company along edge direction.
* Data may contain cycles and contradictory paths; every traversal is a BFS with a visited set
  (scipy's), so everything terminates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

IntArray = npt.NDArray[np.int64]
IdsLike = npt.ArrayLike

# Marker for "no organisation" (unknown id, unreachable node, holding with no known sender).
NONE = -1


class UnknownOrganisationError(ValueError):
    """An organisation id that is not a node of the graph was asked about."""


# --------------------------------------------------------------------------------------- graph


@dataclass(frozen=True, eq=False)
class ChainGraph:
    """Directed relationship graph in CSR form (build it with :func:`build_graph`).

    ``ids[i]`` is the organisation id of dense index ``i``; ``forward[i, j] != 0`` means an edge
    ``ids[i] → ids[j]``; ``reverse`` is its transpose (for walking upstream).
    """

    ids: IntArray
    forward: csr_matrix
    reverse: csr_matrix
    # id → index lookup table when ids are compact (the usual case for database keys): one
    # fancy-index instead of a binary search per lookup, which matters for 10⁵-row holdings.
    _lut: IntArray | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of organisations."""
        return int(self.ids.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of distinct relationships kept (no self-loops, no duplicates)."""
        return int(self.forward.nnz)

    def index_of(self, org_ids: IdsLike) -> IntArray:
        """Dense indices of ``org_ids`` (array); ``-1`` for ids that are not nodes."""
        q = np.asarray(org_ids, dtype=np.int64)
        if self._lut is not None:
            inside = (q >= 0) & (q < self._lut.shape[0])
            return np.where(inside, self._lut[np.where(inside, q, 0)], NONE)
        pos = np.searchsorted(self.ids, q)
        pos_c = np.minimum(pos, max(self.n_nodes - 1, 0))
        found = (pos < self.n_nodes) & (self.ids[pos_c] == q) if self.n_nodes else np.zeros(q.shape, bool)
        return np.where(found, pos_c, NONE)

    def index(self, org_id: int, *, what: str = "organisation") -> int:
        """Dense index of one organisation; raises :class:`UnknownOrganisationError` if absent."""
        i = int(self.index_of(np.array([org_id]))[0])
        if i < 0:
            raise UnknownOrganisationError(f"unknown {what} id {org_id}: not in the supply-chain graph")
        return i


def _sorted_unique(a: IntArray) -> IntArray:
    """Sorted distinct values. ``np.unique`` is hash-based in numpy ≥ 2.3 and ~50× slower than
    a plain sort for 10⁶ int64 keys, so sort and drop repeats ourselves."""
    s = np.sort(a)
    if s.size:
        s = s[np.concatenate(([True], s[1:] != s[:-1]))]
    return s


def _csr(rows: IntArray, cols: IntArray, n: int) -> csr_matrix:
    """CSR matrix with one float64 ``1.0`` per distinct (row, col).

    float64 data and int32 indices are what scipy.sparse.csgraph works on, so its validation
    does not convert (copy) a 10⁶-edge matrix on every traversal.
    """
    key = _sorted_unique(rows * np.int64(n) + cols)  # by row then column, duplicates dropped
    r, c = np.divmod(key, np.int64(max(n, 1)))
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    data = np.ones(key.shape[0], dtype=np.float64)
    m = csr_matrix((data, c.astype(np.int32), indptr), shape=(n, n), copy=False)
    m.has_sorted_indices = True
    return m


def build_graph(node_ids: IdsLike, sources: IdsLike, targets: IdsLike) -> ChainGraph:
    """Build a :class:`ChainGraph` from organisation ids and parallel edge arrays.

    ``sources[k] → targets[k]`` is one relationship (client → provider). Self-loops, duplicate
    edges and edges touching an id not in ``node_ids`` are dropped silently (dirty data is the
    norm; the caller validates at import time). Duplicate node ids are merged.
    """
    ids = _sorted_unique(np.asarray(node_ids, dtype=np.int64).ravel())
    n = int(ids.shape[0])
    lut = None
    if n and ids[0] >= 0 and ids[-1] < 4 * n + 1024:  # compact ids: a dense table is cheap
        lut = np.full(int(ids[-1]) + 1, NONE, dtype=np.int64)
        lut[ids] = np.arange(n, dtype=np.int64)
    empty = csr_matrix((n, n), dtype=np.float64)
    g = ChainGraph(ids=ids, forward=empty, reverse=empty, _lut=lut)
    s = g.index_of(sources)
    t = g.index_of(targets)
    if s.shape != t.shape:
        raise ValueError("sources and targets must have the same length")
    keep = (s >= 0) & (t >= 0) & (s != t)
    s, t = s[keep], t[keep]
    return ChainGraph(ids=ids, forward=_csr(s, t, n), reverse=_csr(t, s, n), _lut=lut)


def _bfs(adj: csr_matrix, start: int) -> IntArray:
    """Indices reachable from ``start`` (``start`` first), in BFS order."""
    return breadth_first_order(adj, start, directed=True, return_predecessors=False)


def _bfs_depths(adj: csr_matrix, start: int) -> tuple[IntArray, IntArray]:
    """Hop distance from ``start`` for every index (``-1`` unreachable) and BFS predecessors.

    scipy's BFS gives predecessors but not depths; depths follow by pointer jumping on the
    predecessor tree — O(n log depth) in numpy instead of a Python loop over 10⁵ nodes.
    """
    n = adj.shape[0]
    _order, pred = breadth_first_order(adj, start, directed=True, return_predecessors=True)
    pred = pred.astype(np.int64)
    has_parent = pred >= 0
    up = np.where(has_parent, pred, np.arange(n))  # root and unreachable nodes point to themselves
    depth = has_parent.astype(np.int64)  # hops from a node to up[node]
    while True:
        up_up = up[up]
        if np.array_equal(up_up, up):
            break
        depth += depth[up]
        up = up_up
    depth[(up != start)] = NONE  # chains that do not end at the root are unreachable
    return depth, pred


def tiers_array(graph: ChainGraph, root_id: int) -> IntArray:
    """Tier (hops from ``root_id``) of every organisation, aligned with ``graph.ids``; ``-1`` = unreachable."""
    depth, _ = _bfs_depths(graph.forward, graph.index(root_id, what="own company"))
    return depth


def compute_tiers(graph: ChainGraph, root_id: int) -> dict[int, int | None]:
    """Tier of every organisation as ``{org_id: hops}``; ``None`` for organisations not reachable."""
    depth = tiers_array(graph, root_id)
    # dict(zip) plus a pass over the unreachable few is ~3× faster than a conditional comprehension
    tiers: dict[int, int | None] = dict(zip(graph.ids.tolist(), depth.tolist(), strict=True))
    for org in graph.ids[depth < 0].tolist():
        tiers[org] = None
    return tiers


# ------------------------------------------------------------------------------------ holdings


class _Grouping(NamedTuple):
    """Per-table sort by (asset, holder), computed once and reused by every blast radius."""

    order: IntArray  # row indices sorted by asset, then holder
    starts: IntArray  # first position (in ``order``) of each asset
    assets: IntArray  # asset id of each group
    first_of_pair: npt.NDArray[np.bool_]  # position starts a new (asset, holder) pair
    ids_sorted: bool  # holding_id already ascending (the usual ORM order): no sort needed


@dataclass(frozen=True, eq=False)  # eq on arrays would be ambiguous; identity is what we want
class HoldingsTable:
    """Data holdings as parallel int64 arrays (one element per holding row).

    Row ``k``: organisation ``holder_id[k]`` holds ``records[k]`` records of our information asset
    ``asset_id[k]``, received from ``received_from_id[k]`` (``-1`` when unknown). Arrays keep a
    10⁵-row table cheap to filter; build one from tuples or model rows with :meth:`from_rows`.
    Build it once and reuse it for many parties: its sort by asset is cached on first use.
    """

    holding_id: IntArray
    asset_id: IntArray
    holder_id: IntArray
    received_from_id: IntArray
    records: IntArray

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, np.asarray(getattr(self, f.name), dtype=np.int64).ravel())
        if len({getattr(self, f.name).shape for f in dataclasses.fields(self)}) > 1:
            raise ValueError("HoldingsTable columns must have the same length")

    def __len__(self) -> int:
        return int(self.holding_id.shape[0])

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[int | None]]) -> HoldingsTable:
        """From ``(holding_id, asset_id, holder_org_id, received_from_org_id, records)`` rows.

        ``received_from_org_id`` and ``records`` may be ``None`` (stored as ``-1`` and ``0``).
        """
        rows = rows if isinstance(rows, list) else list(rows)
        try:  # fast path: no None anywhere
            arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
        except TypeError:
            clean = [(h, a, o, NONE if f is None else f, 0 if r is None else r) for h, a, o, f, r in rows]
            arr = np.array(clean, dtype=np.int64).reshape(-1, 5)
        return cls(*(np.ascontiguousarray(arr[:, i]) for i in range(5)))

    @cached_property
    def _grouping(self) -> _Grouping:
        order = np.lexsort((self.holder_id, self.asset_id))
        a, h = self.asset_id[order], self.holder_id[order]
        new_asset = np.concatenate(([True], a[1:] != a[:-1])) if a.size else np.zeros(0, bool)
        new_pair = new_asset.copy()
        new_pair[1:] |= h[1:] != h[:-1]
        starts = np.flatnonzero(new_asset)
        ids_sorted = bool(np.all(self.holding_id[1:] > self.holding_id[:-1]))
        return _Grouping(order, starts, a[starts], new_pair, ids_sorted)


class AssetInfo(NamedTuple):
    """Owner group company and total record count of an information asset (either may be unknown)."""

    owner_org_id: int | None
    total_records: int | None


class AccessRow(NamedTuple):
    """A party's access to one of our systems (input row; output rows are the same as dicts)."""

    org_id: int
    system: str
    level: str
    accounts: int


# ------------------------------------------------------------------------------------- results


@dataclass
class AssetExposure:
    """One information asset as seen from a breached party and its downstream."""

    asset_id: int
    owner_org_id: int | None
    exposed_records: int
    total_records: int | None
    holders: list[int]  # organisations in the radius holding the asset, ascending

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return dict(self.__dict__)


@dataclass
class BlastRadius:
    """What a breach at ``party_id`` reaches (downstream, data) and who must hear of it (upstream)."""

    party_id: int
    root_id: int
    party_tier: int | None
    downstream: list[int]
    notice_chain: list[int]
    upstream: list[int]
    assets: list[AssetExposure]
    exposed_records: int
    exposed_holding_ids: list[int]
    affected_group_companies: list[int]
    access: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (ints, strings, lists, dicts) ready for orjson.

        Not ``dataclasses.asdict``: it deep-copies every element, ~100 ms for 10⁵-long lists.
        """
        out = dict(self.__dict__)
        out["assets"] = [a.as_dict() for a in self.assets]
        return out


# -------------------------------------------------------------------------------- blast radius


def _asset_exposures(
    h: HoldingsTable,
    exposed: npt.NDArray[np.bool_],
    entry: npt.NDArray[np.bool_],
    assets: Mapping[int, Any],
) -> list[AssetExposure]:
    """Group exposed holdings per asset; count only records entering the radius from outside.

    Works on the whole table in its cached (asset, holder) order with masked values, so a call
    is a handful of vectorised passes plus a Python loop over assets (not over holdings).
    """
    if len(h) == 0:
        return []
    g = h._grouping
    ex = exposed[g.order]
    recs = h.records[g.order]
    n_exposed = np.add.reduceat(ex.astype(np.int64), g.starts)
    entering = np.add.reduceat(np.where(ex & entry[g.order], recs, 0), g.starts)
    # A copy cannot hold more than exists, so any single holding is a lower bound; this also
    # keeps an all-internal cycle (every holding received from inside the radius) from reading 0.
    largest = np.maximum.reduceat(np.where(ex, recs, 0), g.starts)
    # "exposed" depends only on the holder, so a pair's first row speaks for the whole pair.
    pair = g.first_of_pair & ex
    holders = h.holder_id[g.order][pair].tolist()
    bounds = np.concatenate(([0], np.cumsum(np.add.reduceat(pair.astype(np.int64), g.starts)))).tolist()
    out = []
    for k in np.flatnonzero(n_exposed).tolist():
        a = int(g.assets[k])
        owner, total = assets.get(a, (None, None))
        n = max(int(entering[k]), int(largest[k]))
        if total is not None:
            n = min(n, int(total))
        out.append(
            AssetExposure(
                asset_id=a,
                owner_org_id=None if owner is None else int(owner),
                exposed_records=n,
                total_records=None if total is None else int(total),
                holders=holders[bounds[k] : bounds[k + 1]],
            )
        )
    return out


def blast_radius(
    graph: ChainGraph,
    *,
    party_id: int,
    root_id: int,
    holdings: HoldingsTable,
    assets: Mapping[int, AssetInfo | tuple[int | None, int | None]],
    group_company_ids: Iterable[int],
    access: Iterable[AccessRow | tuple[int, str, str, int]] = (),
) -> BlastRadius:
    """Blast radius of a breach at ``party_id``.

    * ``downstream``: every organisation reachable from the party along edge direction (ascending,
      the party itself excluded even when it sits on a cycle).
    * exposed holdings (``exposed_holding_ids``, ascending): those held by the party or anyone
      downstream. Per asset (``assets``, ascending asset id), records are counted once: only
      holdings received from *outside* the radius (party + downstream) or from an unknown sender
      count, since copies passed further down are the same records; the figure is at least the
      largest single exposed holding and at most the asset's total when known.
    * ``notice_chain``: a shortest path ``root_id → … → party_id`` (empty if unreachable) — who
      passes the notice up; ``party_tier`` is its length in hops. ``upstream``: every ancestor of
      the party that the root reaches, i.e. every organisation on some root → party path
      (ascending, party excluded; includes the root).
    * ``affected_group_companies``: owners of exposed assets, plus the members of
      ``group_company_ids`` that are upstream of the party or are the party itself.
    * ``access``: the given access rows whose organisation is the party or downstream, in input
      order, as dicts ``{org_id, system, level, accounts}``.

    ``assets`` maps asset id → ``(owner_org_id, total_records)``; assets missing from it have an
    unknown owner and total. Unknown ``party_id`` or ``root_id`` raise
    :class:`UnknownOrganisationError` (a ``ValueError``).
    """
    p = graph.index(party_id, what="party")
    r = graph.index(root_id, what="own company")
    n = graph.n_nodes

    in_radius = np.zeros(n, dtype=bool)
    in_radius[_bfs(graph.forward, p)] = True
    downstream_mask = in_radius.copy()
    downstream_mask[p] = False

    # Upstream = ancestors of the party ∩ what the root reaches. One BFS from the root gives that
    # set and, through its predecessors (a BFS tree is a shortest-path tree), the notice chain.
    from_root, pred = breadth_first_order(graph.forward, r, directed=True, return_predecessors=True)
    chain: list[int] = []
    upstream_mask = np.zeros(n, dtype=bool)
    if p == r or pred[p] >= 0:
        v = p
        while v >= 0:  # at most `tier` steps: the predecessor tree has no cycles
            chain.append(v)
            v = int(pred[v])
        chain.reverse()
        reached = np.zeros(n, dtype=bool)
        reached[from_root] = True
        upstream_mask[_bfs(graph.reverse, p)] = True
        upstream_mask &= reached
        upstream_mask[p] = False

    # Holdings: a sender that is unknown (-1) or not a node is outside the radius by definition.
    holder_idx = graph.index_of(holdings.holder_id)
    from_idx = graph.index_of(holdings.received_from_id)
    exposed = (holder_idx >= 0) & in_radius[np.maximum(holder_idx, 0)]
    entry = (from_idx < 0) | ~in_radius[np.maximum(from_idx, 0)]
    asset_rows = _asset_exposures(holdings, exposed, entry, assets)
    exposed_ids = holdings.holding_id[exposed]
    if not holdings._grouping.ids_sorted:
        exposed_ids = np.sort(exposed_ids)

    upstream_ids = graph.ids[upstream_mask]
    groups = np.fromiter(group_company_ids, dtype=np.int64)
    affected = set(groups[np.isin(groups, np.append(upstream_ids, party_id))].tolist())
    affected.update(a.owner_org_id for a in asset_rows if a.owner_org_id is not None)

    access = access if isinstance(access, list | tuple) else list(access)
    access_out: list[dict[str, Any]] = []
    if access:
        org_idx = graph.index_of(np.fromiter((row[0] for row in access), dtype=np.int64, count=len(access)))
        keep = ((org_idx >= 0) & in_radius[np.maximum(org_idx, 0)]).tolist()
        access_out = [
            {"org_id": int(o), "system": str(s), "level": str(lv), "accounts": int(c)}
            for (o, s, lv, c), k in zip(access, keep, strict=True)
            if k
        ]

    return BlastRadius(
        party_id=int(party_id),
        root_id=int(root_id),
        party_tier=len(chain) - 1 if chain else None,
        downstream=graph.ids[downstream_mask].tolist(),
        notice_chain=graph.ids[np.array(chain, dtype=np.int64)].tolist() if chain else [],
        upstream=upstream_ids.tolist(),
        assets=asset_rows,
        exposed_records=sum(a.exposed_records for a in asset_rows),
        exposed_holding_ids=exposed_ids.tolist(),
        affected_group_companies=sorted(affected),
        access=access_out,
    )
