"""Benchmarks of the software app's unit-test-sized cases, the timings the unit tests no longer assert
(they now count queries and calls instead).

Run from the project root::

    .venv/bin/python -m bench.software --osv-dir ../shared/data/osv/PyPI        # fresh SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench .venv/bin/python -m bench.software --osv-dir …

- osv_import: `renkei manage osv_import <the 2,661 shared PyPI advisories> --no-recompute` into an
  empty vulnerability database (emptied again before each run). Old unit-test bound: < 20 s
  (tests/software/test_commands.py).
- recompute: `findings_services.findings_recompute` of one release whose SBOM has 10,001 components
  (`tests/software/sbom_samples.large_cyclonedx(10_000)` plus requests 2.0.0), against the imported
  PyPI advisories; the release's findings are deleted before each run. "cold" also builds the advisory
  index (as the old test did), "warm" finds it cached. Old unit-test bound: < 5 s
  (tests/software/test_services.py, which had 3 advisories in the database).
- licences: `licence_violations` of 2,000 distinct expressions `MIT OR LicenseRef-x<i>`, the
  expression caches and the SPDX licence list cleared before each run. Old bound: < 5 s
  (tests/software/test_licences.py).
- match: `AdvisoryIndex.match` of 10,000 components over 2,000 npm packages with five advisories each
  (the case of tests/software/test_matching.py), the first match on a freshly built index (the build
  is untimed). Target 0.2 s; old unit-test bound < 1 s.
- parse: `parse_sbom` of the 10,000-component CycloneDX JSON of tests/software/test_sbom.py. Target
  0.3 s; old unit-test bound < 1 s.

Each figure is the median of `--repeat` runs (time.perf_counter). Prints one line per figure, then,
as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[2]
TARGETS_S = {"osv_import_s": 20.0, "recompute_cold_s": 5.0, "licences_s": 5.0, "match_s": 0.2, "parse_s": 0.3}


def setup_django() -> None:
    """A fresh data directory (SQLite unless DATABASE_URL is set), migrated, mail kept in memory."""
    os.environ.setdefault("RENKEI_DATA_DIR", tempfile.mkdtemp(prefix="renkei-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    os.environ["RENKEI_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def median_of(repeat: int, fn: Callable[[], Any], setup: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Median wall time of `repeat` runs of `fn` (each after an untimed `setup`), and the last result."""
    times, out = [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_osv_import(source: Path, repeat: int) -> dict[str, Any]:
    from django.core.management import call_command

    from renkei.software.models import AffectedPackage, OsvImport, Vulnerability, VulnerabilityAlias

    def empty() -> None:
        for model in (AffectedPackage, VulnerabilityAlias, Vulnerability, OsvImport):
            model.objects.all().delete()

    def run() -> str:
        out = io.StringIO()
        call_command("osv_import", str(source), "--no-recompute", stdout=out, stderr=io.StringIO())
        return out.getvalue()

    seconds, output = median_of(repeat, run, empty)
    assert "Imported 2661 records" in output, output[-500:]
    return {"osv_import_s": seconds, "osv_records": 2661, "vulnerabilities": Vulnerability.objects.count()}


def bench_recompute(repeat: int) -> dict[str, Any]:
    from tests.software import sbom_samples

    from renkei.registry.models import Organisation, OrganisationKind
    from renkei.software.findings import services as findings_services
    from renkei.software.models import Component, Finding, Product, Release
    from renkei.software.sbom import services as sbom_services
    from renkei.software.vulndb.selectors import clear_index_cache

    own = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
    if own is None:
        own = Organisation.objects.create(name="ベンチ本社株式会社", kind=OrganisationKind.OWN)
        own.group_company = own
        own.save(update_fields=["group_company"])
    supplier = Organisation.objects.create(name="ベンチベンダー株式会社", kind="contractor", group_company=own)
    product = Product.objects.create(name="ベンチ製品", supplier=supplier, group_company=own)
    release = Release.objects.create(product=product, version="1.0", group_company=own)
    document = sbom_samples.large_cyclonedx(10_000)
    document["components"].append(
        {"type": "library", "bom-ref": "req", "name": "requests", "version": "2.0.0", "purl": "pkg:pypi/requests@2.0.0"}
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bom.json", orjson.dumps(document), content_type="application/json")
    sbom_services.sbom_upload(user=None, release=release, uploaded_file=upload)
    assert Component.objects.filter(sbom__release=release).count() == 10_001

    def reset(cold: bool) -> Callable[[], None]:
        def setup() -> None:
            Finding.objects.filter(component__sbom__release=release).delete()
            if cold:
                clear_index_cache()

        return setup

    def run() -> dict[str, int]:
        return findings_services.findings_recompute(release_ids=[release.pk])

    cold_s, counts = median_of(repeat, run, reset(cold=True))
    warm_s, _ = median_of(repeat, run, reset(cold=False))
    assert counts["created"] > 0, counts
    return {"recompute_components": 10_001, "recompute_cold_s": cold_s, "recompute_warm_s": warm_s,
            "recompute_findings": counts["created"]}


def bench_licences(repeat: int) -> dict[str, Any]:
    from renkei.software.licences import expressions

    allowed, denied = {"MIT", "Apache-2.0", "BSD-3-Clause"}, {"GPL-3.0-only", "AGPL-3.0-only"}

    def clear() -> None:
        for cached in (expressions._licensing, expressions._parse, expressions.canonical_id):
            cached.cache_clear()

    def run() -> int:
        return sum(len(expressions.licence_violations(f"MIT OR LicenseRef-x{i}", allowed, denied)) for i in range(2000))

    seconds, violations = median_of(repeat, run, clear)
    assert violations == 0
    return {"licences_s": seconds, "licence_expressions": 2000}


def bench_match(repeat: int) -> dict[str, Any]:
    from tests.software.test_matching import advisory, affected

    from renkei.software.vulndb.matching import AdvisoryIndex, ComponentRef

    advisories = [
        advisory(
            f"ADV-{p}-{a}",
            affected(
                "npm",
                f"pkg{p}",
                [{"introduced": f"{a}.0.0"}, {"fixed": f"{a}.5.0"}],
                [{"introduced": f"{a + 10}.0.0-rc.1"}, {"last_affected": f"{a + 10}.2.0"}],
            ),
        )
        for p in range(2000)
        for a in range(5)
    ]
    components = [
        ComponentRef(key=i, ecosystem="npm", name=f"pkg{i % 2000}", version=f"{i % 7}.{i % 11}.{i % 3}")
        for i in range(10_000)
    ]
    index: list[AdvisoryIndex] = []
    seconds, result = median_of(repeat, lambda: index[-1].match(components),
                                lambda: index.append(AdvisoryIndex.build(advisories)))
    return {"match_s": seconds, "match_components": 10_000, "match_advisories": 10_000, "matches": len(result.matches)}


def bench_parse(repeat: int) -> dict[str, Any]:
    from tests.software import sbom_samples

    from renkei.software.sbom.parsing import parse_sbom

    data = sbom_samples.to_json(sbom_samples.large_cyclonedx(10_000))
    seconds, parsed = median_of(repeat, lambda: parse_sbom(data))
    assert len(parsed.components) == 10_000
    return {"parse_s": seconds, "parse_components": 10_000, "parse_kb": round(len(data) / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.software", description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="osv_import,recompute,licences,match,parse")
    ap.add_argument("--osv-dir", type=Path, default=ROOT / ".." / "shared" / "data" / "osv" / "PyPI")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    only = {p.strip() for p in args.only.split(",") if p.strip()}
    setup_django()
    from django.db import connection

    results: dict[str, Any] = {"database": connection.vendor, "repeat": args.repeat}
    if {"osv_import", "recompute"} & only:
        if not args.osv_dir.is_dir():
            raise SystemExit(f"the shared OSV data is missing: {args.osv_dir.resolve()} (see --osv-dir)")
        results.update(bench_osv_import(args.osv_dir, min(args.repeat, 3)))
    if "recompute" in only:
        results.update(bench_recompute(args.repeat))
    if "licences" in only:
        results.update(bench_licences(args.repeat))
    if "match" in only:
        results.update(bench_match(args.repeat))
    if "parse" in only:
        results.update(bench_parse(args.repeat))
    for key, value in list(results.items()):
        if key.endswith("_s"):
            target = TARGETS_S.get(key)
            print(f"{key[:-2]}: {value:.3f} s" + (f" (target {target} s)" if target else ""))
            results[key] = round(value, 4)
    results.update(
        targets_met=all(results[k] <= t for k, t in TARGETS_S.items() if k in results),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        load_average=round(os.getloadavg()[0], 2),
        date=datetime.date.today().isoformat(),
    )
    print(orjson.dumps(results).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
