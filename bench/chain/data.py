"""Deterministic synthetic supply chain for the chain benchmark.

Organisation ids are ``0..n-1``; ``0`` is the own company and ``1..GROUPS`` its group companies
(tier 1). The rest sit in tiers of growing size (contractors → subcontractors → …); every node of
tier k ≥ 2 has a parent in tier k-1 so the tiers are exact, most other edges point one tier
outward, some stay inside a tier and a few point back inward (cycles, contradictory paths). About
1 % of the organisations form an island that the own company does not reach.

Data holdings flow down along edges in waves: first contractors receive records from the owning
group company, then each wave copies (part of) a previous holding to a subcontractor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

GROUPS = 5
TIER_SHARES = (0.005, 0.03, 0.12, 0.30)  # tiers 1-4; tier 5 takes the rest (minus the island)
FORWARD, CROSS = 0.93, 0.06  # the remaining 1 % of edges point back inward
SYSTEMS = [f"system-{i:02d}" for i in range(40)]
LEVELS = ["read", "write", "admin"]


@dataclass
class ChainData:
    """Plain arrays as a selector would hand them to the engine."""

    node_ids: np.ndarray
    tier: np.ndarray  # intended tier (-1 for the island) — only for picking benchmark parties
    sources: np.ndarray
    targets: np.ndarray
    holdings: np.ndarray  # (k, 5): holding_id, asset_id, holder, received_from, records
    assets: dict[int, tuple[int | None, int | None]]
    access: list[tuple[int, str, str, int]]
    group_company_ids: list[int]


def _pick(rng: np.random.Generator, start: np.ndarray, size: np.ndarray) -> np.ndarray:
    """One uniform random index inside each [start, start + size) range."""
    return start + (rng.random(start.shape[0]) * size).astype(np.int64)


def generate(
    n: int, m: int, *, n_assets: int = 200, n_holdings: int | None = None, seed: int = 42
) -> ChainData:
    """Generate ``n`` organisations, exactly ``m`` distinct edges (if possible), holdings and access."""
    rng = np.random.default_rng(seed)
    n_holdings = 2 * n if n_holdings is None else n_holdings
    island = max(n // 100, 2)
    sizes = [1, GROUPS] + [max(int(n * s), 2) for s in TIER_SHARES]
    sizes.append(n - island - sum(sizes))
    if sizes[-1] < 2:
        raise ValueError("too few nodes for the tier layout")
    starts = np.cumsum([0, *sizes])  # tier t occupies [starts[t], starts[t+1]); tier 1 = group companies
    # group companies and the first contractor tier are both tier 1
    tier_of = np.repeat(np.arange(len(sizes)), sizes)
    tier_of[tier_of >= 2] -= 1
    tier_of = np.concatenate([tier_of, np.ones(island, np.int64)])  # island: placeholder, never used
    t_start = np.array([0, 1] + list(starts[3:-1]), dtype=np.int64)
    t_size = np.array([1, sizes[1] + sizes[2]] + sizes[3:], dtype=np.int64)
    n_tiers = len(t_size)
    reach_n = n - island

    # Spanning edges: own → tier 1; every later node gets one parent one tier inward.
    tier1 = np.arange(1, t_start[2])
    later = np.arange(t_start[2], reach_n)
    span_s = np.concatenate(
        [np.zeros(tier1.size, np.int64), _pick(rng, t_start[tier_of[later] - 1], t_size[tier_of[later] - 1])]
    )
    span_t = np.concatenate([tier1, later])

    def random_edges(k: int) -> tuple[np.ndarray, np.ndarray]:
        kind = rng.random(k)
        tgt = rng.integers(1, n, size=k)
        tt = tier_of[tgt]
        in_island = tgt >= reach_n
        src_tier = np.where(
            kind < FORWARD, tt - 1, np.where(kind < FORWARD + CROSS, tt, np.minimum(tt + 1, n_tiers - 1))
        )
        src_tier = np.clip(src_tier, 1, n_tiers - 1)
        src = _pick(rng, t_start[src_tier], t_size[src_tier])
        # the island only links within itself
        src = np.where(in_island, reach_n + rng.integers(0, island, size=k), src)
        return src, tgt

    src, tgt = span_s, span_t
    while True:
        key = np.unique(src * n + tgt)
        key = key[key // n != key % n]
        if key.size >= m or key.size >= n * (n - 1):
            break
        es, et = random_edges(int((m - key.size) * 1.05) + 16)
        src = np.concatenate([src, es])
        tgt = np.concatenate([tgt, et])
    # keep the spanning edges (tiers stay exact), drop random extras down to m
    span_key = np.unique(span_s * n + span_t)
    extra = np.setdiff1d(key, span_key)
    extra = rng.permutation(extra)[: max(m - span_key.size, 0)]
    key = rng.permutation(np.concatenate([span_key, extra]))
    sources, targets = np.divmod(key, n)

    # Holdings: wave 0 at tier-1 organisations, received from the asset's owner; later waves
    # pass a holding (or part of it) to a random provider of its holder.
    owners = rng.integers(0, GROUPS + 1, size=n_assets)
    out = csr_matrix((np.ones(key.size), (sources, targets)), shape=(n, n))
    indptr, indices = out.indptr.astype(np.int64), out.indices.astype(np.int64)
    w0 = max(n_holdings // 50, 1)
    asset = rng.integers(0, n_assets, size=w0)
    holder = rng.integers(1, t_start[2], size=w0)
    frm = owners[asset]
    recs = rng.integers(100, 100_000, size=w0)
    waves = [(asset, holder, frm, recs)]
    total = w0
    while total < n_holdings:
        a, h, _f, r = (np.concatenate(c) for c in zip(*waves, strict=True))
        k = min(n_holdings - total, max(total, 1))
        pick = rng.integers(0, a.size, size=k)
        deg = indptr[h[pick] + 1] - indptr[h[pick]]
        ok = deg > 0
        pick, deg = pick[ok], deg[ok]
        child = indices[indptr[h[pick]] + (rng.random(pick.size) * deg).astype(np.int64)]
        share = rng.uniform(0.2, 1.0, size=pick.size)
        waves.append((a[pick], child, h[pick], np.maximum((r[pick] * share).astype(np.int64), 1)))
        total += pick.size
    a, h, f, r = (np.concatenate(c) for c in zip(*waves, strict=True))
    holdings = np.column_stack([np.arange(1, a.size + 1), a + 1, h, f, r]).astype(np.int64)

    # Asset totals: around the records first handed out, so some exposures hit the cap; a few unknown.
    handed = np.bincount(asset, weights=recs, minlength=n_assets)
    factor = rng.uniform(0.6, 1.5, size=n_assets)
    assets: dict[int, tuple[int | None, int | None]] = {}
    for i in range(n_assets):
        known = rng.random() > 0.1
        assets[i + 1] = (int(owners[i]), int(handed[i] * factor[i]) + 1 if known else None)

    n_access = max(n // 5, 1)
    acc_org = rng.integers(1, n, size=n_access).tolist()
    acc_sys = rng.integers(0, len(SYSTEMS), size=n_access).tolist()
    acc_lvl = rng.integers(0, len(LEVELS), size=n_access).tolist()
    acc_cnt = rng.integers(1, 50, size=n_access).tolist()
    access = [
        (o, SYSTEMS[s], LEVELS[lv], c) for o, s, lv, c in zip(acc_org, acc_sys, acc_lvl, acc_cnt, strict=True)
    ]
    tier = np.where(np.arange(n) >= reach_n, -1, tier_of)
    return ChainData(
        node_ids=np.arange(n, dtype=np.int64),
        tier=tier,
        sources=sources.astype(np.int64),
        targets=targets.astype(np.int64),
        holdings=holdings,
        assets=assets,
        access=access,
        group_company_ids=list(range(GROUPS + 1)),
    )
