"""The NVD / JVN import page, and the Japanese JVN iPedia texts on the finding and vulnerability pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renkei.software.enrichment.models_nvd_jvn import NvdCve, NvdJvnImport
from tests.software.enrichment_samples import V31_CRITICAL, jvn_item, nvd_cve, write_jvn_rss, write_nvd
from tests.software.factories import FindingFactory, VulnerabilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client: Client, analyst: Any) -> Client:
    client.force_login(analyst)
    return client


def body(response: Any) -> str:
    return response.content.decode()


def test_upload_an_nvd_feed_runs_the_import(analyst_client: Client, own: Any, tmp_path: Path,
                                            django_capture_on_commit_callbacks: Any) -> None:
    vulnerability = VulnerabilityFactory(osv_id="PYSEC-2099-31", aliases=["CVE-2099-3131"], severity="unknown",
                                         cvss_score=None, cvss_vector="")
    page = body(analyst_client.get(reverse("software:nvd_jvn_import")))
    assert "NVD と JVN のデータ" in page and "未読み込み" in page and 'name="path"' not in page
    feed = write_nvd(tmp_path / "nvdcve-2.0-2099.json.gz", [nvd_cve("CVE-2099-3131", vector=V31_CRITICAL)], gz=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(reverse("software:nvd_jvn_import"), {
            "kind": "nvd", "file": SimpleUploadedFile("nvdcve-2.0-2099.json.gz", feed.read_bytes())})
    assert response.status_code == 302
    run = NvdJvnImport.objects.get()
    assert response.url == reverse("software:nvd_jvn_import_detail", args=[run.pk])
    assert (run.status, run.created_count) == ("done", 1) and not run.file
    vulnerability.refresh_from_db()
    assert (vulnerability.severity, vulnerability.severity_source) == ("critical", "NVD")
    detail = body(analyst_client.get(response.url))
    assert "<progress" in detail and "完了" in detail
    page = body(analyst_client.get(reverse("software:nvd_jvn_import")))
    assert "nvdcve-2.0-2099.json.gz" in page and "未読み込み" in page  # JVN still not loaded
    shown = body(analyst_client.get(vulnerability.get_absolute_url()))
    assert "NVD CVE-2099-3131" in shown and "CWE-79" in shown and "NVD（CVSS v3.1）による" in shown


def test_bad_uploads_are_refused(analyst_client: Client, viewer: Any, own: Any,
                                 django_capture_on_commit_callbacks: Any) -> None:
    wrong = analyst_client.post(reverse("software:nvd_jvn_import"),
                                {"kind": "nvd", "file": SimpleUploadedFile("feed.xml", b"<x/>")})
    assert wrong.status_code == 400 and ".json.gz" in body(wrong)
    with django_capture_on_commit_callbacks(execute=True):
        broken = analyst_client.post(reverse("software:nvd_jvn_import"),
                                     {"kind": "jvn", "file": SimpleUploadedFile("jvn.rdf", b"<rdf:RDF")})
    run = NvdJvnImport.objects.get()
    assert broken.status_code == 302 and run.status == "failed" and "XML" in run.error
    assert "失敗" in body(analyst_client.get(broken.url))
    viewer_client = Client()
    viewer_client.force_login(viewer)
    refused = viewer_client.post(reverse("software:nvd_jvn_import"),
                                 {"kind": "nvd", "file": SimpleUploadedFile("a.json", b"{}")})
    assert refused.status_code == 403 and NvdJvnImport.objects.count() == 1
    assert not NvdCve.objects.exists()


def test_progress_fragment_polls_while_running(analyst_client: Client, own: Any) -> None:
    run = NvdJvnImport.objects.create(kind="nvd", source="nvdcve-2.0-2024.json.gz", status="running",
                                          total=300000, processed=2000)
    url = reverse("software:nvd_jvn_import_detail", args=[run.pk])
    fragment = body(analyst_client.get(url, headers={"HX-Request": "true"}))
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment and "300,000件中2,000件" in fragment


def test_japanese_ui_shows_the_jvn_title_english_keeps_the_advisory(
    analyst_client: Client, analyst: Any, own: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    vulnerability = VulnerabilityFactory(osv_id="PYSEC-2019-79", aliases=["CVE-2019-12308"],
                                         summary="XSS in AdminURLFieldWidget")
    finding = FindingFactory(vulnerability=vulnerability, component__sbom__release__product__supplier__group_company=own)
    feed = write_jvn_rss(tmp_path / "jvndb_2019.rdf", [
        jvn_item("JVNDB-2019-005466", "CVE-2019-12308", title="Django におけるクロスサイトスクリプティングの脆弱性",
                 summary="Django の AdminURLFieldWidget には XSS の脆弱性が存在します。"),
    ])
    with django_capture_on_commit_callbacks(execute=True):
        analyst_client.post(reverse("software:nvd_jvn_import"),
                            {"kind": "jvn", "file": SimpleUploadedFile("jvndb_2019.rdf", feed.read_bytes())})
    pages = [finding.get_absolute_url(), vulnerability.get_absolute_url(), reverse("software:finding_list"),
             reverse("software:vulnerability_list"), finding.release.get_absolute_url()]
    for url in pages:
        page = body(analyst_client.get(url))
        assert "Django におけるクロスサイトスクリプティングの脆弱性" in page, url
        assert "JVNDB-2019-005466" in page, url
    assert "AdminURLFieldWidget には XSS" in body(analyst_client.get(finding.get_absolute_url()))
    analyst.language = "en"
    analyst.save()
    for url in pages:
        page = body(analyst_client.get(url))
        assert "XSS in AdminURLFieldWidget" in page and "JVNDB-2019-005466" not in page, url


def test_api_lists_sources_and_runs(analyst_client: Client, own: Any) -> None:
    run = NvdJvnImport.objects.create(kind="jvn", source="jvndb_2019.rdf", status="done", total=3, processed=3)
    sources = analyst_client.get("/api/v1/software/enrichment/nvd-jvn-sources").json()
    assert [s["kind"] for s in sources] == ["nvd", "jvn"] and sources[0]["records"] == 0
    runs = analyst_client.get("/api/v1/software/enrichment/nvd-jvn-imports").json()
    assert [item["id"] for item in runs["items"]] == [run.pk]
    detail = analyst_client.get(f"/api/v1/software/enrichment/nvd-jvn-imports/{run.pk}").json()
    assert (detail["kind"], detail["processed"], detail["total"]) == ("jvn", 3, 3)
    assert analyst_client.get("/api/v1/software/enrichment/nvd-jvn-imports/999999").status_code == 404


def test_sources_page_lists_nvd_and_jvn(analyst_client: Client, own: Any) -> None:
    NvdJvnImport.objects.create(kind="nvd", source="nvdcve-2.0-2024.json.gz", status="done", total=2,
                                processed=2, finished_at=timezone.now())
    NvdCve.objects.create(cve_id="CVE-2024-0001", last_modified=timezone.now())
    page = body(analyst_client.get(reverse("software:enrichment_sources")))
    assert 'id="source-nvd"' in page and "nvdcve-2.0-2024.json.gz" in page
    assert 'id="source-jvn"' in page and reverse("software:nvd_jvn_import") in page
