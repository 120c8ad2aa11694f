"""Issue 12 §1: offline enrichment from NVD (CVSS, CWE) and JVN iPedia (Japanese texts)."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from renkei.software.enrichment import nvd
from renkei.software.enrichment.jvn import parse_jvn
from renkei.software.enrichment.models_nvd_jvn import JvnCve, JvnEntry, NvdCve, NvdJvnImport
from renkei.software.enrichment.nvd import EnrichmentError, parse_nvd, read_bytes
from renkei.software.enrichment.selectors_nvd_jvn import jvn_for, nvd_jvn_sources
from renkei.software.models import Finding, Vulnerability
from tests.software.enrichment_samples import (
    V2_MEDIUM,
    V31_CRITICAL,
    V31_HIGH,
    jvn_item,
    nvd_cve,
    write_jvn_rss,
    write_nvd,
    write_vuldef,
)
from tests.software.factories import ComponentFactory, VulnerabilityFactory

OSV_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv"
if not (OSV_DATA / "PyPI").is_dir():
    OSV_DATA = Path("/work/shared/data/osv")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- the NVD parser ---------------------------------------------------------------------------------


def test_nvd_parser_takes_the_newest_primary_metric_and_cwes(tmp_path: Path) -> None:
    feed = write_nvd(tmp_path / "nvdcve-2.0-2019.json.gz", [
        nvd_cve("CVE-2019-1001", vector=V31_HIGH, secondary=V31_CRITICAL, v2=V2_MEDIUM, cwe="CWE-89"),
        nvd_cve("CVE-2019-1002", vector=None, v2=V2_MEDIUM),
        nvd_cve("CVE-2019-1003", vector=None),
    ], gz=True)
    first, second, third = nvd.read_nvd_file(feed)
    assert (first.cve_id, first.severity, first.score, first.vector, first.method) == (
        "CVE-2019-1001", "high", 7.5, V31_HIGH, "CVSS_V3")
    assert first.cwes == ["CWE-89"] and first.published is not None and first.published.year == 2019
    assert (second.severity, second.score, second.method) == ("medium", 4.3, "CVSS_V2")
    assert (third.severity, third.score) == ("unknown", None)


@pytest.mark.parametrize("data, message", [
    (b"{not json", "Malformed JSON"),
    (b'{"CVE_Items": []}', "not an NVD CVE JSON 2.0 feed"),
    (b'{"vulnerabilities": [{"cve": {"id": "CVE-1", "lastModified": "2024-01-01T00:00:00"}}]}', "CVE id"),
    (b'{"vulnerabilities": [{"cve": {"id": "CVE-2024-1234"}}]}', "date is missing"),
    (b'{"vulnerabilities": [' * 2000 + b"]" * 2000 + b"}", "Malformed JSON"),
])
def test_nvd_parser_rejects_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(EnrichmentError) as exc:
        parse_nvd(data, source="x.json")
    assert message in exc.value.message


def test_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (8 * 2**20)))
    with pytest.raises(EnrichmentError, match="larger than"):
        read_bytes(bomb, limit=2**20)
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(gzip.compress(b"{}" * 1000)[:20])
    with pytest.raises(EnrichmentError, match="cannot be read"):
        read_bytes(truncated)


# --- the NVD import ---------------------------------------------------------------------------------


@pytest.fixture
def django_osv(tmp_path: Path) -> Path:
    if not (OSV_DATA / "PyPI" / "django").is_dir():
        pytest.skip("shared OSV data not found")
    folder = tmp_path / "osv"
    shutil.copytree(OSV_DATA / "PyPI" / "django", folder / "django")
    return folder


pytestmark = pytest.mark.django_db


def test_nvd_gives_the_old_django_findings_a_severity(tmp_path: Path, django_osv: Path, own: Any) -> None:
    """The new user's report: 27 findings on Django 2.2.2, all 不明 until NVD is loaded."""
    ComponentFactory(name="django", normalised_name="django", version="2.2.2")
    run("osv_import", str(django_osv))
    findings = Finding.objects.select_related("vulnerability")
    assert findings.count() == 27 and {f.severity for f in findings} == {"unknown"}
    cves = sorted({a for f in findings for a in f.vulnerability.all_ids if a.startswith("CVE-")})
    feed = write_nvd(tmp_path / "nvdcve-2.0-django.json", [nvd_cve(c) for c in cves[:-1]]
                     + [nvd_cve(cves[-1], vector=V31_CRITICAL)])
    output = run("nvd_jvn_import", "nvd", str(feed))
    assert f"Imported {len(cves)} records" in output and f"{len(cves)}/{len(cves)} records" in output
    assert "Findings recomputed for 1 releases" in output
    severities = [f.severity for f in Finding.objects.all()]
    assert severities.count("unknown") == 0 and severities.count("critical") >= 1
    rated = Vulnerability.objects.filter(findings__isnull=False).distinct()
    assert {v.severity_source for v in rated} == {"NVD"}
    assert all(v.ratings["NVD"]["method"] == "CVSS_V3" for v in rated)
    # Idempotent: the same file again changes nothing.
    again = run("nvd_jvn_import", "nvd", str(feed))
    assert f"0 new, 0 updated, {len(cves)} unchanged" in again
    assert NvdCve.objects.count() == len(cves)


