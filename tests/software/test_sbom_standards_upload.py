"""The upload page and the API read CycloneDX 1.7 and SPDX 3.0 JSON-LD through the same parser,
and refuse a document that breaks its schema in Japanese, naming the place and the rule."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renkei.software.models import Component, Release, Sbom
from tests.software import sbom_samples as samples
from tests.software.factories import ProductFactory, ReleaseFactory
from tests.software.test_spdx3 import spdx3

pytestmark = pytest.mark.django_db

API = "/api/v1/software"


@pytest.fixture
def release(analyst: Any) -> Release:
    return ReleaseFactory(product=ProductFactory(name="会計クラウド", responsible=analyst), version="5.1")


def post_api(client: Client, release: Release, data: bytes, name: str = "bom.json") -> Any:
    return client.post(f"{API}/releases/{release.pk}/sboms", {"file": SimpleUploadedFile(name, data)})


def post_page(client: Client, release: Release, data: bytes, name: str = "bom.json") -> Any:
    return client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def test_api_accepts_cyclonedx_1_7_json_and_xml_and_spdx3(analyst_client: Client, release: Release) -> None:
    for data, fmt, spec in [
        (samples.to_json(samples.cyclonedx("1.7")), "cyclonedx-json", "1.7"),
        (samples.to_xml(samples.cyclonedx("1.7")), "cyclonedx-xml", "1.7"),
        (orjson.dumps(spdx3()), "spdx3-jsonld", "3.0.1"),
    ]:
        response = post_api(analyst_client, release, data)
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["format"], body["spec_version"]) == (fmt, spec)
    assert Sbom.objects.count() == 3
    components = analyst_client.get(f"{API}/releases/{release.pk}/components", {"q": "django"}).json()
    assert [(c["name"], c["version"]) for c in components["items"]] == [("django", "4.2.1")]


def test_api_refuses_a_schema_violation_in_japanese(analyst_client: Client, release: Release) -> None:
    document = samples.cyclonedx("1.7")
    document["components"][1]["type"] = "gadget"
    response = post_api(analyst_client, release, samples.to_json(document))
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "file"
    assert "CycloneDX 1.7 のスキーマに適合しません（規則 enum）" in body["message"]
    assert "components[1].type" in body["message"]
    assert not Sbom.objects.exists() and not Component.objects.exists()


def test_page_shows_spdx3_and_refuses_bad_documents_in_japanese(
    analyst_client: Client, release: Release
) -> None:
    response = post_page(analyst_client, release, orjson.dumps(spdx3()), "shop.spdx3.jsonld")
    assert response.status_code == 302
    page = analyst_client.get(release.get_absolute_url()).content.decode()
    assert "SPDX 3.0 JSON-LD" in page and "3.0.1" in page and "urllib3" in page
    assert 'accept=".json,.jsonld,' in page  # the file picker offers .jsonld files
    bad = spdx3()
    bad["@context"] = "https://schema.org/"
    response = post_page(analyst_client, release, orjson.dumps(bad))
    assert response.status_code == 400
    assert "SPDX 3.0 のコンテキストを使用していません" in response.content.decode()
    xml = samples.to_xml(samples.cyclonedx("1.7")).replace(b'alg="SHA-1"', b'alg="SHA-999"')
    response = post_page(analyst_client, release, xml, "bom.xml")
    assert response.status_code == 400
    text = response.content.decode()
    assert "CycloneDX 1.7 のスキーマに適合しません（規則 cvc-enumeration-valid）" in text and "line 4" in text
    assert Sbom.objects.count() == 1


def test_declared_gigabyte_spdx3_upload_is_refused_before_reading(
    analyst_client: Client, release: Release
) -> None:
    response = analyst_client.post(
        f"{API}/releases/{release.pk}/sboms",
        {"file": SimpleUploadedFile("huge.spdx3.json", orjson.dumps(spdx3()))},
        CONTENT_LENGTH=str(2**30),
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert not Sbom.objects.exists()


def test_a_schema_violation_can_be_read_leniently_on_the_page_and_the_api(
    analyst_client: Client, release: Release
) -> None:
    document = samples.cyclonedx("1.7")
    document["components"][1]["type"] = "gadget"
    data = samples.to_json(document)
    assert post_api(analyst_client, release, data).status_code == 400
    response = analyst_client.post(f"{API}/releases/{release.pk}/sboms?lenient=true", {"file": SimpleUploadedFile("bom.json", data)})
    assert response.status_code == 201, response.content
    page = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("bom.json", data), "lenient": "on"}
    )
    assert page.status_code == 302
    assert Sbom.objects.count() == 2
    assert 'id="id_sbom_lenient"' in analyst_client.get(release.get_absolute_url()).content.decode()
