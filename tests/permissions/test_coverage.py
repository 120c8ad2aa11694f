"""Every URL of the URL conf and every API operation is covered by a guard table (or is public on
purpose), and no table names a URL that is gone. The tables: tests/permissions/rows.py and
incident_rows.py; tests/assessments/test_views_permissions.py (staff pages), test_api_permissions.py
(/api/v1/assessments) and test_portal_guard.py (the partner portal)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.assessments import test_api_permissions, test_portal_guard, test_views_permissions
from tests.idor import api_operations, url_names
from tests.permissions.incident_rows import INCIDENT_ROWS
from tests.permissions.rows import API_ROWS, PAGE_ROWS

GUARDED_NAMESPACES = {"registry", "chain", "software", "incidents"}
GUARDED_API_PREFIXES = ("/api/v1/registry/", "/api/v1/chain/", "/api/v1/software/", "/api/v1/incidents")

# The public intake (issue 5 §5) is the one place outsiders reach without a login: a stable address
# for tips and partner reports. Its abuse controls (CSRF, rate limits per address, honeypot, size and
# type limits, a generic answer to wrong receipt codes) are tested in tests/incidents/test_intake.py.
# A URL is public only if it is listed here, with the method it is used with.
PUBLIC_NAMESPACES = {"intake"}
PUBLIC_PAGES = {
    "intake:form": "GET",  # the reporting form
    "intake:receipt": "GET",  # the receipt code, shown once (without one: back to the status page)
    "intake:status": "GET",  # enter the receipt code
    "intake:status_detail": "GET",  # the report's status (without a code entered: back to the lookup)
    "intake:status_end": "POST",  # forget the report in this browser
}


def test_every_guarded_url_is_in_the_table(client: Client, db: Any) -> None:
    missing_pages = url_names(GUARDED_NAMESPACES) - {r.target for r in PAGE_ROWS + INCIDENT_ROWS}
    assert not missing_pages, f"pages without a row in tests/permissions/: {sorted(missing_pages)}"
    missing_api = api_operations(client, GUARDED_API_PREFIXES) - {(r.method, r.target) for r in API_ROWS + INCIDENT_ROWS}
    assert not missing_api, f"API endpoints without a row in tests/permissions/: {sorted(missing_api)}"


def test_the_table_has_no_stale_rows(client: Client, db: Any) -> None:
    assert {r.target for r in PAGE_ROWS} <= url_names()
    assert {(r.method, r.target) for r in API_ROWS} <= api_operations(client)


# Not in a guard table (yet): their own tests check their permissions. A new namespace or API prefix
# must go into a table or here, with the reason.
OUTSIDE_TABLES = {
    "accounts",  # login, profile, tokens, users: tests/accounts/ (user management is admin only)
    "core",  # the dashboard is in rows.py; the audit log: tests/core/test_audit.py
    "api",  # django-ninja's URL names; the API's operations are checked by path below
}
# The own tokens and profile (tests/accounts/test_api.py) and the open health check.
API_OUTSIDE_TABLES = ("/api/v1/accounts/", "/api/v1/ping")


def test_every_url_and_api_operation_has_a_table(client: Client, db: Any) -> None:
    """Every namespace of the URL conf and every API prefix belongs to one of the tables above."""
    tables = GUARDED_NAMESPACES | PUBLIC_NAMESPACES | {"assessments", "portal"}
    namespaces = {n.split(":", 1)[0] for n in url_names() if ":" in n}
    assert namespaces - tables - OUTSIDE_TABLES == set(), "URL namespaces without a guard table"
    prefixes = (*GUARDED_API_PREFIXES, test_api_permissions.API + "/")
    unguarded_api = {(m, p) for m, p in api_operations(client) if not p.startswith(prefixes)}
    assert unguarded_api and all(p.startswith(API_OUTSIDE_TABLES) for _m, p in unguarded_api), sorted(unguarded_api)
    assert test_views_permissions.READS and test_portal_guard.ROWS


def test_public_pages_are_exactly_the_allow_list(db: Any) -> None:
    assert url_names(PUBLIC_NAMESPACES) == set(PUBLIC_PAGES)


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_pages_answer_anonymous_visitors(name: str, client: Client, own: Any) -> None:
    url = reverse(name)
    response = client.post(url) if PUBLIC_PAGES[name] == "POST" else client.get(url)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response.url.startswith(reverse(settings.LOGIN_URL))
