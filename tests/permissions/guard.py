"""The guard tests of one table (rows of tests/permissions/rows.py), added to a test module.

`add_tests(globals(), rows)` defines the test functions below in the calling module, each
parametrized with the rows it applies to; the checks themselves are tests/idor.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.idor import Row, assert_login_required, assert_not_found, assert_refused, ids, logged_in, request


def _parametrized(rows: list[Row], test: Callable[..., None]) -> Callable[..., None]:
    return pytest.mark.parametrize("row", rows, ids=ids(rows))(test)


def add_tests(namespace: dict[str, Any], rows: list[Row]) -> None:
    reads = [r for r in rows if not r.writes]
    writes = [r for r in rows if r.writes]
    # Pages that show a form or a confirmation before a write: only users who may write reach them.
    write_forms = [
        r for r in reads if not r.is_api and r.target.endswith(("_create", "_update", "_delete", "_offboard", ":import"))
    ]
    viewer_reads = [r for r in reads if r not in write_forms]
    object_rows = [r for r in rows if r.obj and not r.shared]
    lists = [r for r in rows if r.listed]
    creates = [r for r in rows if r.names_objects]

    def test_anonymous_is_sent_to_login(row: Row, client: Client, world: Any) -> None:
        assert_login_required(client, row, world["own"])

    def test_viewer_may_not_write(row: Row, viewer: Any, world: Any) -> None:
        assert_refused(logged_in(viewer), row, world["own"])

    def test_viewer_may_read(row: Row, viewer: Any, world: Any) -> None:
        assert request(logged_in(viewer), row, world["own"]).status_code == 200

    def test_other_companys_object_is_not_found(row: Row, limited_analyst: Any, world: Any) -> None:
        assert_not_found(logged_in(limited_analyst), row, world["own"], visible=world["subsidiary"])

    def test_other_companys_objects_are_absent_from_lists(row: Row, limited_analyst: Any, world: Any) -> None:
        response = request(logged_in(limited_analyst), row, world["own"])
        assert response.status_code == 200
        assert row.shows is not None and row.listed is not None
        assert not row.shows(response, world["own"][row.listed])
        assert row.shows(response, world["subsidiary"][row.listed])

    def test_create_naming_another_companys_object_is_refused(row: Row, limited_analyst: Any, world: Any) -> None:
        # The payload names the own company's objects, which the limited user may not see.
        response = assert_refused(logged_in(limited_analyst), row, world["own"], status=400)
        if row.is_api:
            assert response.json()["errors"][0]["field"].endswith("_id")

    def test_analyst_reads(row: Row, analyst: Any, world: Any) -> None:
        assert request(logged_in(analyst), row, world["own"]).status_code == 200

    def test_analyst_writes(row: Row, analyst: Any, world: Any) -> None:
        response = request(logged_in(analyst), row, world["own"])
        assert response.status_code == row.success(), response.content[:2000]

    tests = {
        test_anonymous_is_sent_to_login: rows,
        test_viewer_may_not_write: writes + write_forms,
        test_viewer_may_read: viewer_reads,
        test_other_companys_object_is_not_found: object_rows,
        test_other_companys_objects_are_absent_from_lists: lists,
        test_create_naming_another_companys_object_is_refused: creates,
        test_analyst_reads: reads,
        test_analyst_writes: writes,
    }
    for test, selected in tests.items():
        if selected:
            namespace[test.__name__] = _parametrized(selected, test)
