"""Blast radius through the selector, page, API and command on a multi-tier chain."""

import io

import orjson
import pytest
from django.core.management import call_command
from django.urls import reverse

from renkei.chain.services import tiers_recompute
from renkei.registry.models import ContactRole, OrganisationKind, RelationshipType
from tests import factories as f


@pytest.fixture
def chain(own, subsidiary):
    """own → cloud → sub → subsub, holding customer data that flows down the chain."""
    cloud = f.OrganisationFactory(name="クラウド委託先", kind=OrganisationKind.CLOUD)
    sub = f.OrganisationFactory(name="再委託先A")
    subsub = f.OrganisationFactory(name="再々委託先B")
    f.RelationshipFactory(client=own, provider=subsidiary, type=RelationshipType.PARENT_SUBSIDIARY)
    f.RelationshipFactory(client=own, provider=cloud)
    f.RelationshipFactory(client=cloud, provider=sub, type=RelationshipType.REDELEGATES_WORK)
    f.RelationshipFactory(client=sub, provider=subsub, type=RelationshipType.REDELEGATES_WORK)
    asset = f.InformationAssetFactory(name="顧客情報", record_count=1_200_000, has_personal_info=True)
    f.DataHoldingFactory(asset=asset, holder=cloud, received_from=own, record_count=1_200_000)
    f.DataHoldingFactory(asset=asset, holder=sub, received_from=cloud, record_count=1_200_000)
    f.DataHoldingFactory(asset=asset, holder=subsub, received_from=sub, record_count=300_000)
    f.ContactFactory(organisation=cloud, name="雲野 太郎", role=ContactRole.INCIDENT)
    f.SystemAccessFactory(organisation=sub, system="顧客管理VPN")
    tiers_recompute()
    return {"own": own, "cloud": cloud, "sub": sub, "subsub": subsub, "asset": asset}


def test_tiers_are_stored(chain):
    for name, tier in (("own", 0), ("cloud", 1), ("sub", 2), ("subsub", 3)):
        chain[name].refresh_from_db()
        assert chain[name].tier == tier


