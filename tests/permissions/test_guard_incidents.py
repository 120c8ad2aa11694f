"""The IDOR guard of the incident pages beyond the list (tests/permissions/incident_rows.py): anonymous
visitors go to the login page, viewers and analysts get 403 and nothing changes, CSIRT succeeds, and a
CSIRT user limited to the subsidiary gets 404 for the own company's objects."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.idor import Row, assert_login_required, assert_not_found, assert_refused, ids, logged_in, request
from tests.permissions.incident_rows import (
    INCIDENT_CREATES,
    INCIDENT_LISTS,
    INCIDENT_OBJECT_ROWS,
    INCIDENT_ROWS,
)

pytestmark = pytest.mark.usefixtures("world")


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_incident_page_sends_anonymous_to_login(row: Row, client: Client, world: Any) -> None:
    assert_login_required(client, row, world["own"])


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_incident_page_is_closed_to_viewers_and_analysts(row: Row, viewer: Any, analyst: Any, world: Any) -> None:
    for user in (viewer, analyst):
        assert_refused(logged_in(user), row, world["own"])


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_csirt_uses_incident_page(row: Row, csirt_user: Any, world: Any) -> None:
    response = request(logged_in(csirt_user), row, world["own"])
    assert response.status_code == (row.success() if row.writes else 200), response.content[:2000]


@pytest.mark.parametrize("row", INCIDENT_OBJECT_ROWS, ids=ids(INCIDENT_OBJECT_ROWS))
def test_other_companys_incident_object_is_not_found(row: Row, limited_csirt: Any, world: Any) -> None:
    assert_not_found(logged_in(limited_csirt), row, world["own"], visible=world["subsidiary"])


@pytest.mark.parametrize("row", INCIDENT_LISTS, ids=ids(INCIDENT_LISTS))
def test_other_companys_incident_objects_are_absent_from_lists(row: Row, limited_csirt: Any, world: Any) -> None:
    response = request(logged_in(limited_csirt), row, world["own"])
    assert response.status_code == 200
    assert row.shows is not None and row.listed is not None
    assert not row.shows(response, world["own"][row.listed])
    assert row.shows(response, world["subsidiary"][row.listed])


@pytest.mark.parametrize("row", INCIDENT_CREATES, ids=ids(INCIDENT_CREATES))
def test_incident_create_naming_another_companys_object_is_refused(row: Row, limited_csirt: Any, world: Any) -> None:
    # The payload names the own company's objects, which the limited CSIRT user may not see.
    response = assert_refused(logged_in(limited_csirt), row, world["own"], status=400)
    if row.is_api:
        assert response.json()["errors"][0]["field"].endswith("_id")


def test_a_write_does_not_reach_the_next_test(csirt_user: Any, world: Any) -> None:
    """With `test_..._next_test_sees_fresh_data` below: the data is built once per module, yet each
    test starts from it unchanged (the `world` fixture also compares every row before each test)."""
    from renkei.incidents.models import Incident

    incident = world["own"]["incident"]
    assert request(logged_in(csirt_user), Row("incidents:incident_delete", "POST", obj="incident"),
                   world["own"]).status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()


def test_a_write_does_not_reach_the_next_test_sees_fresh_data(world: Any) -> None:
    from renkei.incidents.models import Incident

    assert Incident.objects.filter(pk=world["own"]["incident"].pk).exists()
