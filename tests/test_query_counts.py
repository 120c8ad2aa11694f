"""Query counts of list pages and API lists do not grow with rows: an N+1 regression fails here.

Each list is requested with 5 rows of every kind and again with 30 (more than a page of 25), and
both requests must run the same number of queries. Each row has its own related objects (its own
organisation, tags, asset, …), so a missing `select_related`/`prefetch_related` shows up.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renkei.registry.models import Tag
from tests import factories as f

PAGES = [
    "core:dashboard",
    "registry:organisation_list",
    "registry:relationship_list",
    "registry:contact_list",
    "registry:certification_list",
    "registry:asset_list",
    "registry:holding_list",
    "registry:access_list",
]
API_LISTS = [
    "/api/v1/registry/organisations",
    "/api/v1/registry/relationships",
    "/api/v1/registry/contacts",
    "/api/v1/registry/certifications",
    "/api/v1/registry/assets",
    "/api/v1/registry/holdings",
    "/api/v1/registry/access",
]


def add_rows(own, subsidiary, start: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` rows of every registry kind, each with its own related objects."""
    today = timezone.localdate()
    for i in range(start, start + count):
        company = own if i % 2 else subsidiary
        org = f.OrganisationFactory(name=f"行{i:03d}", group_company=company, tier=i % 4 or None)
        org.tags.add(Tag.objects.create(name=f"タグ{i}"), Tag.objects.create(name=f"別タグ{i}"))
        f.RelationshipFactory(client=company, provider=org)
        f.ContactFactory(organisation=org)
        # Some expired, some expiring: the dashboard lists both.
        f.CertificationFactory(organisation=org, valid_until=today + dt.timedelta(days=(i % 3 - 1) * 20))
        f.SystemAccessFactory(organisation=org)
        asset = f.InformationAssetFactory(group_company=company, has_sensitive_personal_info=bool(i % 2))
        f.DataHoldingFactory(asset=asset, holder=org, received_from=company)


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm caches (content types, session) outside the measurement
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PAGES + API_LISTS)
def test_list_queries_do_not_grow_with_rows(url, analyst_client, own, subsidiary):  # type: ignore[no-untyped-def]
    path = url if url.startswith("/") else reverse(url)
    add_rows(own, subsidiary, 0, 5)
    with_5 = count_queries(analyst_client, path)
    add_rows(own, subsidiary, 5, 25)
    with_30 = count_queries(analyst_client, path)
    assert with_30 == with_5, f"{path}: {with_5} queries with 5 rows, {with_30} with 30"


@pytest.mark.parametrize("url", API_LISTS)
def test_api_list_queries_with_a_token_do_not_grow(url, own, subsidiary, analyst):  # type: ignore[no-untyped-def]
    from django.test import Client

    from renkei.accounts.services import api_token_create

    _token, raw = api_token_create(user=analyst, name="counts", days=1)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    add_rows(own, subsidiary, 0, 5)
    with_5 = count_queries(client, url)
    add_rows(own, subsidiary, 5, 25)
    with_30 = count_queries(client, url)
    assert with_30 == with_5
