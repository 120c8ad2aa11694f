"""CISA KEV and FIRST EPSS: parsers, the import (atomic, idempotent, set-based), the command, the
pages (upload, progress, sources with their age) and the findings pages."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from renkei.software.enrichment import services_kev_epss as services
from renkei.software.enrichment.epss import parse_epss
from renkei.software.enrichment.files import EnrichmentError, read_text
from renkei.software.enrichment.kev import parse_kev
from renkei.software.enrichment.models_kev_epss import EnrichmentImport, EpssScore, KevEntry
from renkei.software.enrichment.selectors_kev_epss import kev_epss_sources
from renkei.software.models import Vulnerability, VulnerabilityAlias
from tests.software.test_views import make_finding, make_product, make_release, upload

pytestmark = pytest.mark.django_db

KEV_FIELDS = {
    "vendorProject": "Example", "product": "Widget", "vulnerabilityName": "Widget RCE",
    "shortDescription": "Remote code execution.", "requiredAction": "Apply mitigations per vendor instructions.",
    "dueDate": "2025-02-01", "knownRansomwareCampaignUse": "Known",
}


def kev_json(*cves: str, added: str = "2025-01-10", released: str = "2025-01-11T15:00:00.000Z") -> bytes:
    rows = [{"cveID": cve, "dateAdded": added, **KEV_FIELDS} for cve in cves]
    return json.dumps({"catalogVersion": "2025.01.11", "dateReleased": released, "count": len(rows),
                       "vulnerabilities": rows}).encode()


def epss_csv(rows: list[tuple[str, float, float]], score_date: str = "2025-01-12T00:00:00+0000") -> bytes:
    lines = [f"#model_version:v2025.03.14,score_date:{score_date}", "cve,epss,percentile"]
    lines += [f"{cve},{score:.5f},{pct:.5f}" for cve, score, pct in rows]
    return ("\n".join(lines) + "\n").encode()


def vulnerability(osv_id: str, *aliases: str) -> Vulnerability:
    """A stored vulnerability with its alias rows, as the OSV import leaves it."""
    v = Vulnerability.objects.create(osv_id=osv_id, aliases=list(aliases), modified=timezone.now(), affected=[])
    VulnerabilityAlias.objects.bulk_create([VulnerabilityAlias(alias=a, vulnerability=v) for a in (osv_id, *aliases)])
    return v


def run_file(kind: str, data: bytes, name: str) -> EnrichmentImport:
    run = services.enrichment_import_start(
        user=None, kind=kind, uploaded_file=SimpleUploadedFile(name, data), enqueue=False
    )
    return services.enrichment_import_run(import_id=run.pk)


# --- parsers -------------------------------------------------------------------------------------


def test_kev_json_and_csv_parse_alike() -> None:
    catalogue = parse_kev(kev_json("CVE-2021-44228", "CVE-2023-0001").decode())
    assert catalogue.version == "2025.01.11" and catalogue.released == dt.datetime(2025, 1, 11, 15, tzinfo=dt.UTC)
    assert [r.cve_id for r in catalogue.records] == ["CVE-2021-44228", "CVE-2023-0001"]
    record = catalogue.records[0]
    assert record.date_added == dt.date(2025, 1, 10) and record.due_date == dt.date(2025, 2, 1)
    header = "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes"
    csv_text = header + '\nCVE-2021-44228,Apache,Log4j2,Log4Shell,2021-12-10,"JNDI, lookups",Apply updates.,2021-12-24,Known,,CWE-20\n'
    parsed = parse_kev(csv_text)
    assert parsed.records[0].cve_id == "CVE-2021-44228" and parsed.records[0].short_description == "JNDI, lookups"


def test_kev_problems_name_the_entry_and_field() -> None:
    data = json.loads(kev_json("CVE-2021-44228", "not-a-cve"))
    data["vulnerabilities"][0]["dateAdded"] = "10/01/2025"
    with pytest.raises(EnrichmentError) as exc:
        parse_kev(json.dumps(data))
    assert "1件目: dateAdded が日付ではありません" in str(exc.value) and "2件目: cveID が CVE ID ではありません" in str(exc.value)
    with pytest.raises(EnrichmentError, match="vulnerabilities の一覧がありません"):
        parse_kev('{"catalogVersion": "1"}')
    with pytest.raises(EnrichmentError, match="正しい JSON ではありません"):
        parse_kev('{"vulnerabilities": [')


def test_epss_parses_comment_line_and_checks_values() -> None:
    parsed = parse_epss(epss_csv([("CVE-2021-44228", 0.97565, 0.99996), ("CVE-2023-0001", 0.0004, 0.1)]).decode())
    assert parsed.model_version == "v2025.03.14" and parsed.score_date == dt.datetime(2025, 1, 12, tzinfo=dt.UTC)
    assert parsed.scores[0] == ("CVE-2021-44228", 0.97565, 0.99996)
    assert parse_epss("cve,epss,percentile\nCVE-2020-0001,0.1,0.5\n").score_date is None  # no comment line
    with pytest.raises(EnrichmentError, match="4行目"):
        parse_epss(epss_csv([("CVE-2021-44228", 0.5, 0.5), ("CVE-2021-1", 1.5, 0.5)]).decode())
    with pytest.raises(EnrichmentError, match="見出し行 cve,epss,percentile"):
        parse_epss("id,score\nCVE-2021-44228,0.5\n")


def test_gzip_is_decompressed_with_a_bound() -> None:
    data = epss_csv([("CVE-2021-44228", 0.5, 0.5)])
    assert read_text(io.BytesIO(gzip.compress(data)), max_bytes=10**6, max_decompressed=10**6) == data.decode()
    bomb = gzip.compress(b"0" * (20 * 2**20))  # 20 MB of zeros in about 20 KB
    assert len(bomb) < 100_000
    with pytest.raises(EnrichmentError, match="展開後のサイズが 1 MB を超えています"):
        read_text(io.BytesIO(bomb), max_bytes=10**6, max_decompressed=2**20)
    with pytest.raises(EnrichmentError, match="途中で切れています"):
        read_text(io.BytesIO(gzip.compress(data)[:-12]), max_bytes=10**6, max_decompressed=10**6)
    with pytest.raises(EnrichmentError, match="を超えています"):
        read_text(io.BytesIO(data), max_bytes=10, max_decompressed=10**6)


# --- import --------------------------------------------------------------------------------------


def test_kev_import_marks_vulnerabilities_by_alias_and_replaces_on_reimport() -> None:
    log4j = vulnerability("GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228")
    by_id = vulnerability("CVE-2023-0001")
    other = vulnerability("PYSEC-2020-1", "CVE-2020-9999")
    run = run_file("kev", kev_json("CVE-2021-44228", "CVE-2023-0001", "CVE-2024-0002"), "known_exploited_vulnerabilities.json")
    assert run.status == "done" and run.records == 3 and run.matched == 2
    assert run.file_version == "2025.01.11" and not run.file  # the upload is not kept
    log4j.refresh_from_db(), by_id.refresh_from_db(), other.refresh_from_db()
    assert log4j.known_exploited_since == dt.date(2025, 1, 10) and by_id.known_exploited_since == dt.date(2025, 1, 10)
    assert other.known_exploited_since is None
    again = run_file("kev", kev_json("CVE-2023-0001", added="2025-01-05"), "kev.json")
    assert again.records == 1 and KevEntry.objects.count() == 1
    log4j.refresh_from_db(), by_id.refresh_from_db()
    assert log4j.known_exploited_since is None and by_id.known_exploited_since == dt.date(2025, 1, 5)


def test_bad_file_fails_and_changes_nothing() -> None:
    v = vulnerability("GHSA-1", "CVE-2021-44228")
    run_file("epss", epss_csv([("CVE-2021-44228", 0.9, 0.99)]), "epss.csv")
    bad = run_file("epss", epss_csv([("CVE-2021-44228", 0.1, 0.2), ("CVE-2022-1", 2.0, 0.5)]), "epss.csv")
    assert bad.status == "failed" and "4行目" in bad.error
    v.refresh_from_db()
    assert v.epss_score == 0.9 and EpssScore.objects.get().score == 0.9
    bomb = run_file("epss", gzip.compress(b"1" * (5 * 2**20)), "epss.csv.gz")
    assert bomb.status == "failed"


def test_epss_import_takes_the_highest_score_of_a_vulnerabilitys_cves() -> None:
    v = vulnerability("GHSA-2", "CVE-2021-0001", "CVE-2021-0002")
    run = run_file("epss", gzip.compress(epss_csv([("CVE-2021-0001", 0.2, 0.7), ("CVE-2021-0002", 0.6, 0.95)])),
                   "epss_scores-2025-01-12.csv.gz")
    assert run.status == "done" and run.records == 2 and run.matched == 1
    v.refresh_from_db()
    assert (v.epss_score, v.epss_percentile) == (0.6, 0.95)
    run_file("epss", epss_csv([("CVE-2022-0003", 0.1, 0.5)]), "epss.csv")
    v.refresh_from_db()
    assert (v.epss_score, v.epss_percentile) == (None, None) and EpssScore.objects.count() == 1


def test_osv_import_applies_the_loaded_enrichment(own: Any) -> None:
    run_file("kev", kev_json("CVE-2021-44228"), "kev.json")
    from tests.software.factories import osv_bytes, osv_record

    record = osv_record("GHSA-jfh8-c2jp-5v3q", aliases=["CVE-2021-44228"])
    osv = services_osv_import(osv_bytes(record))
    assert osv.status == "done"
    assert Vulnerability.objects.get(osv_id="GHSA-jfh8-c2jp-5v3q").known_exploited_since == dt.date(2025, 1, 10)


def services_osv_import(data: bytes) -> Any:
    from renkei.software.vulndb import services as osv_services

    run = osv_services.osv_import_start(user=None, uploaded_file=SimpleUploadedFile("GHSA.json", data), enqueue=False)
    return osv_services.osv_import_run(import_id=run.pk, recompute=False)


# --- command -------------------------------------------------------------------------------------


def test_upload_over_the_limit_is_refused_unread(analyst_client: Any, own: Any, settings: Any) -> None:
    settings.RENKEI_MAX_ENRICHMENT_BYTES = 1024
    response = analyst_client.post(
        reverse("software:epss_import"), {"file": SimpleUploadedFile("epss.csv", b"cve,epss,percentile\n" * 20_000)}
    )
    assert response.status_code == 413 and not EnrichmentImport.objects.exists()
    small = analyst_client.post(
        reverse("software:epss_import"), {"file": SimpleUploadedFile("epss.csv", b"cve,epss,percentile\n" * 100)}
    )
    assert small.status_code == 400 and not EnrichmentImport.objects.exists()  # over 1 KB: refused by its size


def test_import_is_in_the_audit_trail(analyst: Any) -> None:
    from auditlog.models import LogEntry

    run = services.enrichment_import_start(
        user=analyst, kind="kev", uploaded_file=SimpleUploadedFile("kev.json", kev_json("CVE-2021-44228")), enqueue=False
    )
    services.enrichment_import_run(import_id=run.pk)
    entries = LogEntry.objects.filter(object_pk=str(run.pk), content_type__model="enrichmentimport")
    assert entries.count() >= 2
    assert any(entry.changes_dict.get("status", [None, None])[1] == "done" for entry in entries)


def test_cli_names_the_commands() -> None:
    from renkei import cli

    assert cli.main(["kev"]) == 2 and cli.main(["epss", "load", "x"]) == 2


def test_commands_import_and_report(tmp_path: Path) -> None:
    vulnerability("GHSA-3", "CVE-2021-44228")
    (tmp_path / "kev.json").write_bytes(kev_json("CVE-2021-44228"))
    out = io.StringIO()
    call_command("enrichment_import", "kev", str(tmp_path / "kev.json"), stdout=out)
    assert "Imported 1 records" in out.getvalue() and "1 vulnerabilities in the database updated" in out.getvalue()
    (tmp_path / "epss.csv.gz").write_bytes(gzip.compress(epss_csv([("CVE-2021-44228", 0.5, 0.9)])))
    out = io.StringIO()
    call_command("enrichment_import", "epss", str(tmp_path / "epss.csv.gz"), stdout=out)
    assert "1/1 records" in out.getvalue() and "file date 2025-01-12" in out.getvalue()
    (tmp_path / "bad.csv").write_text("nonsense\n")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("enrichment_import", "epss", str(tmp_path / "bad.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("enrichment_import", "kev", str(tmp_path / "missing.json"), stdout=io.StringIO())


# --- pages ---------------------------------------------------------------------------------------


def test_sources_page_says_nothing_is_loaded(analyst_client: Any, own: Any) -> None:
    page = analyst_client.get(reverse("software:enrichment_sources")).content.decode()
    assert page.count("読み込まれていません") >= 2 and "CISA KEV" in page


def test_upload_runs_and_sources_page_shows_age_and_warning(
    analyst_client: Any, own: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vulnerability("GHSA-4", "CVE-2021-44228")
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(
            reverse("software:kev_import"), {"file": SimpleUploadedFile("kev.json", kev_json("CVE-2021-44228"))}
        )
    assert response.status_code == 302
    run = EnrichmentImport.objects.get()
    assert response.url == reverse("software:enrichment_import_detail", args=[run.pk])
    detail = analyst_client.get(response.url).content.decode()
    assert "完了" in detail and "<progress" in detail
    fresh = timezone.now().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        analyst_client.post(
            reverse("software:epss_import"),
            {"file": SimpleUploadedFile("epss.csv", epss_csv([("CVE-2021-44228", 0.5, 0.9)], score_date=fresh))},
        )
    page = analyst_client.get(reverse("software:enrichment_sources")).content.decode()
    assert 'id="source-kev" data-stale="true"' in page and 'id="source-epss" data-stale="false"' in page
    assert "7日より古くなっています" in page
    rows = {row["kind"]: row for row in kev_epss_sources()}
    assert rows["epss"]["age_days"] == 0 and rows["kev"]["records"] == 1


def test_progress_fragment_polls_while_running(analyst_client: Any, own: Any) -> None:
    run = EnrichmentImport.objects.create(kind="epss", source="epss.csv.gz", status="running", total=250000, processed=5000)
    url = reverse("software:enrichment_import_detail", args=[run.pk])
    fragment = analyst_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment and 'value="5000"' in fragment
    EnrichmentImport.objects.filter(pk=run.pk).update(processed=0)
    saving = analyst_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "250,000件すべてを確認しました" in saving


def test_wrong_file_type_is_refused(analyst_client: Any, own: Any) -> None:
    wrong = analyst_client.post(reverse("software:epss_import"), {"file": SimpleUploadedFile("scores.xlsx", b"PK")})
    assert wrong.status_code == 400 and not EnrichmentImport.objects.exists()
    assert ".csv.gz でアップロードしてください" in wrong.content.decode()


def test_viewer_may_read_but_not_import(viewer_client: Any, own: Any) -> None:
    refused = viewer_client.post(reverse("software:kev_import"), {"file": SimpleUploadedFile("kev.json", kev_json("CVE-2021-44228"))})
    assert refused.status_code == 403 and not EnrichmentImport.objects.exists()
    assert viewer_client.get(reverse("software:enrichment_sources")).status_code == 200


def test_limited_user_may_not_import(limited_analyst: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(limited_analyst)
    response = client.post(reverse("software:kev_import"), {"file": SimpleUploadedFile("kev.json", kev_json("CVE-2021-44228"))})
    assert response.status_code in (400, 403) and not EnrichmentImport.objects.exists()


def test_finding_pages_show_kev_and_epss(analyst_client: Any, own: Any) -> None:
    release = make_release(make_product(own))
    upload(release)
    release.refresh_from_db()
    v = vulnerability("PYSEC-2021-9", "CVE-2021-44228")
    finding = make_finding(release, v)
    run_file("kev", kev_json("CVE-2021-44228"), "kev.json")
    run_file("epss", epss_csv([("CVE-2021-44228", 0.97565, 0.99996)]), "epss.csv")
    page = analyst_client.get(reverse("software:finding_detail", args=[finding.pk])).content.decode()
    assert 'id="finding-kev"' in page and "Apply mitigations per vendor instructions." in page
    assert "2025年2月1日" in page and "0.9757" in page and "1.000" in page
    listed = analyst_client.get(reverse("software:finding_list"), {"known_exploited": "on"}).content.decode()
    assert "PYSEC-2021-9" in listed and "KEV" in listed and "EPSS 98%" in listed
    detail = analyst_client.get(reverse("software:vulnerability_detail", args=[v.pk])).content.decode()
    assert "KEV" in detail and "EPSS 98%" in detail and "パーセンタイル 1.000" in detail
    item = analyst_client.get("/api/v1/software/findings").json()["items"][0]
    assert item["known_exploited_since"] == "2025-01-10" and (item["epss_score"], item["epss_percentile"]) == (0.97565, 0.99996)


def test_server_paths_are_for_administrators(analyst: Any, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    (tmp_path / "kev.json").write_bytes(kev_json("CVE-2021-44228"))
    with pytest.raises(PermissionDenied):
        services.enrichment_import_start(user=analyst, kind="kev", path=str(tmp_path / "kev.json"), enqueue=False)
    assert not EnrichmentImport.objects.exists()
