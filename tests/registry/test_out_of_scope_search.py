"""A user limited to a group company cannot learn the name of a party outside it by searching or
sorting either: a search by the hidden name finds nothing, and the hidden parties sort last, in an
order that does not depend on their names (issue 13 §4, core.masking)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renkei.core.permissions import Role
from renkei.registry.models import OrganisationKind
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/registry/relationships"


@pytest.fixture
def scene(own: Any, subsidiary: Any) -> dict[str, Any]:
    # Created in this order so that the order of the records (pk) is not the order of the names.
    zzz = f.OrganisationFactory(name="Zzz秘匿商事", kind=OrganisationKind.CLOUD, group_company=own)
    aaa = f.OrganisationFactory(name="Aaa秘匿商事", kind=OrganisationKind.CLOUD, group_company=own)
    mine = f.OrganisationFactory(name="Mmm見える商事", kind=OrganisationKind.CLOUD, group_company=subsidiary)
    rels = {
        party.name: f.RelationshipFactory(client=subsidiary, provider=party, group_company=subsidiary, service=service)
        for party, service in ((zzz, "最初の委託"), (aaa, "二番目の委託"), (mine, "見える委託"))
    }
    asset = f.InformationAssetFactory(name="顧客名簿", group_company=subsidiary)
    holding = f.DataHoldingFactory(asset=asset, holder=aaa, received_from=subsidiary)
    return {
        "rels": rels,
        "holding": holding,
        "limited": f.UserFactory(role=Role.ANALYST, companies=[subsidiary]),
        "hq": f.UserFactory(role=Role.ADMIN),
    }


def page_rows(client: Client, url: str, **params: str) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [row.pk for row in response.context["object_list"]]


def api_rows(client: Client, **params: str) -> list[int]:
    response = client.get(API, params)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def test_searching_a_hidden_name_finds_nothing(client: Client, scene: dict[str, Any]) -> None:
    client.force_login(scene["limited"])
    rels = scene["rels"]
    lists = reverse("registry:relationship_list")
    for query in ("Aaa秘匿", "秘匿商事", "ｚｚｚ"):  # width and case are ignored by the search, and still nothing
        assert page_rows(client, lists, q=query) == []
        assert api_rows(client, q=query) == []
    assert page_rows(client, lists, q="Mmm見える") == [rels["Mmm見える商事"].pk]
    assert api_rows(client, q="見える") == [rels["Mmm見える商事"].pk]
    # The in-scope party on the other end still finds every row, hidden provider or not.
    assert len(page_rows(client, lists, q="子会社")) == 3
    assert len(api_rows(client, q="子会社")) == 3


def test_searching_a_hidden_holder_finds_nothing(client: Client, scene: dict[str, Any]) -> None:
    client.force_login(scene["limited"])
    holdings = reverse("registry:holding_list")
    assert page_rows(client, holdings, q="Aaa秘匿") == []
    assert client.get("/api/v1/registry/holdings", {"q": "Aaa秘匿"}).json()["items"] == []
    assert page_rows(client, holdings, q="顧客名簿") == [scene["holding"].pk]


def test_hidden_parties_sort_last_in_record_order(client: Client, scene: dict[str, Any]) -> None:
    client.force_login(scene["limited"])
    rels = scene["rels"]
    hidden_in_record_order = [rels["Zzz秘匿商事"].pk, rels["Aaa秘匿商事"].pk]
    lists = reverse("registry:relationship_list")
    for sort in ("provider__name", "-provider__name"):
        assert page_rows(client, lists, sort=sort) == [rels["Mmm見える商事"].pk, *hidden_in_record_order], sort
    assert api_rows(client) == [rels["Mmm見える商事"].pk, *hidden_in_record_order]


def test_the_export_and_the_party_page_order_hidden_parties_by_record(
    client: Client, scene: dict[str, Any], subsidiary: Any
) -> None:
    client.force_login(scene["limited"])
    csv = client.get(reverse("registry:export"), {"format": "csv", "kind": "relationships"}).content.decode("utf-8-sig")
    services = [s for s in ("見える委託", "最初の委託", "二番目の委託") if s in csv]
    assert sorted(services, key=csv.index) == ["見える委託", "最初の委託", "二番目の委託"]
    page = client.get(reverse("registry:organisation_detail", args=[subsidiary.pk]))
    downstream = [rel.pk for rel in page.context["downstream"]]
    rels = scene["rels"]
    assert downstream == [rels[name].pk for name in ("Mmm見える商事", "Zzz秘匿商事", "Aaa秘匿商事")]


def test_an_unrestricted_user_searches_and_sorts_by_every_name(client: Client, scene: dict[str, Any]) -> None:
    client.force_login(scene["hq"])
    rels = scene["rels"]
    lists = reverse("registry:relationship_list")
    assert page_rows(client, lists, q="Aaa秘匿") == [rels["Aaa秘匿商事"].pk]
    assert api_rows(client, q="Aaa秘匿") == [rels["Aaa秘匿商事"].pk]
    by_name = [rels[name].pk for name in ("Aaa秘匿商事", "Mmm見える商事", "Zzz秘匿商事")]
    assert page_rows(client, lists, sort="provider__name") == by_name
    assert page_rows(client, lists, sort="-provider__name") == by_name[::-1]
    assert api_rows(client) == by_name
