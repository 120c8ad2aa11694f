"""Affected assets proposed from the registry for the involved parties, confirmed by the user
(issue 11 §2): only what the parties received or hold is proposed, nothing is added unasked."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renkei.chain.services import tiers_recompute
from renkei.demo import data as demo
from renkei.incidents.response import asset_proposals
from renkei.registry.models import Organisation
from tests import factories as f
from tests.incidents.incident_helpers import logged_in, open_incident


@pytest.fixture
def demo_own(db: Any) -> Organisation:
    from renkei.demo.loader import load_demo_data

    load_demo_data()
    tiers_recompute()
    return Organisation.objects.get(name=demo.OWN_COMPANY_NAME)


def _by_name(proposals: list[asset_proposals.AssetProposal]) -> dict[str, asset_proposals.AssetProposal]:
    return {p.name: p for p in proposals}


def test_demo_logistics_affiliate_incident_adds_nothing_unasked_and_proposes_only_its_own_data(demo_own) -> None:  # type: ignore[no-untyped-def]
    """Before the fix, opening an incident with the logistics affiliate added 社内メール・文書 and
    ネットワーク構成・認証情報 (what Stratus and かもめ got from the own company) and the 要配慮 health
    data, all without asking."""
    logi = Organisation.objects.get(name=demo.LOGISTICS_COMPANY_NAME)
    incident = open_incident(logi, parties=[logi])
    assert not incident.assets.exists()
    assert incident.persons_estimate is None
    proposals = _by_name(asset_proposals.asset_proposals(incident))
    assert set(proposals) == {demo.GROUP_STAFF_ASSET_NAME, "配送先情報"}  # its own data only
    assert not any(p.selected for p in proposals.values())  # owned, not a received copy: the user decides
    staff = proposals[demo.GROUP_STAFF_ASSET_NAME]
    assert staff.sensitive_personal_info and staff.owned_by == [demo.LOGISTICS_COMPANY_NAME]
    assert staff.passed_on_to == [demo.PAYROLL_OUTSOURCER_NAME, "株式会社ともしびシステム"]


def test_demo_delivery_partner_proposes_the_deliveries_it_holds(demo_own) -> None:  # type: ignore[no-untyped-def]
    kodama = Organisation.objects.get(name="株式会社こだま運送")
    logi = Organisation.objects.get(name=demo.LOGISTICS_COMPANY_NAME)
    incident = open_incident(logi, parties=[kodama])
    (proposal,) = asset_proposals.asset_proposals(incident)
    assert (proposal.name, proposal.selected, proposal.records) == ("配送先情報", True, 5_000_000)
    assert proposal.held_by == ["株式会社こだま運送"] and proposal.passed_on_to == ["有限会社すずらん便"]
    assert proposal.persons == 900_000


def test_page_ticks_only_held_assets_and_adds_what_the_user_confirms(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    subsidiary = f.OrganisationFactory(name="物流子会社", kind="group")
    subsidiary.group_company = subsidiary
    subsidiary.save()
    f.RelationshipFactory(client=own, provider=subsidiary)
    held = f.InformationAssetFactory(name="配送先", record_count=None, person_count=None, has_personal_info=True)
    f.DataHoldingFactory(asset=held, holder=subsidiary, received_from=own, record_count=None)
    health = f.InformationAssetFactory(
        name="健康診断結果", group_company=subsidiary, record_count=100, person_count=100, has_sensitive_personal_info=True
    )
    unrelated = f.InformationAssetFactory(name="無関係な資産", record_count=10)
    incident = open_incident(own, parties=[subsidiary])
    client = logged_in(csirt_user)
    url = reverse("incidents:assets_prefill", args=[incident.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'value="{held.pk}" id="proposal-{held.pk}" checked' in body
    assert f'value="{health.pk}" id="proposal-{health.pk}">' in body  # proposed, not ticked
    assert "無関係な資産" not in body
    assert "不明" in body.split(f'id="proposal-{held.pk}"', 1)[1].split("</tr>", 1)[0]  # unknown count, not 0
    # Only the ticked one is added; an asset nobody involved holds cannot be slipped in.
    refused = client.post(url, {"asset_ids": [held.pk, unrelated.pk]})
    assert refused.status_code == 400 and not incident.assets.exists()
    response = client.post(url, {"asset_ids": [held.pk]})
    assert response.status_code == 302
    item = incident.assets.get()
    assert (item.asset, item.records, item.persons) == (held, None, None)
    assert "Affected assets confirmed" in incident.timeline.first().text or "確認して追加" in incident.timeline.first().text
    # The detail page links to the proposals and shows the unknown counts as 不明, not 0 or a dash.
    detail = client.get(incident.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert url in detail
    row = detail.split('id="incident-assets"', 1)[1].split("</tr>", 2)[1]
    assert row.count("不明") == 2 and "—" not in row


def test_api_lists_and_confirms_proposals(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    contractor = f.OrganisationFactory(name="委託先")
    f.RelationshipFactory(client=own, provider=contractor)
    asset = f.InformationAssetFactory(name="会員情報", record_count=1000, person_count=800, has_personal_info=True)
    f.DataHoldingFactory(asset=asset, holder=contractor, received_from=own, record_count=None)
    incident = open_incident(own, parties=[contractor])
    client = logged_in(csirt_user)
    data = client.get(f"/api/v1/incidents/{incident.pk}/asset-proposals").json()
    assert data == [
        {
            "asset_id": asset.pk,
            "name": "会員情報",
            "personal_info": True,
            "sensitive_personal_info": False,
            "records": None,
            "persons": None,
            "total_records": 1000,
            "held_by": ["委託先"],
            "owned_by": [],
            "passed_on_to": [],
            "selected": True,
        }
    ]
    url = f"/api/v1/incidents/{incident.pk}/asset-proposals/confirm"
    assert client.post(url, {"asset_ids": [10**9]}, content_type="application/json").status_code == 400
    response = client.post(url, {"asset_ids": [asset.pk]}, content_type="application/json")
    assert response.status_code == 201
    assert [(r["asset_id"], r["records"], r["persons"]) for r in response.json()] == [(asset.pk, None, None)]
    assert client.get(f"/api/v1/incidents/{incident.pk}/asset-proposals").json() == []
