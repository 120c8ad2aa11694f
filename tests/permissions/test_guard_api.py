"""The IDOR guard of the registry, chain and software API endpoints (see test_guard.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.idor import logged_in
from tests.permissions import guard
from tests.permissions.rows import API_ROWS, REGISTRY

pytestmark = pytest.mark.usefixtures("world")
guard.add_tests(globals(), API_ROWS)


def test_invisible_reference_answers_like_a_missing_one(limited_analyst: Any, world: Any) -> None:
    client = logged_in(limited_analyst)
    url = f"{REGISTRY}/contacts"
    hidden = client.post(url, {"organisation_id": world["own"]["organisation"].pk, "name": "x", "role": "security"},
                         content_type="application/json")
    missing = client.post(url, {"organisation_id": 10**9, "name": "x", "role": "security"},
                          content_type="application/json")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
