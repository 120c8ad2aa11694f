"""Benchmark of the supply-chain engine against networkx.

Run from the project root::

    .venv/bin/python -m bench.chain                  # 100,000 organisations, 1,000,000 relationships
    .venv/bin/python -m bench.chain --size small     # 10,000 / 100,000
    .venv/bin/python -m bench.chain --nodes 5000 --edges 40000

Prints human-readable figures, then, as the last line, one JSON object with them.
Timings are medians of repeated wall-clock runs (time.perf_counter). Peak memory is measured in
separate, untimed passes with tracemalloc (Python and numpy allocations made during the pass,
input data excluded); the process's peak RSS (resource.getrusage ru_maxrss) is reported as well.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from scipy.sparse.csgraph import breadth_first_order

try:
    from renkei.chain import engine
except ImportError:  # not installed in the virtualenv yet: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from renkei.chain import engine

from bench.chain import baseline
from bench.chain.data import generate

SIZES = {"full": (100_000, 1_000_000), "small": (10_000, 100_000)}
TARGETS = {"tiers_s": 1.0, "blast_radius_s": 0.1, "speedup": 10.0}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak traced allocation (MB) while running ``fn``."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def check_same(ours: dict[str, Any], theirs: dict[str, Any], g_nx: Any) -> None:
    """Engine and baseline agree; of equally short notice chains either may be chosen."""
    a, b = dict(ours), dict(theirs)
    chain_a, chain_b = a.pop("notice_chain"), b.pop("notice_chain")
    assert a == b, "engine and networkx disagree on the blast radius"
    assert len(chain_a) == len(chain_b), "notice chains differ in length"
    if chain_a:
        assert chain_a[0] == ours["root_id"] and chain_a[-1] == ours["party_id"]
        assert all(g_nx.has_edge(u, v) for u, v in zip(chain_a, chain_a[1:], strict=False))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.chain", description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="full")
    ap.add_argument("--nodes", type=int)
    ap.add_argument("--edges", type=int)
    ap.add_argument("--assets", type=int, default=200)
    ap.add_argument("--holdings", type=int, help="default: 2 × nodes")
    ap.add_argument("--parties", type=int, default=20, help="random parties for the median blast radius")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc passes")
    args = ap.parse_args(argv)
    n, m = SIZES[args.size]
    n, m = args.nodes or n, args.edges or m
    rep = args.repeat
    fig: dict[str, Any] = {}

    t = time.perf_counter()
    d = generate(n, m, n_assets=args.assets, n_holdings=args.holdings, seed=args.seed)
    # Every 100th holding has no record count (None: unknown, as in a real registry), so the check
    # against networkx covers unknown counts propagating (None, never 0) as well.
    rows = [(h, a, o, f, None if h % 100 == 0 else r) for h, a, o, f, r in d.holdings.tolist()]
    print(
        f"data: {n:,} organisations, {d.sources.size:,} relationships, {len(rows):,} holdings, "
        f"{len(d.assets)} assets, {len(d.access):,} access rows (generated in {time.perf_counter() - t:.1f} s)"
    )
    fig.update(nodes=n, edges=int(d.sources.size), holdings=len(rows), assets=len(d.assets))

    # ---- engine
    fig["build_s"], g = timed(lambda: engine.build_graph(d.node_ids, d.sources, d.targets), 3)
    fig["tiers_s"], tiers = timed(lambda: engine.compute_tiers(g, 0), rep)
    fig["tiers_array_s"], _ = timed(lambda: engine.tiers_array(g, 0), rep)
    fig["holdings_load_s"], table = timed(lambda: engine.HoldingsTable.from_rows(rows), 1)

    # the tier-2 party with the biggest downstream among a sample
    rng = np.random.default_rng(args.seed + 1)
    tier2 = np.flatnonzero(d.tier == 2)
    sample = rng.choice(tier2, size=min(50, tier2.size), replace=False)
    sizes = [breadth_first_order(g.forward, int(i), return_predecessors=False).size for i in sample]
    party = int(d.node_ids[sample[int(np.argmax(sizes))]])
    parties = [int(x) for x in rng.choice(d.node_ids, size=args.parties, replace=False)]

    def radius(pid: int) -> engine.BlastRadius:
        return engine.blast_radius(
            g, party_id=pid, root_id=0, holdings=table, assets=d.assets,
            group_company_ids=d.group_company_ids, access=d.access,
        )  # fmt: skip

    fig["blast_radius_cold_s"], _ = timed(lambda: radius(party), 1)  # builds the holdings sort cache
    fig["blast_radius_s"], br = timed(lambda: radius(party), rep)
    per_party = [timed(partial(radius, p), 1) for p in parties]
    fig["blast_radius_median_s"] = statistics.median(s for s, _ in per_party)
    # The owners as the party (the own company and the group companies): every holding flows from
    # one of them, so together they expose every holding — the worst cases now that provenance
    # decides, and the ones that meet the unknown counts.
    owners = sorted({0, *(int(c) for c in d.group_company_ids)})
    per_owner = [timed(partial(radius, o), rep) for o in owners]
    fig["blast_radius_owner_max_s"] = max(t for t, _ in per_owner)
    fig["party"] = party
    fig["party_downstream"] = len(br.downstream)
    fig["party_upstream"] = len(br.upstream)
    fig["party_exposed_holdings"] = len(br.exposed_holding_ids)
    fig["party_exposed_assets"] = len(br.assets)
    fig["party_exposed_records_at_least"] = br.exposed_records_at_least
    fig["random_parties_exposed_holdings_median"] = statistics.median(len(r.exposed_holding_ids) for _, r in per_party)
    print(
        f"engine:   build {fig['build_s']:.3f} s, tiers {fig['tiers_s']:.3f} s "
        f"(array {fig['tiers_array_s']:.3f} s), blast radius {fig['blast_radius_s'] * 1e3:.1f} ms "
        f"(first call {fig['blast_radius_cold_s'] * 1e3:.1f} ms, median of {len(parties)} random parties "
        f"{fig['blast_radius_median_s'] * 1e3:.1f} ms); HoldingsTable.from_rows {fig['holdings_load_s']:.3f} s"
    )
    print(
        f"party {party} (tier 2): {len(br.downstream):,} downstream, {len(br.upstream):,} upstream, "
        f"{len(br.exposed_holding_ids):,} exposed holdings, {len(br.assets)} assets, "
        f"{'unknown' if br.exposed_records is None else format(br.exposed_records, ',')} records "
        f"(at least {br.exposed_records_at_least:,}), notice chain {br.notice_chain}"
    )

    # ---- baseline (inputs as Python lists, as an ORM would hand them over; conversion untimed)
    ids_l, src_l, dst_l = d.node_ids.tolist(), d.sources.tolist(), d.targets.tolist()
    fig["baseline_build_s"], g_nx = timed(lambda: baseline.build(ids_l, src_l, dst_l), 1)
    fig["baseline_tiers_s"], nx_tiers = timed(lambda: baseline.tiers(g_nx, 0), min(rep, 3))

    def nx_radius(pid: int) -> dict[str, Any]:
        return baseline.blast_radius(
            g_nx, party_id=pid, root_id=0, holdings=rows, assets=d.assets,
            group_company_ids=d.group_company_ids, access=d.access,
        )  # fmt: skip

    fig["baseline_blast_radius_s"], nx_br = timed(lambda: nx_radius(party), min(rep, 3))
    nx_per_owner = [timed(partial(nx_radius, o), 1) for o in owners]
    fig["baseline_blast_radius_owner_max_s"] = max(t for t, _ in nx_per_owner)
    nx_per_party = [timed(partial(nx_radius, p), 1) for p in parties]
    fig["baseline_blast_radius_median_s"] = statistics.median(s for s, _ in nx_per_party)
    print(
        f"networkx: build {fig['baseline_build_s']:.3f} s, tiers {fig['baseline_tiers_s']:.3f} s, "
        f"blast radius {fig['baseline_blast_radius_s'] * 1e3:.1f} ms "
        f"(median of {len(parties)} random parties {fig['baseline_blast_radius_median_s'] * 1e3:.1f} ms)"
    )

    # ---- identical results
    assert tiers == nx_tiers, "engine and networkx disagree on tiers"
    check_same(br.as_dict(), nx_br, g_nx)
    for (_, ours), (_, theirs) in zip(per_owner, nx_per_owner, strict=True):
        check_same(ours.as_dict(), theirs, g_nx)
    fig["owners_exposed_holdings"] = sum(len(r.exposed_holding_ids) for _, r in per_owner)
    fig["owners_unknown_assets"] = sum(a.exposed_records is None for _, r in per_owner for a in r.assets)
    fig["owners_unknown_totals"] = sum(r.exposed_records is None for _, r in per_owner)
    for (_, ours), (_, theirs) in zip(per_party, nx_per_party, strict=True):
        check_same(ours.as_dict(), theirs, g_nx)
    fig["verified"] = True
    print(
        f"verified: tiers of all {n:,} organisations and {len(parties) + 1 + len(owners)} blast radii are "
        f"identical ({len(owners)} owners: {fig['owners_exposed_holdings']:,} exposed holdings, "
        f"{fig['owners_unknown_assets']} assets and {fig['owners_unknown_totals']} totals unknown; slowest owner "
        f"{fig['blast_radius_owner_max_s'] * 1e3:.1f} ms, networkx {fig['baseline_blast_radius_owner_max_s'] * 1e3:.1f} ms)"
    )

    fig["build_speedup"] = fig["baseline_build_s"] / fig["build_s"]
    fig["tiers_speedup"] = fig["baseline_tiers_s"] / fig["tiers_s"]
    fig["blast_radius_speedup"] = fig["baseline_blast_radius_s"] / fig["blast_radius_s"]
    fig["blast_radius_median_speedup"] = fig["baseline_blast_radius_median_s"] / fig["blast_radius_median_s"]
    print(
        f"speed-up: build {fig['build_speedup']:.1f}×, tiers {fig['tiers_speedup']:.1f}×, "
        f"blast radius {fig['blast_radius_speedup']:.1f}× (random parties {fig['blast_radius_median_speedup']:.1f}×)"
    )

    # ---- memory (separate passes: tracemalloc slows Python code several-fold)
    if not args.no_memory:

        def engine_pass() -> None:
            gg = engine.build_graph(d.node_ids, d.sources, d.targets)
            engine.compute_tiers(gg, 0)
            tt = engine.HoldingsTable.from_rows(rows)
            engine.blast_radius(
                gg,
                party_id=party,
                root_id=0,
                holdings=tt,
                assets=d.assets,
                group_company_ids=d.group_company_ids,
                access=d.access,
            )

        def baseline_pass() -> None:
            gg = baseline.build(ids_l, src_l, dst_l)
            baseline.tiers(gg, 0)
            baseline.blast_radius(
                gg,
                party_id=party,
                root_id=0,
                holdings=rows,
                assets=d.assets,
                group_company_ids=d.group_company_ids,
                access=d.access,
            )

        fig["peak_memory_mb"] = round(peak_mb(engine_pass), 1)
        fig["baseline_peak_memory_mb"] = round(peak_mb(baseline_pass), 1)
        print(
            f"peak memory (tracemalloc, build + tiers + holdings + one blast radius): engine "
            f"{fig['peak_memory_mb']:.1f} MB, networkx {fig['baseline_peak_memory_mb']:.1f} MB"
        )
    fig["memory_method"] = "tracemalloc peak per pass; max_rss_mb = getrusage ru_maxrss of the whole run"
    fig["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    fig["targets_met"] = bool(
        fig["tiers_s"] <= TARGETS["tiers_s"]
        and fig["blast_radius_s"] <= TARGETS["blast_radius_s"]
        and fig["blast_radius_cold_s"] <= TARGETS["blast_radius_s"]
        and fig["tiers_speedup"] >= TARGETS["speedup"]
        and fig["blast_radius_speedup"] >= TARGETS["speedup"]
    )
    fig["cpus"] = os.cpu_count()
    fig["python"] = platform.python_version()
    fig["date"] = datetime.date.today().isoformat()
    print(
        f"targets (tiers ≤ 1 s, blast radius ≤ 100 ms, each ≥ 10× networkx): "
        f"{'met' if fig['targets_met'] else 'MISSED'}"
    )
    for k, v in fig.items():
        if isinstance(v, float):
            fig[k] = round(v, 6)
    print(orjson.dumps(fig).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
