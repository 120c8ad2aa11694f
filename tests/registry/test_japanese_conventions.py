"""Registry search, sort and duplicate warnings follow Japanese conventions (core.text).

Search ignores width, case, katakana/hiragana and spacing; organisations sort by reading in gojūon
order without legal forms; a possible duplicate needs an explicit confirmation, on the page and in
the API. These run on SQLite and PostgreSQL alike (the keys are stored columns).
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from renkei.registry import services
from renkei.registry.models import Contact, InformationAsset, Organisation
from tests import factories as f

API = "/api/v1/registry"
LIST = "registry:organisation_list"
CREATE = "registry:organisation_create"


def _form(**overrides):  # type: ignore[no-untyped-def]
    data = {"name": "", "kind": "contractor", "country": "JP", "criticality": "medium", "status": "active"}
    return {**data, **overrides}


def _page_names(client, url_name, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return [str(getattr(o, "name", o)) for o in response.context["object_list"]]


def _api_names(client, path, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# --- search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lotus", "Lotus Software"),
        ("ｌｏｔｕｓ", "Lotus Software"),
        ("LOTUS", "Lotus Software"),
        ("みなとカード", "株式会社みなとカード"),
        ("みなと　カード", "株式会社みなとカード"),
        ("ミナトカード", "株式会社みなとカード"),
        ("ﾐﾅﾄ ｶｰﾄﾞ", "株式会社みなとカード"),
        ("アオゾラ", "あおぞら運輸株式会社"),
        ("あおぞら", "あおぞら運輸株式会社"),
        ("7000012050002", "あおぞら運輸株式会社"),  # corporate number
        ("７０００", "あおぞら運輸株式会社"),  # full-width digits
        ("あおば", "青葉システム株式会社"),  # the reading
    ],
)
def test_organisation_search_on_the_page_and_in_the_api(analyst_client, own, typed, expected):
    f.OrganisationFactory(name="Lotus Software", name_reading="ロータス ソフトウェア")
    f.OrganisationFactory(name="株式会社みなとカード")
    f.OrganisationFactory(name="あおぞら運輸株式会社", corporate_number="7000012050002")
    f.OrganisationFactory(name="青葉システム株式会社", name_reading="アオバシステム")
    assert _page_names(analyst_client, LIST, q=typed) == [expected]
    assert _api_names(analyst_client, "/organisations", q=typed) == [expected]


def test_search_does_not_match_across_fields(analyst_client, own):
    f.OrganisationFactory(name="みなと", name_reading="カード")
    assert _page_names(analyst_client, LIST, q="みなとカード") == []


def test_contact_and_asset_search_ignore_kana_and_width(analyst_client, own):
    party = f.OrganisationFactory(name="株式会社みなとカード")
    f.ContactFactory(organisation=party, name="佐藤 花子", name_reading="サトウ ハナコ")
    f.InformationAssetFactory(name="顧客ＤＢ（カード会員）")
    assert _page_names(analyst_client, "registry:contact_list", q="さとう　はなこ") == ["佐藤 花子"]
    assert _page_names(analyst_client, "registry:contact_list", q="ミナト") == ["佐藤 花子"]  # its organisation
    assert _api_names(analyst_client, "/contacts", q="ｻﾄｳ") == ["佐藤 花子"]
    assert _page_names(analyst_client, "registry:asset_list", q="顧客db") == ["顧客ＤＢ（カード会員）"]
    assert _api_names(analyst_client, "/assets", q="かーど") == ["顧客ＤＢ（カード会員）"]


def test_related_lists_search_the_organisation_key(analyst_client, own):
    party = f.OrganisationFactory(name="株式会社みなとカード")
    f.CertificationFactory(organisation=party)
    f.SystemAccessFactory(organisation=party)
    response = analyst_client.get(reverse("registry:certification_list"), {"q": "ミナト"})
    assert len(response.context["object_list"]) == 1
    response = analyst_client.get(reverse("registry:access_list"), {"q": "ミナト　カード"})
    assert len(response.context["object_list"]) == 1


def test_search_keys_follow_every_change(own):
    org = f.OrganisationFactory(name="旧名株式会社")
    org.name = "新名株式会社"
    org.save(update_fields=["name"])
    org.refresh_from_db()
    assert "新名" in org.search_text and org.name_key == "新名"
    # bulk_create (benchmarks, fast loaders) fills the keys too
    Organisation.objects.bulk_create(
        [Organisation(name="一括株式会社", name_reading="イッカツ", kind="contractor", group_company=own)]
    )
    bulk = Organisation.objects.get(name="一括株式会社")
    assert bulk.sort_key == "いっかつ" and "いっかつ" in bulk.search_text


def test_migration_backfills_existing_rows(own):
    org = f.OrganisationFactory(name="株式会社みなとカード", name_reading="ミナトカード")
    contact = f.ContactFactory(organisation=org, name="佐藤 花子", name_reading="サトウ")
    asset = f.InformationAssetFactory(name="カード会員")
    Organisation.objects.filter(pk=org.pk).update(search_text="", sort_key="", name_key="")
    Contact.objects.filter(pk=contact.pk).update(search_text="")
    InformationAsset.objects.filter(pk=asset.pk).update(search_text="")
    migration = importlib.import_module("renkei.registry.migrations.0002_search_and_sort_keys")
    migration.backfill(apps, None)
    org.refresh_from_db()
    assert (org.sort_key, org.name_key) == ("みなとかーど", "みなとかーど") and "みなとかーど" in org.search_text
    assert "さとう" in Contact.objects.get(pk=contact.pk).search_text
    assert "かーど会員" in InformationAsset.objects.get(pk=asset.pk).search_text


# --- sort ------------------------------------------------------------------------------------------


def _three_companies() -> None:
    # Created in the wrong order on purpose; code-point order of the names would be いろは, 株式会社…
    f.OrganisationFactory(name="株式会社みなと")
    f.OrganisationFactory(name="いろは有限会社")
    f.OrganisationFactory(name="株式会社あおぞら")


EXPECTED = ["株式会社あおぞら", "いろは有限会社", "株式会社みなと"]


def test_organisation_list_sorts_by_reading_without_legal_forms(analyst_client, own):
    _three_companies()
    names = [n for n in _page_names(analyst_client, LIST, kind="contractor")]
    assert names == EXPECTED
    assert _page_names(analyst_client, LIST, kind="contractor", sort="name") == EXPECTED
    assert _page_names(analyst_client, LIST, kind="contractor", sort="-name") == EXPECTED[::-1]
    assert _api_names(analyst_client, "/organisations", kind="contractor") == EXPECTED
    assert [o.name for o in Organisation.objects.filter(kind="contractor")] == EXPECTED


def test_reading_decides_the_order_of_kanji_names(analyst_client, own):
    f.OrganisationFactory(name="港運輸株式会社", name_reading="ミナトウンユ")
    f.OrganisationFactory(name="青空商事株式会社", name_reading="あおぞらしょうじ")
    f.OrganisationFactory(name="伊呂波株式会社", name_reading="イロハ")
    assert _page_names(analyst_client, LIST, kind="contractor") == ["青空商事株式会社", "伊呂波株式会社", "港運輸株式会社"]


def test_contacts_follow_their_organisation_reading(analyst_client, own):
    late = f.OrganisationFactory(name="株式会社みなと")
    early = f.OrganisationFactory(name="株式会社あおぞら")
    f.ContactFactory(organisation=late, name="港の担当")
    f.ContactFactory(organisation=early, name="青空の担当")
    assert _page_names(analyst_client, "registry:contact_list") == ["青空の担当", "港の担当"]


# --- possible duplicates -----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["みなとカード（株）", "ミナトカード株式会社", "ﾐﾅﾄｶｰﾄﾞ㈱", "株式会社 みなと　カード"])
def test_form_warns_about_a_possible_duplicate_and_saves_after_confirmation(analyst_client, own, spelling):
    existing = f.OrganisationFactory(name="株式会社みなとカード")
    response = analyst_client.post(reverse(CREATE), _form(name=spelling))
    body = response.content.decode()
    assert response.status_code == 400
    assert "重複の可能性" in body and existing.get_absolute_url() in body and "株式会社みなとカード" in body
    assert 'name="confirm_duplicate"' in body and "重複ではないので保存する" in body
    assert Organisation.objects.count() == 2  # own + existing: nothing saved
    response = analyst_client.post(reverse(CREATE), _form(name=spelling, confirm_duplicate="on"))
    assert response.status_code == 302
    assert Organisation.objects.filter(name=spelling.strip()).exists()


def test_form_without_a_duplicate_needs_no_confirmation(analyst_client, own):
    f.OrganisationFactory(name="株式会社みなとカード")
    response = analyst_client.post(reverse(CREATE), _form(name="株式会社みなと物流"))
    assert response.status_code == 302


def test_editing_without_renaming_does_not_warn_again(analyst_client, own):
    f.OrganisationFactory(name="株式会社みなとカード")
    twin = f.OrganisationFactory(name="みなとカード（株）")
    url = reverse("registry:organisation_update", args=[twin.pk])
    response = analyst_client.post(url, _form(name="みなとカード（株）", criticality="high"))
    assert response.status_code == 302
    response = analyst_client.post(url, _form(name="ミナトカード株式会社"))
    assert response.status_code == 302  # the same name key: still the same company


def test_renaming_into_a_duplicate_warns(analyst_client, own):
    f.OrganisationFactory(name="株式会社みなとカード")
    other = f.OrganisationFactory(name="株式会社あおぞら")
    response = analyst_client.post(reverse("registry:organisation_update", args=[other.pk]), _form(name="みなとカード㈱"))
    assert response.status_code == 400 and "重複の可能性" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "株式会社あおぞら"


def test_out_of_scope_duplicates_are_counted_but_not_named(client, own, subsidiary, limited_analyst):
    f.OrganisationFactory(name="株式会社みなとカード", group_company=own)  # headquarters' party
    mine = f.OrganisationFactory(name="みなとカード有限会社", group_company=subsidiary)
    client.force_login(limited_analyst)
    response = client.post(reverse(CREATE), _form(name="ミナトカード（株）", group_company=subsidiary.pk))
    body = response.content.decode()
    assert response.status_code == 400
    assert mine.get_absolute_url() in body and "みなとカード有限会社" in body
    assert "株式会社みなとカード" not in body
    assert "ほかに同じ名称の組織が 1 件あります" in body


def test_same_corporate_number_is_an_error_not_a_warning(analyst_client, own):
    f.OrganisationFactory(name="既存株式会社", corporate_number="7000012050002")
    response = analyst_client.post(
        reverse(CREATE), _form(name="別名株式会社", corporate_number="7000012050002", confirm_duplicate="on")
    )
    assert response.status_code == 400
    assert "この法人番号はすでに" in response.content.decode()
    assert not Organisation.objects.filter(name="別名株式会社").exists()


def test_api_create_answers_409_with_the_candidates_until_confirmed(analyst_client, own):
    existing = f.OrganisationFactory(name="株式会社みなとカード")
    payload = {"name": "ミナトカード株式会社", "kind": "contractor"}
    response = analyst_client.post(f"{API}/organisations", payload, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["field"] == "confirm_duplicate"
    assert body["duplicates"] == [{"id": existing.pk, "name": "株式会社みなとカード", "url": existing.get_absolute_url()}]
    assert body["hidden_duplicates"] == 0
    assert not Organisation.objects.filter(name="ミナトカード株式会社").exists()
    confirmed = {**payload, "confirm_duplicate": True}
    response = analyst_client.post(f"{API}/organisations", confirmed, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["name"] == "ミナトカード株式会社"


def test_api_duplicate_outside_scope_is_only_counted(client, own, subsidiary, limited_analyst):
    f.OrganisationFactory(name="株式会社みなとカード", group_company=own)
    client.force_login(limited_analyst)
    payload = {"name": "みなとカード（株）", "kind": "contractor", "group_company_id": subsidiary.pk}
    response = client.post(f"{API}/organisations", payload, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["duplicates"] == [] and response.json()["hidden_duplicates"] == 1
    assert "株式会社みなとカード" not in response.content.decode()


def test_api_rename_into_a_duplicate_answers_409(analyst_client, own):
    f.OrganisationFactory(name="株式会社みなとカード")
    other = f.OrganisationFactory(name="株式会社あおぞら")
    url = f"{API}/organisations/{other.pk}"
    response = analyst_client.patch(url, {"name": "みなとカード"}, content_type="application/json")
    assert response.status_code == 409
    response = analyst_client.patch(
        url, {"name": "みなとカード", "confirm_duplicate": True}, content_type="application/json"
    )
    assert response.status_code == 200


def test_api_same_corporate_number_is_a_field_error(analyst_client, own):
    f.OrganisationFactory(name="既存株式会社", corporate_number="7000012050002")
    payload = {"name": "別名株式会社", "kind": "contractor", "corporate_number": "7000012050002"}
    response = analyst_client.post(f"{API}/organisations", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "corporate_number"


def test_api_schema_documents_the_confirmation(client):
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["OrganisationIn"]["properties"]["confirm_duplicate"]
    assert "409" in field["description"] and "hidden_duplicates" in field["description"]


def test_service_without_the_check_saves_twins(own):
    # Imports and the demo match their rows themselves; the service checks only when asked.
    f.OrganisationFactory(name="株式会社みなとカード")
    saved = services.organisation_save(user=None, organisation=Organisation(name="みなとカード㈱", kind="contractor"))
    assert saved.pk and saved.name_key == "みなとかーど"