def test_nvd_loaded_before_osv_still_rates(tmp_path: Path, own: Any) -> None:
    from tests.software.factories import osv_bytes, osv_record

    feed = write_nvd(tmp_path / "nvd.json", [nvd_cve("CVE-2099-5005", vector=V31_CRITICAL, cwe="CWE-22")])
    run("nvd_jvn_import", "nvd", str(feed))
    osv = tmp_path / "osv"
    osv.mkdir()
    (osv / "PYSEC-2099-5.json").write_bytes(osv_bytes(osv_record("PYSEC-2099-5", aliases=["CVE-2099-5005"], cvss=None)))
    run("osv_import", str(osv))
    vulnerability = Vulnerability.objects.get(osv_id="PYSEC-2099-5")
    assert (vulnerability.severity, vulnerability.cvss_score, vulnerability.severity_source) == ("critical", 9.8, "NVD")
    # A newer NVD record replaces the rating (incremental by lastModified); an older one is skipped.
    write_nvd(feed, [nvd_cve("CVE-2099-5005", vector=V31_HIGH, modified="2025-01-01T00:00:00")])
    assert "0 new, 1 updated" in run("nvd_jvn_import", "nvd", str(feed))
    vulnerability.refresh_from_db()
    assert (vulnerability.severity, vulnerability.cvss_score) == ("high", 7.5)
    write_nvd(feed, [nvd_cve("CVE-2099-5005", vector=V31_CRITICAL, modified="2024-01-01T00:00:00")])
    assert "1 unchanged" in run("nvd_jvn_import", "nvd", str(feed))


def test_a_higher_advisory_rating_still_wins(tmp_path: Path, own: Any) -> None:
    vulnerability = VulnerabilityFactory(osv_id="GHSA-x", aliases=["CVE-2099-7007"], severity="critical", cvss_score=9.8)
    feed = write_nvd(tmp_path / "nvd.json", [nvd_cve("CVE-2099-7007", vector=V31_HIGH)])
    run("nvd_jvn_import", "nvd", str(feed))
    vulnerability.refresh_from_db()
    assert (vulnerability.severity, vulnerability.severity_source) == ("critical", "GHSA-x")
    assert vulnerability.ratings["NVD"]["severity"] == "high"


