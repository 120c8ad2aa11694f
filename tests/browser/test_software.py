"""The software supply chain, as an analyst does it: add a vendor's new release, upload its SBOM, see the
findings the offline vulnerability database gives, mark one not affected with a justification, and ask
the portfolio which of our suppliers delivered the vulnerable package.

The demo data set is the fixture (the vendors, their products and the imported OSV advisories); without
the shared OSV data the test is skipped, since there would be nothing to find.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from renkei.software.demo import (
    MISMATCH_FILE_NAME,
    POS_OLD_VERSION,
    POS_PRODUCT_NAME,
    SDK_PRODUCT_NAME,
    cyclonedx_json,
    npm,
    osv_source,
    pypi,
)
from renkei.software.models import Finding, Release, VexState
from tests.browser.helpers import demo_login, login, nav_click

pytestmark = pytest.mark.browser

NEW_VERSION = "2.5.0"
PACKAGES = (pypi("urllib3", "1.24.1", "MIT"), pypi("jinja2", "2.10", "BSD-3-Clause"), npm("lodash", "4.17.21"))


@pytest.fixture
def software_demo(demo: Any) -> Any:
    if osv_source() is None:
        pytest.skip("No OSV data (set RENKEI_OSV_PATH or provide ../shared/data/osv): the demo has no findings")
    return demo


def test_upload_an_sbom_triage_a_finding_and_search_the_portfolio(page, software_demo):
    login(page, *demo_login(software_demo))

    # The software list, from the main navigation; the vendor's product page; a new release.
    nav_click(page, "#nav-software")
    page.click(f"text={SDK_PRODUCT_NAME}")
    page.click("#add-release")
    page.fill("#id_version", NEW_VERSION)
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/software/releases/\d+/$"))
    release = Release.objects.get(product__name=SDK_PRODUCT_NAME, version=NEW_VERSION)
    assert page.locator("#no-sbom").count() == 1

    # Upload its SBOM: the summary shows it and the findings are computed at once.
    page.set_input_files(
        "#id_sbom_file",
        files=[{"name": "sdk-2.5.0.cdx.json", "mimeType": "application/json",
                "buffer": cyclonedx_json(SDK_PRODUCT_NAME, NEW_VERSION, PACKAGES)}],
    )
    page.click("#sbom-upload-button")
    page.wait_for_url(f"**/software/releases/{release.pk}/")
    assert page.text_content("#sbom-component-count") == str(len(PACKAGES))
    rows = page.locator("#finding-table tbody tr[id^='finding-']")
    assert rows.count() > 0, page.text_content("#findings-panel")
    assert "urllib3" in (page.text_content("#finding-table") or "")
    assert Finding.objects.filter(release=release).count() == rows.count()

    # Mark the first urllib3 finding not affected, with a justification and a comment (htmx: in place).
    row = page.locator("#finding-table tbody tr", has_text="urllib3").first
    finding_id = int((row.get_attribute("id") or "").removeprefix("finding-"))
    row.locator("select[name=state]").select_option(VexState.NOT_AFFECTED)
    row.locator("select[name=justification]").select_option("vulnerable_code_not_in_execute_path")
    row.locator("input[name=comment]").fill("プロキシ機能は使っていない")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr#finding-{finding_id}.saved")
    finding = Finding.objects.get(pk=finding_id)
    assert finding.state == VexState.NOT_AFFECTED
    assert finding.justification == "vulnerable_code_not_in_execute_path"
    assert finding.comment == "プロキシ機能は使っていない"
    assert page.url.endswith(f"/software/releases/{release.pk}/"), "htmx updates the row without leaving the page"

    # Which of our suppliers delivered urllib3 below 1.26? The SDK's vendor and the POS vendor.
    page.goto("/software/search/")
    page.fill("#id_name", "urllib3")
    page.fill("#id_version_range", "<1.26")
    page.click("#portfolio-search-button")
    page.wait_for_selector("#portfolio-results")
    results = page.text_content("#portfolio-results") or ""
    assert release.product.supplier.name in results and NEW_VERSION in results
    pos_supplier = Release.objects.get(product__name=POS_PRODUCT_NAME, version=POS_OLD_VERSION).product.supplier
    assert pos_supplier.name in results
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_demo_shows_the_integrity_mismatch(page, software_demo):
    login(page, *demo_login(software_demo))
    release = Release.objects.get(product__name=POS_PRODUCT_NAME, version=POS_OLD_VERSION)
    page.goto(release.get_absolute_url())
    assert MISMATCH_FILE_NAME in (page.text_content("#integrity-banner") or "")
    page.goto(release.product.supplier.get_absolute_url())
    assert MISMATCH_FILE_NAME in (page.text_content("#supplier-integrity-banner") or "")
