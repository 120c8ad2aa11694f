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
* Record counts may be unknown: ``UNKNOWN`` (-1) inside, ``None`` in results, never 0.
* Our data held by parties (the holdings table, its copies graph and the exposure per asset) is
  in :mod:`renkei.chain.holdings`; its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from renkei.chain.holdings import (
    NONE,
    UNKNOWN,
    AssetExposure,
    HoldingsTable,
    asset_exposures,
    reached_through,
    sum_records,
)

IntArray = npt.NDArray[np.int64]
IdsLike = npt.ArrayLike

__all__ = [
    "NONE",
    "UNKNOWN",
    "AccessRow",
    "AssetExposure",
    "AssetInfo",
    "BlastRadius",
    "ChainGraph",
    "HoldingsTable",
    "UnknownOrganisationError",
    "blast_radius",
    "build_graph",
    "compute_tiers",
    "sum_records",
    "tiers_array",
]


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
class BlastRadius:
    """What a breach at ``party_id`` reaches (downstream, data) and who must hear of it (upstream)."""

    party_id: int
    root_id: int
    party_tier: int | None
    downstream: list[int]
    notice_chain: list[int]
    upstream: list[int]
    assets: list[AssetExposure]
    exposed_records: int | None  # None when any asset's count is unknown
    exposed_holding_ids: list[int]
    affected_group_companies: list[int]
    access: list[dict[str, Any]]
    exposed_records_at_least: int = 0  # the sum of what the known counts prove

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (ints, strings, lists, dicts) ready for orjson.

        Not ``dataclasses.asdict``: it deep-copies every element, ~100 ms for 10⁵-long lists.
        """
        out = dict(self.__dict__)
        out["assets"] = [a.as_dict() for a in self.assets]
        return out


# -------------------------------------------------------------------------------- blast radius


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
    * exposed holdings (``exposed_holding_ids``, ascending): the data that reached the party or
      reached downstream parties *through* it (see :func:`renkei.chain.holdings.reached_through`: the party's own
      holdings, and copies received from it or from an exposed holder further down; not what a
      downstream party received from someone else directly). Per asset (``assets``, ascending
      asset id), records are counted once: only holdings entering the exposure from outside it
      count, since copies passed further down are the same records; the figure is at least the
      largest single exposed holding and at most the asset's total when known. Unknown counts
      make the figure ``None`` (with ``records_at_least`` beside it); ``exposed_records`` is the
      sum over assets, ``None`` if any is unknown (``exposed_records_at_least`` beside it).
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

    if len(holdings):
        holder_idx = graph.index_of(holdings.holder_id)
        pair_idx = graph.index_of(holdings._flows.pair_org)
        exposed, entry = reached_through(
            holdings,
            party_id=int(party_id),
            holder_in=(holder_idx >= 0) & in_radius[np.maximum(holder_idx, 0)],
            pair_in=(pair_idx >= 0) & in_radius[np.maximum(pair_idx, 0)],
        )
    else:
        exposed = entry = np.zeros(0, dtype=bool)
    asset_rows = asset_exposures(holdings, exposed, entry, assets)
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
        exposed_records=sum_records(a.exposed_records for a in asset_rows),
        exposed_holding_ids=exposed_ids.tolist(),
        affected_group_companies=sorted(affected),
        access=access_out,
        exposed_records_at_least=sum(a.records_at_least for a in asset_rows),
    )