def test_nvd_bad_file_saves_nothing(tmp_path: Path, own: Any) -> None:
    write_nvd(tmp_path / "a.json", [nvd_cve("CVE-2099-1001")])
    (tmp_path / "b.json").write_bytes(b'{"vulnerabilities": [{"cve": {"id": "nope"}}]}')
    with pytest.raises(CommandError) as exc:
        run("nvd_jvn_import", "nvd", str(tmp_path))
    assert exc.value.returncode == 2
    assert not NvdCve.objects.exists()
    failed = NvdJvnImport.objects.get()
    assert failed.status == "failed" and "b.json" in failed.error and "vulnerabilities[0].cve.id" in failed.error
    with pytest.raises(CommandError):
        run("nvd_jvn_import", "nvd", str(tmp_path / "missing.json"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError):
        run("nvd_jvn_import", "nvd", str(tmp_path / "empty"))
    assert "フィードのファイルが見つかりません" in NvdJvnImport.objects.latest("pk").error


# --- JVN ----------------------------------------------------------------------------------------------


def test_jvn_parser_reads_rss_and_vuldef(tmp_path: Path) -> None:
    rss = write_jvn_rss(tmp_path / "jvndb.rdf", [
        jvn_item("JVNDB-2019-005466", "CVE-2019-12308", title="Django におけるクロスサイトスクリプティングの脆弱性",
                 summary="Django の AdminURLFieldWidget には、XSS の脆弱性が存在します。"),
    ])
    (record,) = parse_jvn(rss.read_bytes(), source="jvndb.rdf")
    assert record.jvndb_id == "JVNDB-2019-005466" and record.cve_ids == ["CVE-2019-12308"]
    assert record.title.startswith("Django における") and "AdminURLFieldWidget" in record.summary
    assert record.url.endswith("JVNDB-2019-005466.html") and record.modified is not None
    detail = write_vuldef(tmp_path / "detail.xml", "JVNDB-2019-005466", "CVE-2019-12308",
                          title="Django の脆弱性", overview="概要です。")
    (record,) = parse_jvn(detail.read_bytes(), source="detail.xml")
    assert (record.title, record.summary, record.cve_ids) == ("Django の脆弱性", "概要です。", ["CVE-2019-12308"])


@pytest.mark.parametrize("data, message", [
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF xmlns:rdf="x">&a;</rdf:RDF>', "not allowed"),
    (b"<rdf:RDF xmlns:rdf='x'><item>", "Malformed XML"),
    (b"<html/>", "neither a JVN RSS"),
    (b"<VULDEF-Document><Vulinfo><VulinfoID>JVN#1</VulinfoID></Vulinfo></VULDEF-Document>", "JVNDB id"),
])
def test_jvn_parser_rejects_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(EnrichmentError) as exc:
        parse_jvn(data, source="x.xml")
    assert message in exc.value.message


def test_jvn_import_links_japanese_texts_by_cve(tmp_path: Path, own: Any) -> None:
    vulnerability = VulnerabilityFactory(osv_id="PYSEC-2019-79", aliases=["CVE-2019-12308"])
    feed = write_jvn_rss(tmp_path / "jvndb.rdf", [
        jvn_item("JVNDB-2019-005466", "CVE-2019-12308", title="Django における XSS", summary="日本語の概要"),
        jvn_item("JVNDB-2019-000001", "CVE-2019-0001", title="別の脆弱性", summary="別"),
    ])
    output = run("nvd_jvn_import", "jvn", str(feed))
    assert "Imported 2 records" in output and "2 new" in output
    assert "0 new, 0 updated, 2 unchanged" in run("nvd_jvn_import", "jvn", str(feed))
    text = jvn_for([vulnerability.pk])[vulnerability.pk]
    assert (text.jvndb_id, text.title, text.summary) == ("JVNDB-2019-005466", "Django における XSS", "日本語の概要")
    write_jvn_rss(feed, [jvn_item("JVNDB-2019-005466", "CVE-2019-12308", title="改訂", summary="改訂版",
                                  modified="2020-01-01T00:00+09:00")])
    assert "1 updated" in run("nvd_jvn_import", "jvn", str(feed))
    assert JvnEntry.objects.get(jvndb_id="JVNDB-2019-005466").title == "改訂"
    assert JvnCve.objects.filter(cve_id="CVE-2019-12308").count() == 1
    sources = {s["kind"]: s for s in nvd_jvn_sources()}
    assert sources["jvn"]["records"] == 2 and sources["jvn"]["file"].endswith("jvndb.rdf")
    assert sources["jvn"]["loaded_at"] is not None
    assert sources["nvd"] == {"name": "NVD", "kind": "nvd", "loaded_at": None, "records": 0, "file": "",
                              "file_name": "", "import_url": "/software/sources/nvd-jvn/"}
