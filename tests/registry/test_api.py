"""The registry REST API: list/filter/paginate, retrieve, create, replace, update, delete, errors, auth.

Permissions of every endpoint (anonymous, viewer, out-of-scope user) are in tests/permissions/ (tests/idor.py).
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from renkei.accounts.services import api_token_create
from renkei.chain.services import tiers_recompute
from renkei.registry.models import (
    Certification,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    Relationship,
    SystemAccess,
)
from tests import factories as f

API = "/api/v1/registry"


def post(client, path, data):  # type: ignore[no-untyped-def]
    return client.post(f"{API}{path}", data, content_type="application/json")


def patch(client, path, data):  # type: ignore[no-untyped-def]
    return client.patch(f"{API}{path}", data, content_type="application/json")


def put(client, path, data):  # type: ignore[no-untyped-def]
    return client.put(f"{API}{path}", data, content_type="application/json")


def get(client, path, **params):  # type: ignore[no-untyped-def]
    return client.get(f"{API}{path}", params)


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# --- lists ---------------------------------------------------------------------------------------


def test_list_is_paginated_with_total_count(analyst_client, own):
    for i in range(7):
        f.OrganisationFactory(name=f"委託先{i:02d}")
    first = get(analyst_client, "/organisations", limit=3, offset=0, kind="contractor").json()
    second = get(analyst_client, "/organisations", limit=3, offset=3, kind="contractor").json()
    assert first["count"] == 7 and first["limit"] == 3 and first["offset"] == 0
    assert [o["name"] for o in first["items"]] == ["委託先00", "委託先01", "委託先02"]
    assert [o["name"] for o in second["items"]] == ["委託先03", "委託先04", "委託先05"]


def test_limit_out_of_range_is_a_field_error(analyst_client, own):
    response = get(analyst_client, "/organisations", limit=10_000)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_organisation_filters(analyst_client, own):
    near = f.OrganisationFactory(name="近いクラウド", kind="cloud", criticality="high")
    far = f.OrganisationFactory(name="遠い委託先", web_domains="far.example.jp")
    f.OrganisationFactory(name="未接続の会社", status="offboarded")
    f.RelationshipFactory(client=own, provider=near)
    f.RelationshipFactory(client=near, provider=far)
    tiers_recompute()
    far.tags.add(_tag("海外"))
    assert names(get(analyst_client, "/organisations", kind="cloud")) == ["近いクラウド"]
    assert names(get(analyst_client, "/organisations", tier="2")) == ["遠い委託先"]
    assert names(get(analyst_client, "/organisations", tier="none")) == ["未接続の会社"]
    assert names(get(analyst_client, "/organisations", criticality="high")) == ["近いクラウド"]
    assert names(get(analyst_client, "/organisations", status="offboarded")) == ["未接続の会社"]
    assert names(get(analyst_client, "/organisations", tag="海外")) == ["遠い委託先"]
    assert names(get(analyst_client, "/organisations", q="far.example")) == ["遠い委託先"]
    assert get(analyst_client, "/organisations", tier="deep").status_code == 422
    assert get(analyst_client, "/organisations", kind="alien").status_code == 422


def _tag(name: str):  # type: ignore[no-untyped-def]
    from renkei.registry.models import Tag

    return Tag.objects.create(name=name)


def test_relationship_filters(analyst_client, own):
    a = f.OrganisationFactory(name="A社")
    b = f.OrganisationFactory(name="B社")
    r1 = f.RelationshipFactory(client=own, provider=a)
    r2 = f.RelationshipFactory(client=a, provider=b, type="redelegates_work")

    def ids(**params):  # type: ignore[no-untyped-def]
        return [r["id"] for r in get(analyst_client, "/relationships", **params).json()["items"]]

    assert ids(client_id=a.pk) == [r2.pk]
    assert ids(provider_id=a.pk) == [r1.pk]
    assert ids(type="redelegates_work") == [r2.pk]
    assert sorted(ids()) == sorted([r1.pk, r2.pk])


def test_holding_filters(analyst_client, own):
    a = f.OrganisationFactory()
    b = f.OrganisationFactory()
    f.RelationshipFactory(client=own, provider=a)
    f.RelationshipFactory(client=own, provider=b)
    asset1 = f.InformationAssetFactory()
    asset2 = f.InformationAssetFactory()
    h1 = f.DataHoldingFactory(asset=asset1, holder=a)
    h2 = f.DataHoldingFactory(asset=asset2, holder=b)

    def ids(**params):  # type: ignore[no-untyped-def]
        return [r["id"] for r in get(analyst_client, "/holdings", **params).json()["items"]]

    assert ids(asset_id=asset1.pk) == [h1.pk]
    assert ids(holder_id=b.pk) == [h2.pk]


def test_certification_state_filter_and_output(analyst_client, own):
    today = timezone.localdate()
    org = f.OrganisationFactory(name="認証先")
    expired = f.CertificationFactory(organisation=org, valid_until=today - dt.timedelta(days=1))
    f.CertificationFactory(organisation=org, scheme="pmark", valid_until=today + dt.timedelta(days=400))
    body = get(analyst_client, "/certifications", state="expired").json()
    assert [c["id"] for c in body["items"]] == [expired.pk]
    item = body["items"][0]
    assert item["state"] == "expired" and item["state_label"]
    assert item["organisation_id"] == org.pk and item["organisation_name"] == "認証先"
    assert item["has_evidence"] is False and item["evidence_url"] is None


# --- retrieve ------------------------------------------------------------------------------------


def test_retrieve_organisation_has_ids_labels_tier_and_tags(analyst_client, own):
    org = f.OrganisationFactory(name="詳細株式会社", kind="msp", criticality="critical")
    org.tags.add(_tag("重要委託先"))
    body = get(analyst_client, f"/organisations/{org.pk}").json()
    assert body["id"] == org.pk and body["name"] == "詳細株式会社"
    assert body["kind"] == "msp" and body["kind_label"]
    assert body["criticality"] == "critical" and body["criticality_label"]
    assert body["group_company_id"] == own.pk and body["group_company_name"] == own.name
    assert body["tags"] == ["重要委託先"]
    assert "tier" in body and body["url"] == org.get_absolute_url()


def test_certification_exposes_evidence_presence(analyst_client, own):
    cert = f.CertificationFactory()
    cert.evidence.save("isms.pdf", ContentFile(b"%PDF-1.4"), save=True)
    body = get(analyst_client, f"/certifications/{cert.pk}").json()
    assert body["has_evidence"] is True
    assert body["evidence_url"] == f"/registry/certifications/{cert.pk}/evidence/"
    assert body["state"] == "unknown"


def test_missing_object_is_404_json(analyst_client, own):
    response = get(analyst_client, "/contacts/999999")
    assert response.status_code == 404
    assert response.json()["message"]


# --- create --------------------------------------------------------------------------------------


def test_create_organisation_with_tags(analyst_client, own):
    response = post(
        analyst_client,
        "/organisations",
        {
            "name": "山田システム株式会社",
            "corporate_number": "7000012050002",
            "kind": "contractor",
            "country": "jp",
            "web_domains": "https://yamada.example.jp/",
            "tags": ["個人情報", "重要委託先"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organisation.objects.get(pk=body["id"])
    assert org.country == "JP" and org.web_domains == "yamada.example.jp" and org.group_company == own
    assert sorted(body["tags"]) == ["個人情報", "重要委託先"]
    assert body["criticality"] == "medium" and body["kind_label"]


def test_create_with_bad_choice_names_the_field_and_saves_nothing(analyst_client, own):
    response = post(analyst_client, "/organisations", {"name": "誤り株式会社", "kind": "alien"})
    assert response.status_code == 422
    body = response.json()
    assert body["message"] and body["errors"][0]["field"] == "kind"
    assert not Organisation.objects.filter(name="誤り株式会社").exists()


def test_create_with_invalid_corporate_number_is_400_with_field(analyst_client, own):
    response = post(
        analyst_client, "/organisations", {"name": "誤り株式会社", "kind": "contractor", "corporate_number": "1234567890123"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "corporate_number"
    assert not Organisation.objects.filter(name="誤り株式会社").exists()


def test_create_relationship_recomputes_tiers(analyst_client, own, run_on_commit):
    org = f.OrganisationFactory()
    response = post(
        analyst_client, "/relationships", {"client_id": own.pk, "provider_id": org.pk, "type": "contracts_work"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_id"] == own.pk and body["provider_name"] == org.name and body["type_label"]
    run_on_commit()
    org.refresh_from_db()
    assert org.tier == 1


def test_relationship_to_itself_is_rejected(analyst_client, own):
    org = f.OrganisationFactory()
    response = post(
        analyst_client, "/relationships", {"client_id": org.pk, "provider_id": org.pk, "type": "contracts_work"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "provider"
    assert Relationship.objects.count() == 0


def test_create_contact_certification_access_inherit_the_organisation_scope(analyst_client, own, subsidiary):
    org = f.OrganisationFactory(group_company=subsidiary)
    contact = post(analyst_client, "/contacts", {"organisation_id": org.pk, "name": "佐藤", "role": "security"})
    cert = post(
        analyst_client,
        "/certifications",
        {"organisation_id": org.pk, "scheme": "iso27001", "valid_until": "2030-03-31"},
    )
    access = post(analyst_client, "/access", {"organisation_id": org.pk, "system": "VPN", "level": "vpn"})
    assert (contact.status_code, cert.status_code, access.status_code) == (201, 201, 201)
    assert Contact.objects.get().group_company == subsidiary
    assert Certification.objects.get().group_company == subsidiary
    assert SystemAccess.objects.get().group_company == subsidiary
    assert cert.json()["state"] == "valid" and access.json()["level_label"]


def test_certification_other_scheme_needs_a_name(analyst_client, own):
    org = f.OrganisationFactory()
    response = post(analyst_client, "/certifications", {"organisation_id": org.pk, "scheme": "other"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "scheme_other"


def test_create_asset_and_holding(analyst_client, own):
    holder = f.OrganisationFactory(name="保管先")
    f.RelationshipFactory(client=own, provider=holder)
    asset = post(
        analyst_client,
        "/assets",
        {"name": "顧客名簿", "classification": "confidential", "has_sensitive_personal_info": True, "record_count": 500},
    )
    assert asset.status_code == 201, asset.content
    assert asset.json()["has_personal_info"] is True and asset.json()["group_company_id"] == own.pk
    holding = post(
        analyst_client, "/holdings", {"asset_id": asset.json()["id"], "holder_id": holder.pk, "record_count": 100}
    )
    assert holding.status_code == 201, holding.content
    body = holding.json()
    assert body["received_from_id"] == own.pk and body["holder_name"] == "保管先" and body["asset_name"] == "顧客名簿"


def test_holding_without_relationship_names_the_missing_link(analyst_client, own):
    a = f.OrganisationFactory(name="委託先E")
    b = f.OrganisationFactory(name="再委託先F")
    asset = f.InformationAssetFactory()
    response = post(
        analyst_client, "/holdings", {"asset_id": asset.pk, "holder_id": b.pk, "received_from_id": a.pk}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "received_from" and "委託先E → 再委託先F" in body["message"]
    assert DataHolding.objects.count() == 0


def test_unknown_foreign_key_is_a_not_found_field_error(analyst_client, own):
    response = post(analyst_client, "/contacts", {"organisation_id": 999999, "name": "佐藤", "role": "security"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "organisation_id", "message": response.json()["message"]}]
    assert Contact.objects.count() == 0


def test_every_bad_foreign_key_is_reported(analyst_client, own):
    response = post(
        analyst_client, "/relationships", {"client_id": 999998, "provider_id": 999999, "type": "contracts_work"}
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["client_id", "provider_id"]


def test_analyst_may_not_create_a_group_company(analyst_client, own):
    response = post(analyst_client, "/organisations", {"name": "新子会社", "kind": "group"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="新子会社").exists()


# --- update --------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(analyst_client, own):
    org = f.OrganisationFactory(name="旧名", criticality="high", notes="メモ")
    org.tags.add(_tag("残るタグ"))
    response = patch(analyst_client, f"/organisations/{org.pk}", {"name": "新名"})
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.name == "新名" and org.criticality == "high" and org.notes == "メモ"
    assert response.json()["tags"] == ["残るタグ"]


def test_patch_tags_replaces_them(analyst_client, own):
    org = f.OrganisationFactory()
    org.tags.add(_tag("古い"))
    response = patch(analyst_client, f"/organisations/{org.pk}", {"tags": ["新しい"]})
    assert response.json()["tags"] == ["新しい"]


def test_put_replaces_the_whole_record(analyst_client, own):
    org = f.OrganisationFactory(criticality="high", notes="メモ")
    response = put(analyst_client, f"/organisations/{org.pk}", {"name": "置換後", "kind": "vendor"})
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert (org.name, org.kind, org.criticality, org.notes) == ("置換後", "vendor", "medium", "")


def test_put_needs_the_required_fields(analyst_client, own):
    contact = f.ContactFactory()
    response = put(analyst_client, f"/contacts/{contact.pk}", {"name": "名前だけ"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"organisation_id", "role"} <= fields


def test_patch_invalid_value_keeps_the_record(analyst_client, own):
    rel = f.RelationshipFactory(start_date=dt.date(2024, 4, 1))
    response = patch(analyst_client, f"/relationships/{rel.pk}", {"end_date": "2024-03-01", "service": "変更"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "end_date"
    rel.refresh_from_db()
    assert rel.end_date is None and rel.service == ""


def test_patch_moves_a_contact_to_another_organisation(analyst_client, own, subsidiary):
    contact = f.ContactFactory()
    other = f.OrganisationFactory(group_company=subsidiary)
    response = patch(analyst_client, f"/contacts/{contact.pk}", {"organisation_id": other.pk})
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.organisation == other and contact.group_company == subsidiary


def test_patch_system_access(analyst_client, own):
    access = f.SystemAccessFactory()
    response = patch(analyst_client, f"/access/{access.pk}", {"level": "admin", "account_count": 5})
    assert response.status_code == 200
    assert response.json()["level"] == "admin" and response.json()["account_count"] == 5


def test_patch_asset_and_holding(analyst_client, own):
    holding = f.DataHoldingFactory()
    f.RelationshipFactory(client=own, provider=holding.holder)
    asset = patch(analyst_client, f"/assets/{holding.asset_id}", {"record_count": 2000})
    assert asset.status_code == 200 and asset.json()["record_count"] == 2000
    response = patch(analyst_client, f"/holdings/{holding.pk}", {"record_count": 5000})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "record_count"
    response = patch(analyst_client, f"/holdings/{holding.pk}", {"purpose": "配送"})
    assert response.status_code == 200 and response.json()["purpose"] == "配送"


# --- delete --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "factory", "model"),
    [
        ("/organisations", f.OrganisationFactory, Organisation),
        ("/relationships", f.RelationshipFactory, Relationship),
        ("/contacts", f.ContactFactory, Contact),
        ("/certifications", f.CertificationFactory, Certification),
        ("/assets", f.InformationAssetFactory, InformationAsset),
        ("/access", f.SystemAccessFactory, SystemAccess),
    ],
)
def test_delete(analyst_client, own, path, factory, model):
    obj = factory()
    response = analyst_client.delete(f"{API}{path}/{obj.pk}")
    assert response.status_code == 204
    assert not model.objects.filter(pk=obj.pk).exists()


def test_delete_holding(analyst_client, own):
    holding = f.DataHoldingFactory()
    assert analyst_client.delete(f"{API}/holdings/{holding.pk}").status_code == 204
    assert DataHolding.objects.count() == 0


def test_delete_asset_still_held_is_a_conflict(analyst_client, own):
    holding = f.DataHoldingFactory()
    response = analyst_client.delete(f"{API}/assets/{holding.asset_id}")
    assert response.status_code == 409 and response.json()["message"]
    assert InformationAsset.objects.filter(pk=holding.asset_id).exists()


def test_delete_relationship_carrying_data_is_a_conflict(analyst_client, own):
    holder = f.OrganisationFactory()
    rel = f.RelationshipFactory(client=own, provider=holder)
    f.DataHoldingFactory(holder=holder)
    response = analyst_client.delete(f"{API}/relationships/{rel.pk}")
    assert response.status_code == 409
    assert Relationship.objects.filter(pk=rel.pk).exists()


# --- authentication and the schema ---------------------------------------------------------------


def test_bearer_token_reads_and_writes(own, analyst):
    _token, raw = api_token_create(user=analyst, name="CI", days=30)
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"{API}/organisations", headers=headers).status_code == 200
    response = client.post(
        f"{API}/organisations", {"name": "トークン株式会社", "kind": "vendor"}, content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    assert client.get(f"{API}/organisations", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_session_writes_need_the_csrf_token(own, analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.get(f"{API}/organisations").status_code == 200
    response = client.post(
        f"{API}/organisations", {"name": "CSRF株式会社", "kind": "vendor"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not Organisation.objects.filter(name="CSRF株式会社").exists()


def test_openapi_schema_lists_every_registry_endpoint(analyst_client):
    schema = analyst_client.get("/api/v1/openapi.json").json()
    for prefix in ("organisations", "relationships", "contacts", "certifications", "assets", "holdings", "access"):
        assert set(schema["paths"][f"/api/v1/registry/{prefix}"]) == {"get", "post"}
        assert set(schema["paths"][f"/api/v1/registry/{prefix}/{{pk}}"]) == {"get", "put", "patch", "delete"}
    assert "kind_label" in schema["components"]["schemas"]["OrganisationOut"]["properties"]
