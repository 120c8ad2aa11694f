"""Query counts of the software API lists do not grow with rows (the pages are guarded in
tests/software/test_views.py): a few products, releases, findings and OSV imports, then more."""

from __future__ import annotations

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
