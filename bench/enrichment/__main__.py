"""Benchmark of the KEV and EPSS imports (issue 12 §1) at realistic sizes.

Run from the project root::

    .venv/bin/python -m bench.enrichment                       # fresh SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench_enrich .venv/bin/python -m bench.enrichment

Data (seed 42, generated): an EPSS file of 250,000 rows (`#model_version…` comment, gzipped, as FIRST
publishes it), a KEV catalogue (JSON) of 1,500 entries, and a vulnerability database of 100,000
vulnerabilities with their alias rows (as the OSV import leaves them): each has a GHSA ID and one CVE
alias, 80,000 of the CVEs are in the EPSS file and 1,000 in KEV.

Figures (median of `--repeat` runs, time.perf_counter): the whole `renkei epss import` / `renkei kev
import` command (read, gunzip, check, replace the rows, apply to the vulnerabilities; every run after
the first replaces the previous data), and the apply step alone (`apply_epss`, `apply_kev`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_django() -> None:
    os.environ.setdefault("RENKEI_DATA_DIR", tempfile.mkdtemp(prefix="renkei-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    os.environ.setdefault("RENKEI_SECRET_KEY", "bench")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def cve(number: int) -> str:
    return f"CVE-{1999 + number % 27}-{10000 + number}"


def make_files(folder: Path, rng: random.Random) -> tuple[Path, Path]:
    lines = ["#model_version:v2025.03.14,score_date:2026-12-07T00:00:00+0000", "cve,epss,percentile"]
    for i in range(20_000, 270_000):
        lines.append(f"{cve(i)},{rng.random() ** 4:.5f},{rng.random():.5f}")
    epss = folder / "epss_scores-2026-12-07.csv.gz"
    epss.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    rows = []
    for i in range(1_500):
        number = i * 100 if i < 1_000 else 300_000 + i  # 1,000 of them in the database
        rows.append({
            "cveID": cve(number), "vendorProject": f"Vendor {i}", "product": f"Product {i}",
            "vulnerabilityName": f"Vulnerability {i}", "dateAdded": str(dt.date(2021, 11, 3) + dt.timedelta(days=i)),
            "shortDescription": "A remote attacker can execute code. " * 3, "requiredAction": "Apply updates per vendor instructions.",
            "dueDate": str(dt.date(2021, 11, 17) + dt.timedelta(days=i)), "knownRansomwareCampaignUse": "Unknown",
            "notes": "https://nvd.nist.gov/", "cwes": ["CWE-20"],
        })
    kev = folder / "known_exploited_vulnerabilities.json"
    kev.write_text(json.dumps({"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.07",
                               "dateReleased": "2026-12-07T15:00:00.000Z", "count": len(rows), "vulnerabilities": rows}))
    return epss, kev


def make_database() -> None:
    from django.utils import timezone

    from renkei.software.models import Vulnerability, VulnerabilityAlias

    now = timezone.now()
    for start in range(0, 100_000, 5_000):
        batch = [Vulnerability(osv_id=f"GHSA-bench-{i:06d}", aliases=[cve(i)], modified=now, affected=[])
                 for i in range(start, start + 5_000)]
        Vulnerability.objects.bulk_create(batch)
        stored = dict(Vulnerability.objects.filter(osv_id__in=[v.osv_id for v in batch]).values_list("osv_id", "pk"))
        VulnerabilityAlias.objects.bulk_create(
            [VulnerabilityAlias(alias=name, vulnerability_id=stored[v.osv_id]) for v in batch for name in (v.osv_id, *v.aliases)]
        )


def timed(function: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from renkei.software.enrichment.services_kev_epss import apply_epss, apply_kev
    from renkei.software.models import Vulnerability

    folder = Path(tempfile.mkdtemp(prefix="renkei-bench-enrich-"))
    epss, kev = make_files(folder, random.Random(42))
    make_database()
    print(f"database: {connection.vendor}; EPSS file {epss.stat().st_size / 2**20:.1f} MB gzipped; "
          f"KEV file {kev.stat().st_size / 2**20:.1f} MB")

    def command(kind: str, path: Path) -> None:
        call_command("enrichment_import", kind, str(path), stdout=io.StringIO())

    figures = {
        "epss_import_s": timed(lambda: command("epss", epss), args.repeat),
        "kev_import_s": timed(lambda: command("kev", kev), args.repeat),
    }
    with transaction.atomic():
        figures["apply_epss_s"] = timed(apply_epss, args.repeat)
        figures["apply_kev_s"] = timed(apply_kev, args.repeat)
    scored = Vulnerability.objects.exclude(epss_score=None).count()
    listed = Vulnerability.objects.exclude(known_exploited_since=None).count()
    assert scored == 80_000 and listed == 1_000, (scored, listed)
    for name, value in figures.items():
        print(f"{name}: {value:.2f} s")
    print(json.dumps({"python": platform.python_version(), "database": connection.vendor, "scored": scored,
                      "kev_listed": listed, **{k: round(v, 3) for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
