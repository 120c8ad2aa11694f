"""An analyst after an upload: the page says matching is running and updates by itself when it
ends; the findings list by priority with the unknown bucket; bulk triage and its undo."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renkei.software.demo import SDK_PRODUCT_NAME, cyclonedx_json, osv_source, pypi
from renkei.software.findings import services as findings_services
from renkei.software.models import Finding, Product, Release, VexState
from renkei.software.sbom import services as sbom_services
from tests.browser.helpers import demo_login, login

pytestmark = pytest.mark.browser


@pytest.fixture
def software_demo(demo: Any) -> Any:
    if osv_source() is None:
        pytest.skip("No OSV data (set RENKEI_OSV_PATH or provide ../shared/data/osv): the demo has no findings")
    return demo


def test_matching_status_updates_and_bulk_triage(page, software_demo):
    product = Product.objects.get(name=SDK_PRODUCT_NAME)
    release = Release.objects.create(product=product, version="9.9.0", group_company=product.group_company)
    data = cyclonedx_json(SDK_PRODUCT_NAME, "9.9.0", (pypi("django", "2.2.2", "BSD-3-Clause"),))
    sbom_services.sbom_upload(user=None, release=release, uploaded_file=SimpleUploadedFile("bom.json", data))
    # As right after an upload whose matching has not finished yet.
    Finding.objects.filter(release=release).delete()
    Release.objects.filter(pk=release.pk).update(
        findings_requested_at=timezone.now(), findings_matched_at=timezone.now() - dt.timedelta(minutes=1)
    )
    login(page, *demo_login(software_demo))
    page.goto(f"/software/releases/{release.pk}/")
    assert "照合しています" in (page.text_content("#matching-status") or "")
    assert page.locator("#no-findings").text_content().strip() == "照合中です…"
    findings_services.findings_recompute(release_ids=[release.pk])
    page.wait_for_selector("#matching-status", state="detached", timeout=20_000)
    rows = page.locator("#finding-table tbody tr[id^='finding-']")
    assert rows.count() == Finding.objects.filter(release=release).count() > 0
    assert "に上げると" in (page.text_content("#upgrade-advice") or "")
    shots = os.environ.get("RENKEI_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/release.png", full_page=True)

    page.goto(f"/software/findings/?product={product.pk}")
    assert "不明" in (page.text_content("#severity-buckets") or "")
    if shots:
        page.screenshot(path=f"{shots}/findings.png", full_page=True)
    closed_before = Finding.objects.filter(state=VexState.NOT_AFFECTED).count()
    boxes = page.locator("#finding-table input[name='ids']")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#bulk-triage select[name='state']", "not_affected")
    page.select_option("#bulk-triage select[name='justification']", "vulnerable_code_not_in_execute_path")
    page.fill("#bulk-comment", "管理画面は使っていない")
    page.click("#bulk-save")
    page.wait_for_selector("#bulk-undo")
    assert "2 件の検出結果にトリアージを保存しました。" in (page.text_content("body") or "")
    assert Finding.objects.filter(state=VexState.NOT_AFFECTED).count() == closed_before + 2
    page.click("#bulk-undo button")
    page.wait_for_selector("#bulk-undo", state="detached")
    assert Finding.objects.filter(state=VexState.NOT_AFFECTED).count() == closed_before
    page.check("#select-all")
    assert page.locator("#finding-table input[name='ids']:checked").count() == boxes.count() > 2
    assert page.console_errors == []  # type: ignore[attr-defined]
