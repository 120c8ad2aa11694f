"""Our data held by parties, for the blast radius (``engine.blast_radius``): the holdings table,
the copies they form (who received what from whom) and the exposure per information asset.

Pure numpy/scipy over plain arrays, no ORM and no graph of organisations: the engine passes in
which organisations are in the radius. Record counts may be unknown: ``UNKNOWN`` (-1) inside,
``None`` in results, never 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Marker for "no organisation" (unknown id, unreachable node, holding with no known sender).
NONE = -1
# Marker for an unknown record count in ``HoldingsTable.records`` (``None`` in every result).
UNKNOWN = -1



class _Grouping(NamedTuple):
    """Per-table sort by (asset, holder), computed once and reused by every blast radius."""

    order: IntArray  # row indices sorted by asset, then holder
    starts: IntArray  # first position (in ``order``) of each asset
    assets: IntArray  # asset id of each group
    ids_sorted: bool  # holding_id already ascending (the usual ORM order): no sort needed


@dataclass(frozen=True, eq=False)  # eq on arrays would be ambiguous; identity is what we want
class HoldingsTable:
    """Data holdings as parallel int64 arrays (one element per holding row).

    Row ``k``: organisation ``holder_id[k]`` holds ``records[k]`` records (``UNKNOWN`` = -1 when not
    known) of our information asset ``asset_id[k]``, received from ``received_from_id[k]`` (``-1``
    when unknown). Arrays keep a
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

        ``received_from_org_id`` and ``records`` may be ``None`` (both stored as ``-1``: no sender,
        ``UNKNOWN`` records — an unknown count is never read as 0).
        """
        rows = rows if isinstance(rows, list) else list(rows)
        try:  # fast path: no None anywhere
            arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
        except TypeError:  # None → NaN in one C pass (ids and counts are far below 2⁵³), then -1
            raw = np.array(rows, dtype=np.float64).reshape(-1, 5)
            if np.isnan(raw[:, :3]).any():
                raise ValueError("holding, asset and holder ids may not be None") from None
            arr = np.where(np.isnan(raw), -1, raw).astype(np.int64)  # NONE sender, UNKNOWN records
        return cls(*(np.ascontiguousarray(arr[:, i]) for i in range(5)))

    @cached_property
    def _grouping(self) -> _Grouping:
        # One int64 key (asset, holder) and an unstable sort: ties need no order, and lexsort or a
        # stable sort costs 5–10× more on 10⁵ rows.
        span = np.int64(int(self.holder_id.max(initial=0)) + 1)
        order = np.argsort(self.asset_id * span + self.holder_id)
        a = self.asset_id[order]
        new_asset = np.concatenate(([True], a[1:] != a[:-1])) if a.size else np.zeros(0, bool)
        starts = np.flatnonzero(new_asset)
        ids_sorted = bool(np.all(self.holding_id[1:] > self.holding_id[:-1]))
        return _Grouping(order, starts, a[starts], ids_sorted)

    @cached_property
    def _flows(self) -> _Flows:
        """The holdings as a graph of copies (see :class:`_Flows`), built once per table."""
        n = len(self)
        has_sender = self.received_from_id >= 0
        # One key per (asset, organisation): asset * span + organisation + 1 (ids ≥ 0; -1 = no sender).
        span = np.int64(max(int(self.holder_id.max(initial=0)), int(self.received_from_id.max(initial=0))) + 2)
        keys = np.concatenate((self.asset_id * span + self.holder_id, self.asset_id * span + self.received_from_id)) + 1
        order = np.argsort(keys)
        k_sorted = keys[order]
        new = np.concatenate(([True], k_sorted[1:] != k_sorted[:-1])) if keys.size else np.zeros(0, bool)
        pair_of = np.empty(keys.size, dtype=np.int64)
        pair_of[order] = np.cumsum(new) - 1
        pair_org = k_sorted[new] % span - 1
        holder_pair, sender_pair = pair_of[:n], np.where(has_sender, pair_of[n:], NONE)
        # Edges sender pair → holder pair, sorted by sender pair (CSR rows).
        src, dst = sender_pair[has_sender], holder_pair[has_sender]
        by_src = np.argsort(src)
        return _Flows(holder_pair, sender_pair, pair_org, src[by_src], dst[by_src])


class _Flows(NamedTuple):
    """The holdings as a graph of copies, computed once per table and reused by every blast radius.

    A node is a pair (asset, organisation) that holds or passed on the asset; holding ``k`` is an
    edge ``sender_pair[k] → holder_pair[k]`` (none when the sender is unknown).
    """

    holder_pair: IntArray  # pair index of each holding's (asset, holder)
    sender_pair: IntArray  # pair index of each holding's (asset, sender); -1 when unknown
    pair_org: IntArray  # organisation id of each pair
    edge_src: IntArray  # sender pair of each edge, ascending
    edge_dst: IntArray  # holder pair of each edge


@dataclass
class AssetExposure:
    """One information asset as seen from a breached party and its downstream.

    ``exposed_records`` is ``None`` when a count it depends on is unknown; ``records_at_least`` is
    then what the known counts prove (0 when nothing is known), and equals ``exposed_records``
    otherwise.
    """

    asset_id: int
    owner_org_id: int | None
    exposed_records: int | None
    total_records: int | None
    holders: list[int]  # organisations in the radius holding the asset, ascending
    records_at_least: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return dict(self.__dict__)


def sum_records(counts: Iterable[int | None]) -> int | None:
    """Total of record (or person) counts: ``None`` as soon as one is unknown — unknown + 100 is
    not 100 but "at least 100", which callers show as unknown with the known part beside it."""
    total = 0
    for c in counts:
        if c is None:
            return None
        total += c
    return total


def asset_exposures(
    h: HoldingsTable,
    exposed: BoolArray,
    entry: BoolArray,
    assets: Mapping[int, Any],
) -> list[AssetExposure]:
    """Group exposed holdings per asset; count only records entering the radius from outside.

    Works on the whole table in its cached (asset, holder) order with masked values, so a call
    is a handful of vectorised passes plus a Python loop over assets (not over holdings).
    A count is unknown when an entering holding's count is unknown, or, when no holding enters
    (a closed cycle of copies), when any exposed holding's count is unknown.
    """
    if len(h) == 0:
        return []
    g = h._grouping
    ex = exposed[g.order]
    recs = h.records[g.order]
    known = recs >= 0
    ent = ex & entry[g.order]
    n_exposed = np.add.reduceat(ex.astype(np.int64), g.starts)
    n_entering = np.add.reduceat(ent.astype(np.int64), g.starts)
    entering = np.add.reduceat(np.where(ent & known, recs, 0), g.starts)
    unknown_entering = np.add.reduceat((ent & ~known).astype(np.int64), g.starts)
    unknown_exposed = np.add.reduceat((ex & ~known).astype(np.int64), g.starts)
    # A copy cannot hold more than exists, so any single holding is a lower bound; this also
    # keeps an all-internal cycle (every holding received from inside the radius) from reading 0.
    largest = np.maximum.reduceat(np.where(ex & known, recs, 0), g.starts)
    # Distinct holders per asset among the exposed rows (exposure is per holding: a holder may have
    # one copy through the party and another from elsewhere), in the cached (asset, holder) order.
    pos = np.flatnonzero(ex)
    a_ex, h_ex = h.asset_id[g.order][pos], h.holder_id[g.order][pos]
    first = np.ones(pos.shape[0], dtype=bool)
    first[1:] = (a_ex[1:] != a_ex[:-1]) | (h_ex[1:] != h_ex[:-1])
    holders = h_ex[first].tolist()
    group_of = np.searchsorted(g.starts, pos[first], side="right") - 1
    bounds = np.concatenate(([0], np.cumsum(np.bincount(group_of, minlength=g.starts.shape[0])))).tolist()
    out = []
    for k in np.flatnonzero(n_exposed).tolist():
        a = int(g.assets[k])
        owner, total = assets.get(a, (None, None))
        n = max(int(entering[k]), int(largest[k]))
        if total is not None:
            n = min(n, int(total))
        unknown = unknown_entering[k] > 0 if n_entering[k] else unknown_exposed[k] > 0
        out.append(
            AssetExposure(
                asset_id=a,
                owner_org_id=None if owner is None else int(owner),
                exposed_records=None if unknown else n,
                total_records=None if total is None else int(total),
                holders=holders[bounds[k] : bounds[k + 1]],
                records_at_least=n,
            )
        )
    return out


def reached_through(
    h: HoldingsTable, *, party_id: int, holder_in: BoolArray, pair_in: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Which holdings the data of a breach at the party reaches, and which of them enter from outside.

    The rule (holdings record their sender, so provenance decides, not mere reachability):

    * every holding of the party itself is exposed, whoever it came from;
    * a holding of anyone else is exposed only if its holder is in the radius (downstream of the
      party along relationships) and it was received from a pair (asset, sender) that the data
      reaches: the party itself (what it passed on, also when it holds no copy of its own — the
      owning company or the own company as the party), or an exposed holder of the same asset, each
      step staying inside the radius. A downstream copy received directly from someone else (the own
      company, another contractor) or from an unknown sender is not exposed by this party.

    "Entering": an exposed holding whose sender holds no exposed copy of that asset (the party's
    copies from outside, or what the party passed on without a recorded copy): only those add up;
    the rest are copies of the same records.

    ``holder_in`` (per holding) and ``pair_in`` (per pair of ``h._flows``) say whether the
    organisation is in the radius (the party or downstream of it along relationships).
    """
    f = h._flows
    n_pairs = int(f.pair_org.shape[0])
    # The copies graph restricted to the radius, plus a virtual source (row n_pairs) → the party's pairs.
    keep = pair_in[f.edge_src] & pair_in[f.edge_dst]
    seeds = np.flatnonzero(f.pair_org == party_id)
    rows = np.concatenate((f.edge_src[keep], np.full(seeds.shape[0], n_pairs, dtype=np.int64)))
    cols = np.concatenate((f.edge_dst[keep], seeds))
    indptr = np.zeros(n_pairs + 2, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_pairs + 1), out=indptr[1:])
    adj = csr_matrix(
        (np.ones(cols.shape[0], dtype=np.float64), cols.astype(np.int32), indptr),
        shape=(n_pairs + 1, n_pairs + 1),
        copy=False,
    )
    reached = np.zeros(n_pairs + 1, dtype=bool)
    reached[breadth_first_order(adj, n_pairs, directed=True, return_predecessors=False)] = True
    sender_reached = (f.sender_pair >= 0) & reached[np.maximum(f.sender_pair, 0)]
    exposed = holder_in & ((h.holder_id == party_id) | sender_reached)
    holds_exposed = np.zeros(n_pairs, dtype=bool)
    holds_exposed[f.holder_pair[exposed]] = True
    entry = (f.sender_pair < 0) | ~holds_exposed[np.maximum(f.sender_pair, 0)]
    return exposed, entry
