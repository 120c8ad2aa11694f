"""Query counts of the assessment lists not guarded elsewhere (the party, campaign and follow-up
lists are in test_views*.py, the API lists in test_api.py): they do not grow with rows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assessments.test_api import add_rows
from tests.assessments.test_views_helpers import count_queries, url


@pytest.mark.parametrize("name", ["assignment_list", "framework_list"])
def test_assessment_list_queries_do_not_grow_with_rows(name: str, analyst_client: Any, own: Any) -> None:
    add_rows(own, 2, 0)
    few = count_queries(analyst_client, url(name))
    add_rows(own, 6, 2)
    assert count_queries(analyst_client, url(name)) == few
