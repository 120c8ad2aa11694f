"""Benchmark of leak tracing: a leaked CSV file against the ledger of datasets shared with recipients.

Run from the project root::

    .venv/bin/python -m bench.leak                  # 1,000,000 leaked rows; 200 recipients × 100,000 rows
    .venv/bin/python -m bench.leak --size small     # 100,000 leaked rows; 20 recipients × 10,000 rows

The trace is what `renkei leak trace FILE` does without the database: read and fingerprint the
file (in `--workers` processes), compare it with every dataset's fingerprints (held in memory, as
the worker streams them from the database), and gather the evidence rows. Generating the data is
not timed. Timings are medians of `--repeat` wall-clock runs (time.perf_counter). Peak memory is
measured in a separate single-process pass with tracemalloc (the leaked file's bytes excluded); the
peak RSS of this process and of its children (resource.getrusage) is reported as well.
Prints human-readable figures, then, as the last line, one JSON object with them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
os.environ.setdefault("RENKEI_DATA_DIR", str(Path(tempfile.gettempdir()) / "renkei-bench"))
try:
    import renkei  # noqa: F401
except ImportError:  # not installed in the virtualenv yet: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
import django

# The file readers reuse the registry's upload checks, which need Django's app registry.
django.setup()

from renkei.incidents.leaks import files, fingerprinting, matching, tracing  # noqa: E402

SIZES = {"full": (200, 100_000, 1_000_000), "small": (20, 10_000, 100_000)}
TARGET_S = 5.0
MAX_BYTES = 2**31


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (the fingerprinting workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_trace(data: Any, raw: bytes, workers: int) -> tuple[dict[str, float], tracing.TraceResult]:
    """One trace, as `tracing.trace` runs it, timed by stage."""
    cpu = cpu_seconds()
    t0 = time.perf_counter()
    sample = files.read_sample(
        raw, filename="leak.csv", hasher=fingerprinting.Hasher(data.key), canaries=data.canaries, max_bytes=MAX_BYTES,
        workers=workers, ledger=data.ledger,
    )  # fmt: skip
    assert sample.hits is not None and sample.comparable is not None
    t1 = time.perf_counter()
    matches = matching.aggregate(sample.hits, sample.rows_total, sample.comparable)
    result = tracing.evidence(sample, matches, data.canary_owners)
    t2 = time.perf_counter()
    stages = {"read_and_match_s": t1 - t0, "rank_and_evidence_s": t2 - t1, "trace_s": t2 - t0}
    return {**stages, "trace_cpu_s": cpu_seconds() - cpu}, result


def verify(data: Any, result: tracing.TraceResult) -> None:
    """The culprit first, its canaries found, every invented outsider reported as not ours."""
    exp = data.expected
    top = result.recipients[0]
    assert top["recipient_id"] == data.culprit, f"top recipient {top['recipient_id']} is not the culprit {data.culprit}"
    assert top["rows"] == exp["culprit_rows"], (top["rows"], exp["culprit_rows"])
    # Same layout, other order and formats: every culprit row must match as a whole row, and by
    # every key (name + address, name + birth date, postal code + address).
    assert top["rows_by_kind"]["row"] == exp["culprit_whole_rows"], top["rows_by_kind"]
    for kind in ("name_address", "name_birth", "postal_address"):
        assert top["rows_by_kind"][kind] >= exp["culprit_whole_rows"], top["rows_by_kind"]
    assert result.canary_recipient_ids == [data.culprit], result.canary_recipient_ids
    assert sum(1 for c in result.canaries if c["conclusive"]) == exp["canaries"]
    second = next(r for r in result.recipients if r["recipient_id"] == data.second)
    assert second["rows"] >= exp["second_rows"]
    assert result.unmatched_count == exp["unmatched_rows"], (result.unmatched_count, exp["unmatched_rows"])
    assert result.rows_total == exp["leak_rows"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.leak", description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="full")
    ap.add_argument("--recipients", type=int)
    ap.add_argument("--rows", type=int, help="rows per recipient")
    ap.add_argument("--leak-rows", type=int)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    args = ap.parse_args(argv)
    from bench.leak.data import generate

    recipients, rows, leak_rows = SIZES[args.size]
    recipients, rows, leak_rows = args.recipients or recipients, args.rows or rows, args.leak_rows or leak_rows
    fig: dict[str, Any] = {}

    t = time.perf_counter()
    data = generate(recipients, rows, leak_rows, seed=args.seed, workers=args.workers)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leak.csv"
        path.write_bytes(data.leak)
        del data.leak
        print(
            f"data: {recipients} recipients × {rows:,} rows (+20 canaries each) from {data.expected['population']:,} "
            f"customers, {data.ledger_fingerprints:,} fingerprints in the ledger; leaked file {leak_rows:,} rows, "
            f"{path.stat().st_size / 2**20:.1f} MB (generated in {time.perf_counter() - t:.1f} s)"
        )
        fig.update(
            recipients=recipients, rows_per_recipient=rows, ledger_rows=data.ledger_rows,
            ledger_fingerprints=data.ledger_fingerprints, leak_rows=leak_rows,
            leak_mb=round(path.stat().st_size / 2**20, 1), workers=args.workers,
        )  # fmt: skip

        runs = []
        for _ in range(args.repeat):
            # The clock starts at the file's bytes, as the page and the command hand them over.
            raw = path.read_bytes()
            runs.append(run_trace(data, raw, args.workers))
            del raw
        verify(data, runs[-1][1])
        fig["verified"] = True
        for name in ("read_and_match_s", "rank_and_evidence_s", "trace_s", "trace_cpu_s"):
            fig[name] = statistics.median(s[name] for s, _r in runs)
        serial, _ = run_trace(data, path.read_bytes(), 1)
        fig["trace_one_process_s"] = serial["trace_s"]
        result = runs[-1][1]
        top = result.recipients[0]
        print(
            f"trace ({args.workers} processes, median of {args.repeat}): {fig['trace_s']:.2f} s = read, fingerprint "
            f"and compare with {result.datasets_compared} datasets {fig['read_and_match_s']:.2f} s + rank and "
            f"evidence {fig['rank_and_evidence_s']:.3f} s; one process {fig['trace_one_process_s']:.2f} s; "
            f"CPU time of all processes {fig['trace_cpu_s']:.2f} s"
        )
        print(
            f"result: canaries of recipient {result.canary_recipient_ids} ({len(result.canaries)} hits); "
            f"top recipient {top['recipient_id']} with {top['rows']:,} rows ({top['rows_by_kind']}), "
            f"second {result.recipients[1]['recipient_id']} with {result.recipients[1]['rows']:,}; "
            f"{result.unmatched_count:,} rows match nothing we shared"
        )
        fig.update(
            culprit=data.culprit, top_recipient=top["recipient_id"], top_rows=top["rows"],
            canary_hits=len(result.canaries), unmatched_rows=result.unmatched_count,
            recipients_matched=len(result.recipients),
        )  # fmt: skip

        if not args.no_memory:
            raw = path.read_bytes()
            tracemalloc.start()
            try:
                run_trace(data, raw, 1)
                fig["peak_memory_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            finally:
                tracemalloc.stop()
            print(f"peak memory (tracemalloc, one process, file bytes excluded): {fig['peak_memory_mb']:.1f} MB")
    fig["memory_method"] = (
        "tracemalloc peak of a one-process trace; max_rss_mb / children_max_rss_mb = getrusage ru_maxrss"
    )
    fig["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    fig["children_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    fig["targets_met"] = bool(fig["trace_s"] <= TARGET_S)
    fig["cpus"] = os.cpu_count()
    fig["python"] = platform.python_version()
    fig["date"] = datetime.date.today().isoformat()
    print(f"target (trace ≤ {TARGET_S:.0f} s): {'met' if fig['targets_met'] else 'MISSED'}")
    for k, v in fig.items():
        if isinstance(v, float):
            fig[k] = round(v, 6)
    print(orjson.dumps(fig).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