def test_page_shows_exposure_and_notice_chain(chain, analyst_client):
    response = analyst_client.get(reverse("chain:blast_radius", args=[chain["cloud"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "顧客情報" in body
    assert "1,200,000" in body  # copies passed down are not counted twice
    assert "再々委託先B" in body and "雲野 太郎" in body and "顧客管理VPN" in body


def test_api_of_third_tier(chain, analyst_client):
    response = analyst_client.get(f"/api/v1/chain/blast-radius/{chain['subsub'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert [o["name"] for o in data["notice_chain"]] == [chain["own"].name, "クラウド委託先", "再委託先A", "再々委託先B"]
    assert data["exposed_assets"][0]["exposed_records"] == 300_000
    assert data["party"]["tier"] == 3


def test_out_of_scope_party_is_404(chain, client, limited_analyst):
    client.force_login(limited_analyst)
    assert client.get(reverse("chain:blast_radius", args=[chain["cloud"].pk])).status_code == 404
    assert client.get(f"/api/v1/chain/blast-radius/{chain['cloud'].pk}").status_code == 404


def test_command_text_and_json(chain):
    out = io.StringIO()
    call_command("blast_radius", "再々委託先B", stdout=out)
    assert "クラウド委託先 → 再委託先A → 再々委託先B" in out.getvalue()
    out = io.StringIO()
    call_command("blast_radius", str(chain["sub"].pk), "--json", stdout=out)
    data = orjson.loads(out.getvalue())
    assert {o["name"] for o in data["downstream"]} == {"再々委託先B"}


def test_command_unknown_party(chain):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("blast_radius", "存在しない会社")


def test_cycle_is_harmless(chain, analyst_client):
    f.RelationshipFactory(client=chain["subsub"], provider=chain["cloud"], type=RelationshipType.BUSINESS_PARTNER)
    tiers_recompute()
    response = analyst_client.get(f"/api/v1/chain/blast-radius/{chain['sub'].pk}")
    assert response.status_code == 200
    assert response.json()["exposed_assets"][0]["exposed_records"] == 1_200_000


def test_limited_user_sees_the_notice_chain_with_hidden_parties_masked(own, subsidiary, client, limited_analyst):
    """A subsidiary's contractor: the chain runs through the own company, which the user may not see."""
    contractor = f.OrganisationFactory(name="子会社の委託先", group_company=subsidiary)
    f.RelationshipFactory(client=own, provider=subsidiary, type=RelationshipType.PARENT_SUBSIDIARY, group_company=own)
    f.RelationshipFactory(client=subsidiary, provider=contractor, group_company=subsidiary)
    secret = f.InformationAssetFactory(name="本社の秘密", group_company=own)
    mine = f.InformationAssetFactory(name="子会社の顧客情報", group_company=subsidiary)
    f.RelationshipFactory(client=own, provider=contractor, group_company=own)
    f.DataHoldingFactory(asset=secret, holder=contractor, received_from=own)
    f.DataHoldingFactory(asset=mine, holder=contractor, received_from=subsidiary)
    tiers_recompute()
    client.force_login(limited_analyst)
    data = client.get(f"/api/v1/chain/blast-radius/{contractor.pk}").json()
    assert [a["name"] for a in data["exposed_assets"]] == ["子会社の顧客情報"]
    assert data["notice_chain"][0]["id"] is None and data["notice_chain"][-1]["name"] == "子会社の委託先"
    assert own.name not in str(data)
    page = client.get(reverse("chain:blast_radius", args=[contractor.pk]))
    assert page.status_code == 200 and "本社の秘密" not in page.content.decode()


def test_blast_radius_for_several_parties_loads_the_graph_once(chain, monkeypatch):
    """The typed call other apps use: one graph load for all parties, the same result as one by one,
    and a party outside the graph left out."""
    from renkei.chain import selectors

    loads = []
    real = selectors.graph_data
    monkeypatch.setattr(selectors, "graph_data", lambda **kw: loads.append(1) or real(**kw))
    parties = [chain["cloud"], chain["sub"], chain["subsub"]]
    radii = selectors.blast_radius_for(party_ids=[p.pk for p in parties] + [10**9])
    assert len(loads) == 1
    assert list(radii) == [p.pk for p in parties]
    for party in parties:
        assert radii[party.pk] == selectors.blast_radius(user=None, party=party)
    deepest = radii[chain["subsub"].pk]
    assert [o.name for o in deepest.notice_chain] == [chain["own"].name, "クラウド委託先", "再委託先A", "再々委託先B"]
    assert deepest.party.tier == 3 and deepest.exposed_assets[0].exposed_records == 300_000


# --- issue 11 §2 on the demo data --------------------------------------------------------------


@pytest.fixture
def demo_data(db):
    from renkei.demo.loader import load_demo_data

    load_demo_data()
    tiers_recompute()


def _party(name: str):  # type: ignore[no-untyped-def]
    from renkei.registry.models import Organisation

    return Organisation.objects.get(name=name)


def test_demo_radius_of_the_logistics_affiliate_excludes_what_the_cloud_provider_got_from_us(demo_data, analyst_client):
    """The logistics affiliate uses the same mail cloud (Stratus) and network operator (かもめ) as the
    own company; what those received from the own company directly did not reach them through the
    affiliate. Before the fix its radius listed 社内メール・文書 and ネットワーク構成・認証情報."""
    from renkei.demo import data as demo

    logi = _party(demo.LOGISTICS_COMPANY_NAME)
    data = analyst_client.get(f"/api/v1/chain/blast-radius/{logi.pk}").json()
    assert {a["name"] for a in data["exposed_assets"]} == {demo.GROUP_STAFF_ASSET_NAME, "配送先情報"}
    assert "Stratus Peak Cloud, Inc." in {o["name"] for o in data["downstream"]}  # still downstream
    assert data["exposed_records"] == 5_002_600
    page = analyst_client.get(reverse("chain:blast_radius", args=[logi.pk])).content.decode()
    assert "社内メール・文書" not in page and "ネットワーク構成・認証情報" not in page
    # The cloud provider's own radius still has the mail it received from us.
    stratus = _party("Stratus Peak Cloud, Inc.")
    data = analyst_client.get(f"/api/v1/chain/blast-radius/{stratus.pk}").json()
    assert [a["name"] for a in data["exposed_assets"]] == ["社内メール・文書"]


def test_demo_unknown_record_counts_show_as_unknown_never_zero(demo_data, analyst_client):
    """The network operator holds our network configuration with no record count: 不明 / null, not 0."""
    kamome = _party("株式会社かもめマネージドサービス")
    data = analyst_client.get(f"/api/v1/chain/blast-radius/{kamome.pk}").json()
    (asset,) = data["exposed_assets"]
    assert asset["exposed_records"] is None and asset["total_records"] is None
    assert data["exposed_records"] is None and data["exposed_records_at_least"] == 0
    page = analyst_client.get(reverse("chain:blast_radius", args=[kamome.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    body = page.content.decode()
    summary = body.split('id="exposed-records">', 1)[1].split("</div>", 1)[0]
    assert summary.strip() == "不明"
    row = body.split('id="exposed-assets"', 1)[1].split("</tr>", 2)[1]
    assert "不明" in row and ">0<" not in row
    out = io.StringIO()
    call_command("blast_radius", str(kamome.pk), stdout=out)
    assert "Exposed records (each counted once): unknown" in out.getvalue()


def test_unknown_plus_known_is_unknown_with_the_known_part(chain, analyst_client):
    """A second asset with an unknown count: the total is 不明（1,200,000件以上）, not 1,200,000."""
    logs = f.InformationAssetFactory(name="アクセスログ", record_count=None)
    f.DataHoldingFactory(asset=logs, holder=chain["cloud"], received_from=chain["own"], record_count=None)
    data = analyst_client.get(f"/api/v1/chain/blast-radius/{chain['cloud'].pk}").json()
    assert (data["exposed_records"], data["exposed_records_at_least"]) == (None, 1_200_000)
    body = analyst_client.get(reverse("chain:blast_radius", args=[chain["cloud"].pk])).content.decode()
    summary = body.split('id="exposed-records">', 1)[1].split("</div>", 1)[0]
    assert "不明" in summary and "1,200,000件以上" in summary
