"""Registry pages: forms with validation, lists with filters and pagination, detail pages."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from renkei.chain.services import tiers_recompute
from renkei.registry.models import DataHolding, Organisation, RelationshipType
from tests import factories as f


def test_create_organisation_through_the_form(analyst_client, own):
    response = analyst_client.post(
        reverse("registry:organisation_create"),
        {
            "name": "山田システム株式会社",
            "corporate_number": "7000012050002",
            "kind": "contractor",
            "country": "jp",
            "criticality": "high",
            "status": "active",
            "web_domains": "https://yamada.example.jp/",
            "tag_names": "個人情報、重要委託先",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="山田システム株式会社")
    assert org.country == "JP" and org.web_domains == "yamada.example.jp" and org.tags.count() == 2


def test_invalid_corporate_number_shows_message_in_japanese(analyst_client, own):
    response = analyst_client.post(
        reverse("registry:organisation_create"),
        {"name": "誤り株式会社", "corporate_number": "1234567890123", "kind": "contractor", "country": "JP",
         "criticality": "medium", "status": "active"},
    )
    assert response.status_code == 400
    assert "法人番号" in response.content.decode() or "チェックデジット" in response.content.decode()
    assert not Organisation.objects.filter(name="誤り株式会社").exists()


def test_relationship_to_itself_shows_error(analyst_client, own):
    org = f.OrganisationFactory()
    response = analyst_client.post(
        reverse("registry:relationship_create"),
        {"client": org.pk, "provider": org.pk, "type": "contracts_work", "redelegation_approved": "unknown"},
    )
    assert response.status_code == 400


def test_holding_form_names_the_missing_relationship(analyst_client, own):
    a = f.OrganisationFactory(name="委託先E")
    b = f.OrganisationFactory(name="再委託先F")
    asset = f.InformationAssetFactory()
    response = analyst_client.post(
        reverse("registry:holding_create"), {"asset": asset.pk, "holder": b.pk, "received_from": a.pk}
    )
    assert response.status_code == 400
    assert "委託先E → 再委託先F" in response.content.decode()
    assert DataHolding.objects.count() == 0


def test_detail_shows_parties_above_and_below(analyst_client, own):
    mid = f.OrganisationFactory(name="中間委託先")
    below = f.OrganisationFactory(name="下位委託先")
    f.RelationshipFactory(client=own, provider=mid)
    f.RelationshipFactory(client=mid, provider=below, type=RelationshipType.REDELEGATES_WORK)
    body = analyst_client.get(reverse("registry:organisation_detail", args=[mid.pk])).content.decode()
    assert own.name in body and "下位委託先" in body


def test_list_filters_tier_kind_tag_and_expiring_certification(analyst_client, own):
    near = f.OrganisationFactory(name="近い委託先", kind="cloud")
    far = f.OrganisationFactory(name="遠い委託先")
    lonely = f.OrganisationFactory(name="未接続の会社")
    f.RelationshipFactory(client=own, provider=near)
    f.RelationshipFactory(client=near, provider=far)
    tiers_recompute()
    far.tags.add(_tag("海外"))
    f.CertificationFactory(organisation=near, valid_until=timezone.localdate() + dt.timedelta(days=10))
    url = reverse("registry:organisation_list")

    def names(query):
        return {o.name for o in analyst_client.get(url, query).context["object_list"]}

    assert names({"tier": "2"}) == {"遠い委託先"}
    assert "未接続の会社" in names({"tier": "none"}) and lonely.tier is None
    assert names({"kind": "cloud"}) == {"近い委託先"}
    assert names({"tag": "海外"}) == {"遠い委託先"}
    assert names({"certification": "expiring"}) == {"近い委託先"}
    assert names({"q": "遠い"}) == {"遠い委託先"}


def _tag(name):
    from renkei.registry.models import Tag

    return Tag.objects.create(name=name)


def test_list_paginates_and_sorts(analyst_client, own):
    for i in range(30):
        f.OrganisationFactory(name=f"会社{i:02d}")
    response = analyst_client.get(reverse("registry:organisation_list"), {"sort": "-name"})
    page = response.context["object_list"]
    assert len(page) == 25 and page[0].name == "連携テスト本社株式会社"
    second = analyst_client.get(reverse("registry:organisation_list"), {"sort": "-name", "page": 2})
    assert len(second.context["object_list"]) == 6


def test_certification_states_are_shown(analyst_client, own):
    org = f.OrganisationFactory()
    f.CertificationFactory(organisation=org, valid_until=timezone.localdate() - dt.timedelta(days=1))
    body = analyst_client.get(reverse("registry:organisation_detail", args=[org.pk])).content.decode()
    assert "期限切れ" in body or "Expired" in body


def test_delete_asks_for_confirmation(analyst_client, own):
    org = f.OrganisationFactory(name="削除予定")
    url = reverse("registry:organisation_delete", args=[org.pk])
    assert analyst_client.get(url).status_code == 200
    assert Organisation.objects.filter(pk=org.pk).exists()
    assert analyst_client.post(url).status_code == 302
    assert not Organisation.objects.filter(pk=org.pk).exists()


def test_dashboard(analyst_client, own):
    response = analyst_client.get("/")
    assert response.status_code == 200


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_limited_user_can_edit_a_link_to_a_party_outside_their_scope(client, limited_analyst, own, subsidiary):
    hq_party = f.OrganisationFactory(name="本社管理のクラウド", group_company=own)
    rel = f.RelationshipFactory(client=subsidiary, provider=hq_party, group_company=subsidiary)
    client.force_login(limited_analyst)
    url = reverse("registry:relationship_update", args=[rel.pk])
    response = client.post(
        url,
        {"client": subsidiary.pk, "provider": hq_party.pk, "type": "provides_service", "service": "メール",
         "redelegation_approved": "unknown", "group_company": subsidiary.pk},
    )
    assert response.status_code == 302
    rel.refresh_from_db()
    assert rel.service == "メール"
    # Other out-of-scope parties are still not offered.
    other = f.OrganisationFactory(name="別の本社管理先", group_company=own)
    form_page = client.get(url).content.decode()
    assert "別の本社管理先" not in form_page and other.pk


def test_delete_confirmation_lists_what_goes_with_it(analyst_client, own):
    org = f.OrganisationFactory()
    f.ContactFactory(organisation=org)
    f.ContactFactory(organisation=org)
    f.RelationshipFactory(client=own, provider=org)
    body = analyst_client.get(reverse("registry:organisation_delete", args=[org.pk])).content.decode()
    assert "cascade-list" in body and ": 2" in body


def test_oversized_upload_is_refused_before_reading(analyst_client, own, settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 1024
    org = f.OrganisationFactory()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = analyst_client.post(
        reverse("registry:certification_create"),
        {"organisation": org.pk, "scheme": "iso27001", "evidence": SimpleUploadedFile("big.pdf", b"x" * 200_000)},
    )
    assert response.status_code == 413
    assert not org.certifications.exists()
