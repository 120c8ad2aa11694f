"""A user limited to a group company sees its relationships, but never the name of a party on the
other end that another group company manages: pages, API, exports and the audit trail say
「範囲外の取引先」 instead (issue 13 §4)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renkei.core.permissions import Role
from renkei.incidents.response.models import Incident
from renkei.registry.models import OrganisationKind
from renkei.registry.services import relationship_save
from tests import factories as f

pytestmark = pytest.mark.django_db

HIDDEN = "秘匿クラウド株式会社"
HIDDEN_NUMBER = "1234567890123"
MASK = "範囲外の取引先"


@pytest.fixture
def world(own: Any, subsidiary: Any) -> dict[str, Any]:
    hidden = f.OrganisationFactory(name=HIDDEN, corporate_number=HIDDEN_NUMBER, kind=OrganisationKind.CLOUD, group_company=own)
    headquarters = f.UserFactory(role=Role.ADMIN)
    rel = f.RelationshipFactory.build(client=subsidiary, provider=hidden, group_company=subsidiary, service="メール")
    rel = relationship_save(user=headquarters, relationship=rel)  # through the service: audited
    incident = Incident.objects.create(
        group_company=subsidiary, title="メール基盤の障害", learned_at=dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC),
        source="partner_report", category="leak",
    )
    incident.parties.add(hidden)
    limited = f.UserFactory(role=Role.ANALYST, companies=[subsidiary])
    limited_csirt = f.UserFactory(role=Role.CSIRT, companies=[subsidiary])
    return {
        "hidden": hidden, "relationship": rel, "incident": incident, "limited": limited, "limited_csirt": limited_csirt,
        "hq": headquarters,
    }


def pages(world: dict[str, Any], subsidiary: Any) -> list[str]:
    rel = world["relationship"]
    return [
        reverse("registry:organisation_detail", args=[subsidiary.pk]),
        reverse("registry:relationship_list"),
        reverse("registry:relationship_detail", args=[rel.pk]),
        reverse("registry:relationship_update", args=[rel.pk]),
        reverse("registry:relationship_delete", args=[rel.pk]),
        reverse("core:audit_object", args=["relationship", rel.pk]),
        "/api/v1/registry/relationships",
        f"/api/v1/registry/relationships/{rel.pk}",
        reverse("registry:export") + "?format=csv&kind=relationships",
    ]


def assert_masked(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode("utf-8-sig")
    assert HIDDEN not in body and HIDDEN_NUMBER not in body, url
    assert MASK in body or "\\u7bc4\\u56f2\\u5916" in body, url  # JSON escapes non-ASCII


def test_a_limited_user_never_reads_the_out_of_scope_name(client: Client, world: dict[str, Any], subsidiary: Any) -> None:
    client.force_login(world["limited"])
    for url in pages(world, subsidiary):
        assert_masked(client, url)
    client.force_login(world["limited_csirt"])
    assert_masked(client, reverse("incidents:incident_detail", args=[world["incident"].pk]))


def test_the_mask_is_unlinked_and_offers_no_blast_radius(client: Client, world: dict[str, Any], subsidiary: Any) -> None:
    client.force_login(world["limited"])
    hidden_url = world["hidden"].get_absolute_url()
    for name in ("registry:relationship_detail",):
        body = client.get(reverse(name, args=[world["relationship"].pk])).content.decode()
        assert hidden_url not in body
    client.force_login(world["limited_csirt"])
    body = client.get(reverse("incidents:incident_detail", args=[world["incident"].pk])).content.decode()
    assert reverse("chain:blast_radius", args=[world["hidden"].pk]) not in body


def test_the_api_names_the_mask(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["limited"])
    item = client.get(f"/api/v1/registry/relationships/{world['relationship'].pk}").json()
    assert item["provider_name"] == MASK
    assert item["client_name"] == world["relationship"].client.name


def test_the_workbook_export_names_the_mask(client: Client, world: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    client.force_login(world["limited"])
    response = client.get(reverse("registry:export") + "?format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert MASK in cells
    assert not any(HIDDEN in c or HIDDEN_NUMBER in c for c in cells)


def test_an_unrestricted_user_reads_the_name(client: Client, world: dict[str, Any], subsidiary: Any) -> None:
    client.force_login(world["hq"])
    for url in pages(world, subsidiary):
        body = client.get(url).content.decode("utf-8-sig")
        assert MASK not in body and "\\u7bc4\\u56f2\\u5916" not in body, url
    assert HIDDEN in client.get(reverse("registry:relationship_detail", args=[world["relationship"].pk])).content.decode()
