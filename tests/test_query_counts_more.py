"""Query counts that do not grow with rows (as tests/test_query_counts.py does for the registry lists):
the chain tiers API, the accounts API token list, the user list and token list pages, and the audit
trail list, for a headquarters and a limited administrator. Each list is requested with 2 rows and
again with 20, and both requests must run the same number of queries. Each row has its own related
objects (its own author, group company, tags), so a missing `select_related`/`prefetch_related`
shows up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renkei.accounts.services import api_token_create
from renkei.core.audit import audit_context
from renkei.core.permissions import Role
from renkei.registry import services as registry_services
from renkei.registry.models import Organisation
from tests import factories as f
from tests.test_query_counts import count_queries


def bearer(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="counts", days=1)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def counts_for(client: Client, url: str, add: Any) -> tuple[int, int]:
    add(0, 2)
    with_2 = count_queries(client, url)
    add(2, 18)
    with_20 = count_queries(client, url)
    return with_2, with_20


def test_chain_tiers_api(own: Any, subsidiary: Any, analyst: Any) -> None:
    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            company = own if i % 2 else subsidiary
            org = f.OrganisationFactory(name=f"段{i:03d}", group_company=company, tier=i % 4 or None)
            f.RelationshipFactory(client=company, provider=org)

    client = bearer(analyst)
    with_2, with_20 = counts_for(client, "/api/v1/chain/tiers", add)
    assert len(client.get("/api/v1/chain/tiers").json()["organisations"]) >= 20
    assert with_20 == with_2, (with_2, with_20)


def test_accounts_api_token_list(own: Any, analyst: Any) -> None:
    client = bearer(analyst)

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            api_token_create(user=analyst, name=f"鍵{i}", days=1 + i % 30)

    with_2, with_20 = counts_for(client, "/api/v1/accounts/tokens", add)
    assert len(client.get("/api/v1/accounts/tokens").json()) == 21
    assert with_20 == with_2, (with_2, with_20)


def test_token_list_page(client: Client, own: Any, analyst: Any) -> None:
    client.force_login(analyst)

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            api_token_create(user=analyst, name=f"鍵{i}", days=1 + i % 30)

    with_2, with_20 = counts_for(client, reverse("accounts:tokens"), add)
    assert with_20 == with_2, (with_2, with_20)


@pytest.mark.parametrize("limited", [False, True], ids=["headquarters", "limited"])
def test_user_list_page(client: Client, own: Any, subsidiary: Any, limited: bool) -> None:
    # (The API has no user list: /api/v1/accounts answers only for the caller, see accounts/api.py.)
    administrator = f.UserFactory(role=Role.ADMIN, companies=[subsidiary] if limited else [])
    client.force_login(administrator)

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            company = f.group_company(f"子会社{i}株式会社") if not limited else None
            f.UserFactory(role=Role.ANALYST, companies=[subsidiary] + ([company] if company else []))

    with_2, with_20 = counts_for(client, reverse("accounts:user_list"), add)
    assert with_20 == with_2, (with_2, with_20)


@pytest.mark.parametrize("limited", [False, True], ids=["headquarters", "limited"])
def test_audit_list_page(client: Client, own: Any, subsidiary: Any, limited: bool) -> None:
    administrator = f.UserFactory(role=Role.ADMIN, companies=[subsidiary] if limited else [])
    client.force_login(administrator)

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            author = f.UserFactory(role=Role.ANALYST)  # every entry its own author
            company = subsidiary if limited or i % 2 else own
            with audit_context(actor=author, via="web"):
                org = registry_services.organisation_save(
                    user=author,
                    organisation=Organisation(name=f"監査{i:03d}", kind="contractor", group_company=company),
                    tags=[f"印{i}"],
                )
                org.criticality = "critical"
                registry_services.organisation_save(user=author, organisation=org, tags=[f"印{i}", f"別{i}"])

    with_2, with_20 = counts_for(client, reverse("core:audit_list"), add)
    body = client.get(reverse("core:audit_list")).content.decode()
    assert "監査019" in body
    assert with_20 == with_2, (with_2, with_20)
