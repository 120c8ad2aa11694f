"""Issue 12 §1 in the application: one vulnerability per alias group with the severity of any
record, summary from the details, fixes and upgrade advice, priority order and buckets, the gate
rule in the API and page, bulk triage with undo, and the matching status after an upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from renkei.software.demo import pypi
from renkei.software.findings import bulk, services
from renkei.software.models import Finding, Release, Severity, VexState, Vulnerability
from renkei.software.vulndb.importing import apply_batch, read_advisories
from renkei.software.vulndb.selectors import clear_index_cache
from tests.software.factories import osv_bytes, osv_record
from tests.software.test_severity import REAL_OSV
from tests.software.test_views import body, make_product, make_release, upload
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db
HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def import_records(tmp_path: Path, *records: dict[str, Any]) -> None:
    folder = tmp_path / "osv"
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['id']}.json").write_bytes(osv_bytes(record))
    advisories, errors = read_advisories([str(folder)])
    assert not errors
    apply_batch(advisories)
    clear_index_cache()


def django_release(own: Any, version: str = "3.2") -> Release:
    release = make_release(make_product(own, "会計システム"))
    upload(release, (pypi("django", version, "BSD-3-Clause"), pypi("urllib3", "1.24.1", "MIT")))
    release.refresh_from_db()
    return release


def recompute(release: Release) -> list[Finding]:
    services.findings_recompute(release_ids=[release.pk])
    return list(Finding.objects.filter(release=release).select_related("vulnerability").order_by("pk"))


@pytest.fixture
def findings(tmp_path: Path, own: Any) -> list[Finding]:
    """django 3.2: one vulnerability known as PYSEC (unrated) and GHSA (high); one unrated, two fixes."""
    import_records(
        tmp_path,
        osv_record("PYSEC-2021-9", package="django", fixed="3.2.5", cvss=None, aliases=["CVE-2021-9"], summary=" "),
        osv_record("GHSA-xxxx-yyyy-zzzz", package="django", fixed="3.2.5", cvss=HIGH,
                   aliases=["CVE-2021-9", "PYSEC-2021-9"]),
        osv_record("PYSEC-2022-1", package="django", fixed="3.2.14", cvss=None),
    )
    return recompute(django_release(own))


def test_alias_records_merge_and_take_any_rating(findings):
    assert len(findings) == 2
    merged = next(f for f in findings if "CVE-2021-9" in f.vulnerability.aliases)
    assert set(merged.vulnerability.all_ids) == {"CVE-2021-9", "GHSA-xxxx-yyyy-zzzz", "PYSEC-2021-9"}
    assert merged.severity == Severity.HIGH
    assert merged.vulnerability.severity_source == "GHSA-xxxx-yyyy-zzzz"
    assert merged.vulnerability.severity_method_label == "CVSS v3.1"
    unrated = next(f for f in findings if f.vulnerability.osv_id == "PYSEC-2022-1")
    assert unrated.severity == Severity.UNKNOWN and unrated.vulnerability.severity_source == ""


def test_rating_does_not_depend_on_import_order(tmp_path, own):
    ghsa = osv_record("GHSA-1111", package="django", cvss=HIGH, aliases=["CVE-1"], modified="2024-01-01T00:00:00Z")
    pysec = osv_record("PYSEC-1111", package="django", cvss=None, aliases=["CVE-1", "GHSA-1111"],
                       modified="2024-06-01T00:00:00Z")
    import_records(tmp_path, ghsa)
    import_records(tmp_path / "later", pysec)  # newer, unrated: must not erase the GHSA rating
    vulnerability = Vulnerability.objects.get(osv_id="GHSA-1111")
    assert vulnerability.severity == Severity.HIGH and "PYSEC-1111" in vulnerability.sources
    assert vulnerability.severity_source == "GHSA-1111"


def test_fixed_versions_and_upgrade_advice(findings):
    by_id = {f.vulnerability.osv_id: f for f in findings}
    assert by_id["GHSA-xxxx-yyyy-zzzz"].fixed_versions == ["3.2.5"]
    assert by_id["PYSEC-2022-1"].fixed_versions == ["3.2.14"]
    assert all(f.fix_available for f in findings)
    assert {(f.upgrade_version, f.upgrade_fixes, f.upgrade_total) for f in findings} == {("3.2.14", 2, 2)}


def test_summary_falls_back_to_the_details(findings):
    unrated = next(f for f in findings if f.vulnerability.osv_id == "PYSEC-2022-1")
    Vulnerability.objects.filter(pk=unrated.vulnerability_id).update(summary="")
    unrated.vulnerability.refresh_from_db()
    assert unrated.vulnerability.headline == "Details of PYSEC-2022-1."


def test_priority_puts_kev_first_and_unknown_between_high_and_medium(findings, analyst_client):
    url = reverse("software:finding_list")
    page = body(analyst_client.get(url))
    # Default order: the high one first, then the unknown one.
    assert page.index("GHSA-xxxx-yyyy-zzzz") < page.index("PYSEC-2022-1")
    assert 'id="bucket-unknown"' in page and "不明 1" in page and 'id="unknown-note"' in page
    unrated = next(f for f in findings if f.severity == Severity.UNKNOWN)
    Vulnerability.objects.filter(pk=unrated.vulnerability_id).update(
        known_exploited_since=dt.date(2024, 1, 1), epss_score=0.9
    )
    page = body(analyst_client.get(url))
    assert page.index("PYSEC-2022-1") < page.index("GHSA-xxxx-yyyy-zzzz")
    assert "KEV" in page and "EPSS 90%" in page
    assert "GHSA-xxxx-yyyy-zzzz" not in body(analyst_client.get(url + "?known_exploited=on"))
    assert "修正あり" in page


def test_filter_by_fix_and_severity_bucket(findings, analyst_client):
    Finding.objects.filter(pk=findings[0].pk).update(fix_available=False, fixed_versions=[])
    url = reverse("software:finding_list")
    without_fix = analyst_client.get(url + "?fix_available=false").context["object_list"]
    assert [f.pk for f in without_fix] == [findings[0].pk]
    unknown = analyst_client.get(url + "?severity=unknown").context["object_list"]
    assert [f.severity for f in unknown] == [Severity.UNKNOWN]


def test_finding_page_shows_ids_source_and_fix(findings, analyst_client):
    merged = next(f for f in findings if "CVE-2021-9" in f.vulnerability.aliases)
    page = body(analyst_client.get(merged.get_absolute_url()))
    assert "GHSA-xxxx-yyyy-zzzz" in page and "CVE-2021-9" in page
    assert "GHSA-xxxx-yyyy-zzzz（CVSS v3.1）による" in page
    vulnerability_page = body(analyst_client.get(merged.vulnerability.get_absolute_url()))
    assert "GHSA-xxxx-yyyy-zzzz（CVSS v3.1）による" in vulnerability_page
    assert "3.2.5" in page and "django を 3.2.14 に上げると、2 件の検出結果のうち 2 件が解消します。" in page


def test_release_page_upgrade_advice_and_gate(findings, analyst_client):
    release = findings[0].release
    page = body(analyst_client.get(release.get_absolute_url()))
    assert "django 3.2: 3.2.14 に上げると 2 件中 2 件が解消" in page
    def result(query: str) -> str:
        page = body(analyst_client.get(release.get_absolute_url() + query))
        return page.split('id="gate-result"', 1)[1].split("</span>", 1)[0]

    assert "不合格" in result("?fail_on=critical") and "深刻度不明 1 件" in result("?fail_on=critical")
    assert result("?fail_on=critical&unknown_as=medium").endswith(">合格")
    assert "不合格" in result("?fail_on=high&unknown_as=none")


def test_api_gate_and_fields(findings, analyst_client):
    release = findings[0].release
    url = f"/api/v1/software/releases/{release.pk}/gate"
    assert analyst_client.get(url + "?fail_on=critical").json()["failed"] is True
    result = analyst_client.get(url + "?fail_on=high&unknown_as=none").json()
    assert result["failed"] is True and result["failing"] == 1 and result["failing_unknown"] == 0
    assert analyst_client.get(url + "?fail_on=critical&unknown_as=low").json()["failed"] is False
    items = analyst_client.get("/api/v1/software/findings").json()["items"]
    assert [i["vulnerability"] for i in items] == ["GHSA-xxxx-yyyy-zzzz", "PYSEC-2022-1"]
    assert (items[0]["severity_source"], items[0]["severity_method"]) == ("GHSA-xxxx-yyyy-zzzz", "CVSS_V3")
    assert items[0]["fixed_versions"] == ["3.2.5"] and items[0]["upgrade_version"] == "3.2.14"
    assert items[1]["summary"]
    only_fixless = analyst_client.get("/api/v1/software/findings?fix_available=false").json()
    assert only_fixless["count"] == 0


def test_bulk_triage_by_selection_with_undo_and_audit(findings, analyst_client):
    url = reverse("software:finding_bulk_triage")
    before = LogEntry.objects.count()
    response = analyst_client.post(url, {
        "ids": [f.pk for f in findings], "state": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path", "comment": "管理画面は無効",
        "next": reverse("software:finding_list"),
    })
    assert response.status_code == 302
    assert set(Finding.objects.values_list("state", flat=True)) == {VexState.NOT_AFFECTED}
    assert LogEntry.objects.count() == before + 2
    page = body(analyst_client.get(reverse("software:finding_list") + "?state=not_affected"))
    assert "2 件の検出結果にトリアージを保存しました。" in page and 'id="bulk-undo"' in page
    token = analyst_client.session["software.findings.bulk_undo"]
    analyst_client.post(url, {"undo": token})
    assert set(Finding.objects.values_list("state", flat=True)) == {VexState.UNDER_INVESTIGATION}
    assert set(Finding.objects.values_list("comment", flat=True)) == {""}
    assert LogEntry.objects.count() == before + 4


def test_bulk_triage_needs_a_justification_for_not_affected(findings, analyst_client):
    url = reverse("software:finding_bulk_triage")
    analyst_client.post(url, {"ids": [findings[0].pk], "state": "not_affected"})
    assert Finding.objects.get(pk=findings[0].pk).state == VexState.UNDER_INVESTIGATION


def test_bulk_triage_all_of_an_advisory_by_alias_through_the_api(findings, analyst_client, own):
    other = django_release(own, "3.2.1")
    recompute(other)
    assert Finding.objects.filter(vulnerability__osv_id="GHSA-xxxx-yyyy-zzzz").count() == 2
    response = analyst_client.post(
        "/api/v1/software/findings/bulk-triage",
        {"vulnerability": "CVE-2021-9", "state": "affected", "comment": "更新予定"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["changed"] == 2
    states = dict(Finding.objects.values_list("vulnerability__osv_id", "state").distinct())
    assert states["GHSA-xxxx-yyyy-zzzz"] == VexState.AFFECTED and states["PYSEC-2022-1"] == VexState.UNDER_INVESTIGATION
    undone = analyst_client.post("/api/v1/software/findings/bulk-triage", {"undo": answer["undo"]},
                                 content_type="application/json").json()
    assert undone["changed"] == 2
    assert not Finding.objects.filter(state=VexState.AFFECTED).exists()


def test_undo_leaves_findings_changed_since(findings, analyst):
    count, token = bulk.bulk_triage(user=analyst, findings=[findings[0].pk], state="affected")
    assert count == 1
    services.finding_triage(user=analyst, finding=Finding.objects.get(pk=findings[0].pk), state="fixed")
    assert bulk.bulk_undo(user=analyst, token=token) == 0
    assert Finding.objects.get(pk=findings[0].pk).state == VexState.FIXED


def test_matching_status_after_an_upload(tmp_path, own, analyst_client, django_capture_on_commit_callbacks):
    import_records(tmp_path, osv_record("PYSEC-2022-1", package="django", fixed="3.2.14", cvss=None))
    release = make_release(make_product(own, "受発注"))
    with django_capture_on_commit_callbacks(execute=False):
        upload(release, (pypi("django", "3.2", "BSD-3-Clause"),))
    release.refresh_from_db()
    assert release.matching
    page = body(analyst_client.get(release.get_absolute_url()))
    assert 'id="matching-status"' in page and "findings_status.js" in page and "<script>" not in page
    assert "既知の脆弱性はありません" not in page
    status_url = reverse("software:release_findings_status", args=[release.pk])
    assert analyst_client.get(status_url).json() == {"matching": True, "open_findings": 0}
    services.findings_recompute(release_ids=[release.pk])
    assert analyst_client.get(status_url).json() == {"matching": False, "open_findings": 1}
    page = body(analyst_client.get(release.get_absolute_url()))
    assert 'id="matching-status"' not in page and "PYSEC-2022-1" in page


def test_finding_list_queries_do_not_grow(tmp_path, own, analyst_client):
    records = [osv_record(f"PYSEC-2030-{i}", package="django", fixed=f"3.2.{i + 1}", cvss=None) for i in range(20)]
    import_records(tmp_path, *records[:2])
    recompute(django_release(own))
    url = reverse("software:finding_list")
    with_2 = count_queries(analyst_client, url)
    import_records(tmp_path / "more", *records[2:])
    release = Release.objects.get()
    assert len(recompute(release)) == 20
    with_20 = count_queries(analyst_client, url)
    assert with_20 == with_2, f"{with_2} queries with 2 findings, {with_20} with 20"
    api_2 = count_queries(analyst_client, "/api/v1/software/findings")
    assert api_2 == count_queries(analyst_client, "/api/v1/software/findings?limit=2")


@pytest.mark.skipif(not REAL_OSV.is_dir(), reason="shared OSV data not found")
def test_old_django_with_the_real_pypi_data(own, analyst_client):
    advisories, errors = read_advisories([str(REAL_OSV / "django")])
    assert not errors
    apply_batch(advisories)
    clear_index_cache()
    release = make_release(make_product(own, "旧システム"))
    upload(release, (pypi("django", "2.2.2", "BSD-3-Clause"),))
    found = recompute(release)
    assert len(found) == 27
    assert all(f.vulnerability.headline for f in found)
    assert all(f.fixed_versions for f in found)
    assert {(f.upgrade_version, f.upgrade_fixes, f.upgrade_total) for f in found} == {("2.2.28", 27, 27)}
    assert all(f.severity == Severity.UNKNOWN for f in found)  # the PyPA records carry no rating
    gate = analyst_client.get(f"/api/v1/software/releases/{release.pk}/gate?fail_on=high").json()
    assert gate["failed"] is True and gate["failing_unknown"] == 27
    page = body(analyst_client.get(reverse("software:finding_list")))
    assert "不明 27" in page and "—</small>" not in page
    assert orjson.loads(orjson.dumps(gate))["by_severity"]["unknown"] == 27
