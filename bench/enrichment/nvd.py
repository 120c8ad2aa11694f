"""Loading NVD data of realistic size: all of NVD is about 300,000 CVEs (issue 12 §3).

Run from the project root::

    .venv/bin/python -m bench.enrichment.nvd                     # fresh SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench_nvd .venv/bin/python -m bench.enrichment.nvd

Generated data (seed 42): `--cves` CVEs (default 300,000) split into yearly gzipped NVD CVE JSON 2.0
feed files of 30,000 (as nvd.nist.gov publishes them, `nvdcve-2.0-YYYY.json.gz`). Each CVE has an
English description, 3 references, one CWE and, like NVD: 60 % a CVSS v3.1 metric (a tenth of them also a
CNA's Secondary one), 20 % only CVSS v2, 5 % CVSS v4.0, 15 % none. The vulnerability database holds
`--vulns` vulnerabilities (default 20,000), each with one CVE alias in the feed.

Figures: the first import (read + check + write + ratings into the vulnerabilities), the same files
again (everything unchanged), and a re-import where 10 % of the CVEs are newer. Prints one line per
figure, then one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.software.__main__ import setup_django

VECTORS_V31 = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
]
VECTORS_V2 = ["AV:N/AC:L/Au:N/C:P/I:P/A:P", "AV:N/AC:M/Au:N/C:P/I:N/A:N", "AV:L/AC:L/Au:N/C:C/I:C/A:C"]
VECTORS_V4 = ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
              "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"]


def cve_item(rng: random.Random, cve_id: str, modified: str) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.60:
        metrics["cvssMetricV31"] = [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
            "version": "3.1", "vectorString": rng.choice(VECTORS_V31), "baseScore": 0.0}}]
        if rng.random() < 0.1:
            metrics["cvssMetricV31"].append({"source": "cna@example.org", "type": "Secondary", "cvssData": {
                "version": "3.1", "vectorString": rng.choice(VECTORS_V31), "baseScore": 0.0}})
    elif roll < 0.80:
        metrics["cvssMetricV2"] = [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
            "version": "2.0", "vectorString": rng.choice(VECTORS_V2), "baseScore": 0.0}}]
    elif roll < 0.85:
        metrics["cvssMetricV40"] = [{"source": "cna@example.org", "type": "Secondary", "cvssData": {
            "version": "4.0", "vectorString": rng.choice(VECTORS_V4), "baseScore": 0.0}}]
    return {"cve": {
        "id": cve_id, "sourceIdentifier": "cve@mitre.org", "published": "2020-01-01T00:00:00.000",
        "lastModified": modified, "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": f"A vulnerability in product {rng.randrange(10**6)} allows "
                          "remote attackers to do something they should not be able to do. " * 2}],
        "metrics": metrics,
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary",
                        "description": [{"lang": "en", "value": f"CWE-{rng.choice([79, 89, 20, 787, 22, 352])}"}]}],
        "references": [{"url": f"https://example.org/advisory/{cve_id}/{i}", "source": "cve@mitre.org"}
                       for i in range(3)],
    }}


def cve_ids(count: int) -> list[str]:
    return [f"CVE-{2000 + i // 30_000}-{10_000 + i % 30_000}" for i in range(count)]


def write_feeds(folder: Path, ids: list[str], *, newer: set[str] | None = None) -> int:
    rng = random.Random(42)
    size = 0
    for start in range(0, len(ids), 30_000):
        chunk = ids[start : start + 30_000]
        items = [cve_item(rng, c, "2025-06-01T00:00:00.000" if newer and c in newer else "2024-06-01T00:00:00.000")
                 for c in chunk]
        doc = {"resultsPerPage": len(items), "startIndex": 0, "totalResults": len(items), "format": "NVD_CVE",
               "version": "2.0", "timestamp": "2025-06-02T00:00:00.000", "vulnerabilities": items}
        data = orjson.dumps(doc)
        size += len(data)
        (folder / f"nvdcve-2.0-{2000 + start // 30_000}.json.gz").write_bytes(gzip.compress(data, 6))
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cves", type=int, default=300_000)
    parser.add_argument("--vulns", type=int, default=20_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from renkei.software.enrichment.models_nvd_jvn import NvdCve
    from renkei.software.enrichment.services_nvd_jvn import nvd_jvn_import_run, nvd_jvn_import_start
    from renkei.software.models import Vulnerability, VulnerabilityAlias

    ids = cve_ids(args.cves)
    rng = random.Random(7)
    linked = rng.sample(ids, args.vulns)
    vulns = Vulnerability.objects.bulk_create(
        [Vulnerability(osv_id=f"PYSEC-B-{i}", aliases=[c], modified="2024-01-01T00:00:00Z", affected=[])
         for i, c in enumerate(linked)], batch_size=2000)
    VulnerabilityAlias.objects.bulk_create(
        [VulnerabilityAlias(alias=a, vulnerability_id=v.pk) for v in Vulnerability.objects.all()
         for a in (v.osv_id, *v.aliases)], batch_size=2000)
    results: dict[str, Any] = {"cves": args.cves, "vulnerabilities": len(vulns), "database": connection.vendor}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        raw = write_feeds(folder, ids)
        results["generate_s"] = round(time.perf_counter() - t, 1)
        results["json_mb"] = round(raw / 2**20)
        results["gz_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 2**20, 1)

        def timed(label: str) -> Any:
            run = nvd_jvn_import_start(user=None, kind="nvd", paths=[str(folder)], enqueue=False)
            t = time.perf_counter()
            run = nvd_jvn_import_run(import_id=run.pk, recompute=False)
            results[label] = round(time.perf_counter() - t, 1)
            assert run.status == "done", run.error
            print(f"{label}: {results[label]} s ({run.created_count} new, {run.updated_count} updated, "
                  f"{run.skipped_count} unchanged)", flush=True)
            return run

        timed("first_import_s")
        assert NvdCve.objects.count() == args.cves
        rated = Vulnerability.objects.filter(severity_source="NVD").count()
        results["vulnerabilities_rated_by_nvd"] = rated
        timed("unchanged_reimport_s")
        newer = set(rng.sample(ids, args.cves // 10))
        write_feeds(folder, ids, newer=newer)
        timed("ten_percent_newer_s")
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["machine"] = f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}"
    for key, value in results.items():
        print(f"{key}: {value}")
    print(orjson.dumps(results).decode())


if __name__ == "__main__":
    sys.exit(main())
