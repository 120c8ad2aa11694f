"""Integers beyond what the database holds answer 422 (or 404 for an id in the path), never 500.

Every list endpoint is found in the OpenAPI document, so a new endpoint is covered without a new
row here: each integer query parameter (ids in filters, `offset`, `limit`) is sent a number larger
than a 64-bit database column.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from renkei.core.crud_api import MAX_DB_INT

pytestmark = pytest.mark.django_db

HUGE = ["99999999999999999999", str(MAX_DB_INT + 1), "-99999999999999999999"]


@pytest.fixture
def admin_client(client: Client, admin_user: Any) -> Client:
    client.force_login(admin_user)
    return client


def integer_query_parameters(spec: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] == "query" and '"integer"' in repr(parameter["schema"]).replace("'", '"'):
                found.append((path, parameter["name"]))
    return found


def test_huge_integers_in_list_filters_and_offsets_answer_422(admin_client: Client) -> None:
    spec = admin_client.get("/api/v1/openapi.json").json()
    parameters = integer_query_parameters(spec)
    families = {path.split("/")[3] for path, _name in parameters}
    assert {"registry", "assessments", "software", "incidents"} <= families
    assert any(name == "offset" for _path, name in parameters)
    answers = {}
    for path, name in parameters:
        for value in HUGE:
            response = admin_client.get(path, {name: value})
            answers[(path, name, value)] = response.status_code
            if response.status_code == 422:
                assert response.json()["errors"][0]["field"] == name
    assert set(answers.values()) == {422}, {k: v for k, v in answers.items() if v != 422}


def test_the_largest_offset_is_an_empty_page(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/registry/organisations", {"offset": str(MAX_DB_INT), "limit": "500"})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_huge_ids_in_paths_are_not_found(admin_client: Client) -> None:
    spec = admin_client.get("/api/v1/openapi.json").json()
    paths = [p for p, ops in spec["paths"].items() if "get" in ops and re.fullmatch(r"[^{}]*\{pk\}", p)]
    assert paths
    for path in paths:
        response = admin_client.get(path.replace("{pk}", "99999999999999999999"))
        assert response.status_code in (404, 422), (path, response.status_code)
    page = admin_client.get("/registry/organisations/99999999999999999999/")
    assert page.status_code == 404


def test_huge_ids_in_a_payload_are_refused(admin_client: Client, own: Any) -> None:
    body = {"client_id": own.pk, "provider_id": 99999999999999999999, "type": "provides_service"}
    response = admin_client.post("/api/v1/registry/relationships", body, content_type="application/json")
    assert response.status_code in (400, 404, 422)
    assert response.json()["errors"][0]["field"] == "provider_id"


def test_a_negative_or_huge_persons_estimate_is_refused(admin_client: Client, own: Any) -> None:
    # Found by the fuzzer on PostgreSQL: a negative count reached the APPI engine (500).
    for value in (-1, 2**31):
        body = {"title": "漏えいの疑い", "source": "own_detection", "category": "leak", "persons_estimate": value}
        response = admin_client.post("/api/v1/incidents", body, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "persons_estimate"
