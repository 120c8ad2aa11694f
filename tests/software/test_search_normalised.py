"""The product and release lists search like the registry: width, case, kana and spaces ignored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renkei.registry.models import Organisation
from tests.factories import OrganisationFactory
from tests.software.factories import ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["lotus", "ｌｏｔｕｓ", "LOTUS", "ロータス", "ろーたす　えんじん"])
def test_product_search_page_and_api(analyst_client, own, typed):  # type: ignore[no-untyped-def]
    supplier = OrganisationFactory(name="株式会社みなとソフト")
    ProductFactory(supplier=supplier, name="Lotus ロータス エンジン")
    ProductFactory(supplier=supplier, name="会計システム")
    page = analyst_client.get(reverse("software:product_list"), {"q": typed})
    assert [p.name for p in page.context["object_list"]] == ["Lotus ロータス エンジン"]
    api = analyst_client.get("/api/v1/software/products", {"q": typed}).json()
    assert [p["name"] for p in api["items"]] == ["Lotus ロータス エンジン"]


def test_products_found_and_sorted_by_their_supplier(analyst_client, own):  # type: ignore[no-untyped-def]
    late = OrganisationFactory(name="株式会社みなと")
    early = OrganisationFactory(name="株式会社あおぞら")
    ProductFactory(supplier=late, name="港の製品")
    ProductFactory(supplier=early, name="青空の製品")
    page = analyst_client.get(reverse("software:product_list"))
    assert [p.name for p in page.context["object_list"]] == ["青空の製品", "港の製品"]
    found = analyst_client.get(reverse("software:product_list"), {"q": "ミナト"})
    assert [p.name for p in found.context["object_list"]] == ["港の製品"]


def test_release_search_by_supplier_reading(analyst_client, own):  # type: ignore[no-untyped-def]
    supplier = OrganisationFactory(name="港ソフト株式会社", name_reading="ミナトソフト")
    ReleaseFactory(product=ProductFactory(supplier=supplier, name="基幹"), version="2.0")
    ReleaseFactory(product=ProductFactory(supplier=Organisation.objects.get(kind="own"), name="社内"), version="1.0")
    page = analyst_client.get(reverse("software:release_list"), {"q": "みなと そふと"})
    assert [r.version for r in page.context["object_list"]] == ["2.0"]
