"""Query counts of the software API lists do not grow with rows (the pages are guarded in
tests/software/test_views.py): a few products, releases, findings and OSV imports, then more."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.software import factories as sw
from tests.software.test_views import add_rows
from tests.test_query_counts import count_queries

API_LISTS = [
    "/api/v1/software/products",
    "/api/v1/software/releases",
    "/api/v1/software/findings",
    "/api/v1/software/vulnerabilities",
    "/api/v1/software/osv-imports",
    "/api/v1/software/portfolio?name=django",
]


def _rows(own: Any, subsidiary: Any, start: int, count: int) -> None:
    add_rows(own, subsidiary, start, count)
    for _ in range(count):
        sw.OsvImportFactory()


@pytest.mark.parametrize("url", API_LISTS)
def test_software_api_list_queries_do_not_grow_with_rows(url: str, analyst_client: Any, own: Any,
                                                          subsidiary: Any) -> None:
    _rows(own, subsidiary, 0, 3)
    with_3 = count_queries(analyst_client, url)
    _rows(own, subsidiary, 3, 9)
    with_12 = count_queries(analyst_client, url)
    assert with_12 == with_3, f"{url}: {with_3} queries with 3 rows, {with_12} with 12"


def _findings(release: Any, start: int, count: int) -> None:
    """`count` findings on the release's components: every severity, some in KEV, some with EPSS."""
    from tests.software.test_views import make_finding, make_vulnerability

    severities = ["critical", "high", "unknown", "medium", "low"]
    components = ["django", "urllib3", "lodash"]
    for i in range(start, start + count):
        vulnerability = make_vulnerability(
            f"GHSA-q-{i}", severities[i % 5], aliases=[f"CVE-2030-{i}"],
            known_exploited_since=datetime.date(2026, 1, 1) if i % 3 == 0 else None,
            epss_score=0.5 if i % 2 else None,
        )
        make_finding(release, vulnerability, component_name=components[i % 3], fix_available=bool(i % 2))


@pytest.mark.parametrize(
    "url",
    ["release", "/software/findings/?known_exploited=on", "/software/findings/?severity=unknown",
     "/software/findings/?sort=vulnerability__osv_id", "/api/v1/software/findings?known_exploited=true"],
)
def test_findings_pages_queries_do_not_grow_with_findings(url: str, analyst_client: Any, own: Any) -> None:
    """The release page and the filtered findings lists (bench/sbom/findings_page.py times them
    with 20,000 findings): the same queries for 3 findings as for 15."""
    from tests.software.test_views import make_product, make_release, upload

    release = make_release(make_product(own))
    upload(release)
    release.refresh_from_db()
    path = release.get_absolute_url() if url == "release" else url
    _findings(release, 0, 3)
    with_3 = count_queries(analyst_client, path)
    _findings(release, 3, 12)
    with_15 = count_queries(analyst_client, path)
    assert with_15 == with_3, f"{path}: {with_3} queries with 3 findings, {with_15} with 15"
