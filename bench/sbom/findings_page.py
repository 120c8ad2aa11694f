"""Benchmark of the findings pages with 20,000 findings (issue 12 §3): server time, queries, size.

Run from the project root::

    .venv/bin/python -m bench.sbom.findings_page                    # fresh SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_findbench .venv/bin/python -m bench.sbom.findings_page

Builds in a fresh database (the schema is dropped and migrated, as bench.software does) 20,000
findings with bulk_create: 3,000 vulnerabilities (critical 10 %, high 25 %, medium 30 %, low 15 %,
unknown 20 %; 3 % in CISA KEV, 60 % with an EPSS score), 40 suppliers with one product each and
two releases per product; one release has 5,000 findings (1,000 components), the other 79 share
15,000. 10 % of the findings are no longer matched, 10 % triaged not affected, half have a fix.

An analyst (all group companies) is logged in with Django's test client; each page is requested
once to warm up, once inside CaptureQueriesContext (the query count), then `--repeat` times
(the median server time: the whole request through the middleware, templates included). The
database connection is kept between requests, as production does with CONN_MAX_AGE. Prints one
line per page, then, as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import re
import statistics
import time
from typing import Any

import orjson

from bench.software.__main__ import setup_django

FINDINGS = 20_000
VULNERABILITIES = 3_000
SUPPLIERS = 40
TARGET_MS = 1000.0
SEVERITIES = (("critical", 10), ("high", 25), ("medium", 30), ("low", 15), ("unknown", 20))


def build(findings_total: int = FINDINGS, seed: int = 42) -> dict[str, Any]:
    """The data set (a quarter of the findings in one release); returns that release's pk and the counts."""
    from django.utils import timezone

    from renkei.registry.models import Organisation, OrganisationKind
    from renkei.software.models import (
        Component,
        Finding,
        Product,
        Release,
        Sbom,
        VexState,
        Vulnerability,
        VulnerabilityAlias,
    )

    rng = random.Random(seed)
    now = timezone.now()
    own = Organisation.objects.create(name="ベンチ本社株式会社", kind=OrganisationKind.OWN)
    own.group_company = own
    own.save(update_fields=["group_company"])

    severities = [s for s, weight in SEVERITIES for _ in range(weight)]
    vulns = []
    for i in range(VULNERABILITIES):
        severity = rng.choice(severities)
        score = {"critical": 9.8, "high": 7.5, "medium": 5.3, "low": 3.1}.get(severity)
        vulns.append(Vulnerability(
            osv_id=f"GHSA-bench-{i:05d}", aliases=[f"CVE-2026-{10000 + i}"],
            summary=f"ベンチ用の脆弱性 {i}: 細工されたリクエストで任意のコードが実行される",
            details="詳細な説明。" * 20, severity=severity, cvss_score=score,
            cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" if score else "",
            modified=now, published=now - datetime.timedelta(days=i % 700),
            known_exploited_since=(now.date() - datetime.timedelta(days=i % 300)) if rng.random() < 0.03 else None,
            epss_score=round(rng.random(), 4) if rng.random() < 0.6 else None,
        ))
    vulns = Vulnerability.objects.bulk_create(vulns, batch_size=1000)
    VulnerabilityAlias.objects.bulk_create(
        [VulnerabilityAlias(alias=a, vulnerability=v) for v in vulns for a in (v.osv_id, *v.aliases)], batch_size=2000
    )

    suppliers = Organisation.objects.bulk_create([
        Organisation(name=f"ベンチ供給者{i:02d}株式会社", kind="contractor", group_company=own) for i in range(SUPPLIERS)
    ])
    products = Product.objects.bulk_create([
        Product(name=f"ベンチ製品{i:02d}", supplier=s, group_company=own) for i, s in enumerate(suppliers)
    ])
    releases = Release.objects.bulk_create([
        Release(product=p, version=v, group_company=own, delivered_on=now.date(), findings_requested_at=now,
                findings_matched_at=now)
        for p in products for v in ("1.0", "2.0")
    ])
    sboms = Sbom.objects.bulk_create([
        Sbom(release=r, file=f"sboms/{r.pk}/bom.json", original_name="bom.json", format="cyclonedx-json",
             spec_version="1.5", sha256="0" * 64, group_company=own)
        for r in releases
    ])
    for release, sbom in zip(releases, sboms, strict=True):
        release.current_sbom = sbom
    Release.objects.bulk_update(releases, ["current_sbom"])

    # Findings per release: the big one, then the rest shared out; 5 vulnerabilities per component.
    per_component = 5
    big = findings_total // 4
    counts = [big] + [(findings_total - big) // (len(releases) - 1)] * (len(releases) - 1)
    counts[-1] += findings_total - sum(counts)
    components = []
    for sbom, n in zip(sboms, counts, strict=True):
        for j in range(-(-n // per_component)):
            components.append(Component(
                sbom=sbom, ref=f"pkg:npm/bench-lib-{j}@1.{j % 10}.0", purl=f"pkg:npm/bench-lib-{j}@1.{j % 10}.0",
                ecosystem="npm", name=f"bench-lib-{j}", normalised_name=f"bench-lib-{j}", version=f"1.{j % 10}.0",
                licences="MIT",
            ))
    components = Component.objects.bulk_create(components, batch_size=2000)
    by_sbom: dict[int, list[Any]] = {}
    for c in components:
        by_sbom.setdefault(c.sbom_id, []).append(c)

    findings = []
    for release, sbom, n in zip(releases, sboms, counts, strict=True):
        for k in range(n):
            component = by_sbom[sbom.pk][k // per_component]
            vuln = vulns[(k // per_component * 7 + (k % per_component) * 131 + release.pk * 13) % VULNERABILITIES]
            roll = rng.random()
            fixed = rng.random() < 0.5
            findings.append(Finding(
                release=release, component=component, vulnerability=vuln, severity=vuln.severity,
                group_company=own, resolved=roll < 0.1,
                state=VexState.NOT_AFFECTED if 0.1 <= roll < 0.2 else VexState.UNDER_INVESTIGATION,
                justification="vulnerable_code_not_in_execute_path" if 0.1 <= roll < 0.2 else "",
                fixed_versions=[f"1.{component.version.split('.')[1]}.9"] if fixed else [], fix_available=fixed,
                upgrade_version=f"1.{component.version.split('.')[1]}.9" if fixed else "",
                upgrade_fixes=3 if fixed else 0, upgrade_total=5,
            ))
    Finding.objects.bulk_create(findings, batch_size=2000)
    assert Finding.objects.count() == findings_total
    return {"big_release": releases[0].pk, "big_release_findings": big, "releases": len(releases),
            "components": len(components), "vulnerabilities": VULNERABILITIES, "findings": findings_total,
            "kev_vulnerabilities": sum(1 for v in vulns if v.known_exploited_since)}


def listed(url: str, content: bytes) -> int | None:
    """How many findings the page says it selects (all pages together)."""
    if url.startswith("/api/"):
        return int(orjson.loads(content)["count"])
    if not url.startswith("/software/findings/"):
        return None
    match = re.search(r'<p class="count">([\d,]+)', content.decode())
    return int(match.group(1).replace(",", "")) if match else None


def measure(repeat: int, big_release: int, big_count: int) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.core import signals
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from renkei.accounts.models import User
    from renkei.core.permissions import Role
    from renkei.registry.models import Organisation

    settings.ALLOWED_HOSTS = ["*"]  # the test client's "testserver"
    signals.request_finished.disconnect(close_old_connections)
    analyst = User.objects.create_user(username="bench-analyst", email="a@example.jp", password="x", role=Role.ANALYST)
    analyst.group_companies.set(Organisation.objects.filter(kind="own"))
    client = Client()
    client.force_login(analyst)

    pages = [
        ("findings list (priority, default)", "/software/findings/"),
        ("findings list, severity critical", "/software/findings/?severity=critical"),
        ("findings list, severity unknown", "/software/findings/?severity=unknown"),
        ("findings list, KEV only", "/software/findings/?known_exploited=on"),
        ("findings list, sorted by vulnerability", "/software/findings/?sort=vulnerability__osv_id"),
        ("findings list, last page", "/software/findings/?page=last"),
        ("API findings (priority)", "/api/v1/software/findings"),
        ("API findings, severity critical", "/api/v1/software/findings?severity=critical"),
        ("API findings, KEV only", "/api/v1/software/findings?known_exploited=true"),
        ("API findings, offset 15,000", "/api/v1/software/findings?offset=15000"),
        (f"release page ({big_count:,} findings)", f"/software/releases/{big_release}/"),
    ]
    rows = []
    for label, url in pages:
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries.captured_queries)
        times, size = [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            size = len(response.content)
        ms = statistics.median(times) * 1000
        rows.append({"page": label, "url": url, "ms": round(ms, 1), "max_ms": round(max(times) * 1000, 1),
                     "queries": query_count, "kb": round(size / 1024, 1), "selected": listed(url, first.content)})
        print(f"{label}: {ms:.0f} ms, {query_count} queries, {size / 1024:.0f} KB, selects {rows[-1]['selected']}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sbom.findings_page", description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--findings", type=int, default=FINDINGS, help="(a smaller run shows whether queries grow)")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    setup_django()
    from django.db import connection

    t = time.perf_counter()
    data = build(args.findings)
    build_s = time.perf_counter() - t
    rows = measure(args.repeat, data.pop("big_release"), data["big_release_findings"])
    results: dict[str, Any] = {
        "database": connection.vendor, **data, "build_s": round(build_s, 1), "repeat": args.repeat, "pages": rows,
        "target_ms": TARGET_MS, "targets_met": all(r["ms"] <= TARGET_MS for r in rows),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "date": datetime.date.today().isoformat(),
    }
    print(orjson.dumps(results).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
