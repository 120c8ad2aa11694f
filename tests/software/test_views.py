"""Software pages: products and releases, uploads with their errors, findings and triage, the portfolio
search, the vulnerability database, the licence policy and the OSV import page."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renkei.core.permissions import Role
from renkei.software.demo import cyclonedx_json, maven, npm, pypi, spdx_json
from renkei.software.models import (
    Component,
    DeliveredFile,
    Finding,
    IntegrityState,
    LicencePolicy,
    OsvImport,
    Product,
    Release,
    Sbom,
    Severity,
    VexState,
    Vulnerability,
)
from renkei.software.sbom import services as sbom_services
from tests import factories as f

PACKAGES = (
    pypi("django", "3.2", "BSD-3-Clause"),
    pypi("urllib3", "1.24.1", "MIT"),
    npm("lodash", "4.17.15"),
    maven("mysql", "mysql-connector-java", "8.0.28", "GPL-2.0-only"),
)
INSTALLER = b"installer bytes"


# --- builders ------------------------------------------------------------------------------------


def make_product(company: Any, name: str = "POS", supplier: Any = None) -> Product:
    supplier = supplier or f.OrganisationFactory(name=f"{name}の開発元", kind="vendor", group_company=company)
    return Product.objects.create(supplier=supplier, name=name, group_company=company)


def make_release(product: Product, version: str = "1.0") -> Release:
    return Release.objects.create(product=product, version=version, group_company=product.group_company)


def upload(release: Release, packages: tuple[Any, ...] = PACKAGES, **files: str) -> Sbom:
    data = cyclonedx_json(release.product.name, release.version, packages, files=files or None)
    return sbom_services.sbom_upload(user=None, release=release, uploaded_file=SimpleUploadedFile("bom.json", data))


def make_vulnerability(osv_id: str = "PYSEC-2021-1", severity: str = Severity.HIGH, **extra: Any) -> Vulnerability:
    return Vulnerability.objects.create(
        osv_id=osv_id,
        aliases=extra.pop("aliases", ["CVE-2021-0001"]),
        summary=extra.pop("summary", "SQL injection in QuerySet.order_by"),
        severity=severity,
        cvss_score=extra.pop("cvss_score", 7.5),
        modified=timezone.now(),
        affected=[{"package": {"ecosystem": "PyPI", "name": "django"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.2.1"}]}]}],
        references=[{"type": "WEB", "url": "https://example.org/advisory"}, {"type": "WEB", "url": "javascript:alert(1)"}],
        **extra,
    )


def make_finding(release: Release, vulnerability: Vulnerability | None = None, component_name: str = "django",
                 **extra: Any) -> Finding:
    component = Component.objects.get(sbom=release.current_sbom, name=component_name)
    vulnerability = vulnerability or make_vulnerability()
    return Finding.objects.create(
        release=release, component=component, vulnerability=vulnerability, severity=vulnerability.severity,
        group_company=release.group_company, **extra,
    )


@pytest.fixture
def release(own: Any) -> Release:
    release = make_release(make_product(own))
    upload(release)
    release.refresh_from_db()
    return release


@pytest.fixture
def finding(release: Release) -> Finding:
    return make_finding(release)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode()


# --- products and releases -----------------------------------------------------------------------


def test_create_product_and_release_through_the_forms(analyst_client, own):
    vendor = f.OrganisationFactory(name="テストソフト株式会社", kind="vendor")
    response = analyst_client.post(reverse("software:product_create"), {"supplier": vendor.pk, "name": "会計ソフト"})
    assert response.status_code == 302
    product = Product.objects.get(name="会計ソフト")
    assert product.group_company == own

    form = analyst_client.get(reverse("software:release_create") + f"?product={product.pk}")
    assert f'value="{product.pk}" selected' in body(form)
    response = analyst_client.post(
        reverse("software:release_create"), {"product": product.pk, "version": "2.0", "delivered_on": "2026-01-10"}
    )
    assert response.status_code == 302
    release = Release.objects.get(product=product)
    assert release.group_company == own and release.delivered_on == dt.date(2026, 1, 10)
    page = analyst_client.get(release.get_absolute_url())
    assert page.status_code == 200 and "SBOM" in body(page)


def test_duplicate_release_version_is_refused(analyst_client, release):
    response = analyst_client.post(
        reverse("software:release_create"), {"product": release.product_id, "version": release.version}
    )
    assert response.status_code == 400
    assert Release.objects.filter(product=release.product).count() == 1


def test_product_page_lists_releases_with_open_findings(analyst_client, finding):
    page = body(analyst_client.get(finding.release.product.get_absolute_url()))
    assert finding.release.version in page
    assert 'class="badge high"' in page


# --- SBOM upload ---------------------------------------------------------------------------------


def test_sbom_upload_shows_summary_and_components(analyst_client, own):
    release = make_release(make_product(own))
    data = spdx_json("POS", "1.0", PACKAGES)
    response = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("pos.spdx.json", data)}
    )
    assert response.status_code == 302, body(response)[:2000]
    release.refresh_from_db()
    # SPDX lists the product itself as a package too.
    assert release.current_sbom is not None and release.current_sbom.component_count == len(PACKAGES) + 1
    page = body(analyst_client.get(release.get_absolute_url()))
    assert "SPDX JSON" in page and "SPDX-2.3" in page
    assert "urllib3" in page and "pkg:npm/lodash@4.17.15" in page


def test_components_table_searches_and_paginates(analyst_client, own):
    release = make_release(make_product(own))
    packages = tuple(pypi(f"package-{i:03d}", "1.0") for i in range(60))
    upload(release, packages)
    page = body(analyst_client.get(release.get_absolute_url()))
    assert "package-049" in page and "package-050" not in page
    assert "cpage=2" in page
    second = body(analyst_client.get(release.get_absolute_url() + "?cpage=2"))
    assert "package-050" in second
    searched = body(analyst_client.get(release.get_absolute_url() + "?cq=package-007"))
    assert "package-007" in searched and "package-008" not in searched


def test_malformed_sbom_is_refused_with_the_location(analyst_client, own):
    release = make_release(make_product(own))
    response = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]),
        {"file": SimpleUploadedFile("bad.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [')},
    )
    assert response.status_code == 400
    assert 'role="alert"' in body(response)
    assert Sbom.objects.count() == 0 and Component.objects.count() == 0


def test_wrong_spec_version_is_refused(analyst_client, own):
    release = make_release(make_product(own))
    data = cyclonedx_json("POS", "1.0", PACKAGES, spec="1.1")
    response = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("old.json", data)}
    )
    assert response.status_code == 400
    assert "CycloneDX 1.1 には対応していません" in body(response)
    assert Sbom.objects.count() == 0


def test_missing_file_is_refused(analyst_client, own):
    release = make_release(make_product(own))
    response = analyst_client.post(reverse("software:sbom_upload", args=[release.pk]), {})
    assert response.status_code == 400
    assert Sbom.objects.count() == 0


def test_200_mb_upload_is_refused_before_reading(analyst_client, own):
    release = make_release(make_product(own))
    # The declared length alone must refuse it: the body here is tiny, the header says 200 MB.
    response = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]),
        {"file": SimpleUploadedFile("huge.json", b"{}")},
        CONTENT_LENGTH=str(200 * 2**20),
    )
    assert response.status_code == 413
    assert "MB" in body(response)
    assert Sbom.objects.count() == 0


def test_sbom_over_the_configured_limit_is_refused(analyst_client, own, settings):
    settings.RENKEI_MAX_SBOM_BYTES = 100 * 1024
    release = make_release(make_product(own))
    data = cyclonedx_json("POS", "1.0", tuple(pypi(f"p{i}", "1.0") for i in range(2000)))
    assert len(data) > 200 * 1024
    response = analyst_client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("big.json", data)}
    )
    assert response.status_code == 413
    assert Sbom.objects.count() == 0


def test_viewer_may_read_but_not_upload(viewer_client, release):
    page = viewer_client.get(release.get_absolute_url())
    assert page.status_code == 200 and 'id="sbom-form"' not in body(page)
    response = viewer_client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("bom.json", b"{}")}
    )
    assert response.status_code == 403
    assert Sbom.objects.filter(release=release).count() == 1


def test_anonymous_upload_goes_to_login(client, release):
    response = client.post(reverse("software:sbom_upload", args=[release.pk]), {})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_upload_checks_csrf(analyst, release):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(
        reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("bom.json", b"{}")}
    )
    assert response.status_code == 403
    assert Sbom.objects.filter(release=release).count() == 1


# --- delivered files -----------------------------------------------------------------------------


def test_delivered_file_matching_the_sbom_hash(analyst_client, own):
    release = make_release(make_product(own))
    upload(release, **{"setup.zip": hashlib.sha256(INSTALLER).hexdigest()})
    response = analyst_client.post(
        reverse("software:file_upload", args=[release.pk]), {"file": SimpleUploadedFile("setup.zip", INSTALLER)}
    )
    assert response.status_code == 302
    assert DeliveredFile.objects.get(release=release).integrity == IntegrityState.MATCH
    assert 'id="integrity-banner"' not in body(analyst_client.get(release.get_absolute_url()))


def test_hash_mismatch_shows_a_banner_on_the_release_and_the_supplier(analyst_client, own):
    release = make_release(make_product(own))
    response = analyst_client.post(
        reverse("software:file_upload", args=[release.pk]),
        {"file": SimpleUploadedFile("setup.zip", INSTALLER), "declared_sha256": "ab" * 32},
    )
    assert response.status_code == 302
    assert DeliveredFile.objects.get(release=release).integrity == IntegrityState.MISMATCH
    page = body(analyst_client.get(release.get_absolute_url()))
    assert 'id="integrity-banner"' in page and "setup.zip" in page
    supplier_page = body(analyst_client.get(release.product.supplier.get_absolute_url()))
    assert 'id="supplier-integrity-banner"' in supplier_page and "setup.zip" in supplier_page


def test_invalid_declared_hash_is_refused(analyst_client, release):
    response = analyst_client.post(
        reverse("software:file_upload", args=[release.pk]),
        {"file": SimpleUploadedFile("setup.zip", INSTALLER), "declared_sha256": "not-a-hash"},
    )
    assert response.status_code == 400
    assert "64" in body(response)
    assert not DeliveredFile.objects.exists()


# --- findings and triage -------------------------------------------------------------------------


def test_release_page_shows_findings_with_badges(analyst_client, finding):
    page = body(analyst_client.get(finding.release.get_absolute_url()))
    assert finding.vulnerability.osv_id in page
    assert 'class="badge high"' in page
    assert f'id="finding-{finding.pk}"' in page


def test_not_affected_needs_a_justification(analyst_client, finding):
    url = reverse("software:finding_triage", args=[finding.pk])
    response = analyst_client.post(url, {"state": VexState.NOT_AFFECTED, "comment": "使っていない"})
    assert response.status_code == 400
    finding.refresh_from_db()
    assert finding.state == VexState.UNDER_INVESTIGATION and finding.comment == ""


def test_triage_without_javascript_redirects_back(analyst_client, finding):
    next_url = finding.release.get_absolute_url()
    response = analyst_client.post(
        reverse("software:finding_triage", args=[finding.pk]),
        {"state": VexState.NOT_AFFECTED, "justification": "vulnerable_code_not_in_execute_path",
         "comment": "管理画面のみ", "next": next_url},
    )
    assert response.status_code == 302 and response.url == next_url
    finding.refresh_from_db()
    assert (finding.state, finding.justification, finding.comment) == (
        VexState.NOT_AFFECTED, "vulnerable_code_not_in_execute_path", "管理画面のみ")


def test_triage_with_htmx_answers_the_row(analyst_client, finding):
    response = analyst_client.post(
        reverse("software:finding_triage", args=[finding.pk]),
        {"state": VexState.AFFECTED, "comment": "更新予定"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = body(response)
    assert html.lstrip().startswith("<tr") and f'id="finding-{finding.pk}"' in html and "<html" not in html
    finding.refresh_from_db()
    assert finding.state == VexState.AFFECTED

    refused = analyst_client.post(
        reverse("software:finding_triage", args=[finding.pk]), {"state": VexState.NOT_AFFECTED},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 200 and 'role="alert"' in body(refused)
    finding.refresh_from_db()
    assert finding.state == VexState.AFFECTED


def test_viewer_cannot_triage(viewer_client, finding):
    response = viewer_client.post(
        reverse("software:finding_triage", args=[finding.pk]), {"state": VexState.AFFECTED}
    )
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.state == VexState.UNDER_INVESTIGATION
    confirm = viewer_client.get(reverse("software:finding_request_response", args=[finding.pk]))
    assert confirm.status_code == 200 and 'id="confirm-request"' not in body(confirm)
    assert viewer_client.post(reverse("software:finding_request_response", args=[finding.pk])).status_code == 403
    finding.refresh_from_db()
    assert finding.response_requested_at is None


def test_limited_user_gets_404_on_another_companys_release(limited_analyst, finding):
    client = logged_in(limited_analyst)
    release = finding.release
    for url in (
        release.get_absolute_url(),
        reverse("software:vex_export", args=[release.pk]),
        reverse("software:release_update", args=[release.pk]),
        finding.get_absolute_url(),
        reverse("software:finding_request_response", args=[finding.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("software:sbom_upload", args=[release.pk]), {"file": SimpleUploadedFile("b.json", b"{}")}),
        (reverse("software:file_upload", args=[release.pk]), {"file": SimpleUploadedFile("f.zip", b"x")}),
        (reverse("software:finding_triage", args=[finding.pk]), {"state": VexState.AFFECTED}),
    ):
        assert client.post(url, data).status_code == 404, url
    finding.refresh_from_db()
    assert finding.state == VexState.UNDER_INVESTIGATION
    assert Sbom.objects.filter(release=release).count() == 1


def test_finding_list_filters_and_hides_resolved(analyst_client, own, release):
    high = make_finding(release, make_vulnerability("PYSEC-A", Severity.HIGH))
    low = make_finding(release, make_vulnerability("PYSEC-B", Severity.LOW), component_name="urllib3")
    gone = make_finding(release, make_vulnerability("PYSEC-C", Severity.CRITICAL), component_name="lodash",
                        resolved=True)
    other_release = make_release(make_product(own, "別製品"))
    upload(other_release)
    other = make_finding(other_release, make_vulnerability("PYSEC-D", Severity.CRITICAL))

    def shown(query: str = "") -> set[int]:
        response = analyst_client.get(reverse("software:finding_list") + query)
        assert response.status_code == 200
        return {obj.pk for obj in response.context["object_list"]}

    assert shown() == {high.pk, low.pk, other.pk}
    assert shown("?severity=high") == {high.pk}
    assert shown(f"?supplier={release.product.supplier_id}") == {high.pk, low.pk}
    assert shown(f"?product={other_release.product_id}") == {other.pk}
    assert shown("?show_resolved=on") == {high.pk, low.pk, gone.pk, other.pk}
    Finding.objects.filter(pk=low.pk).update(state=VexState.NOT_AFFECTED, justification="component_not_present")
    assert shown("?state=not_affected") == {low.pk}
    ordered = [o.pk for o in analyst_client.get(reverse("software:finding_list")).context["object_list"]]
    assert ordered[0] == other.pk  # critical first
    assert shown("?q=PYSEC-A") == {high.pk}


def test_request_response_sends_the_mail(analyst_client, finding, django_capture_on_commit_callbacks):
    f.ContactFactory(organisation=finding.release.product.supplier, email="psirt@vendor.example.jp")
    url = reverse("software:finding_request_response", args=[finding.pk])
    confirm = analyst_client.get(url)
    assert confirm.status_code == 200 and "psirt@vendor.example.jp" in body(confirm)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(url)
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.response_requested_at is not None
    assert len(mail.outbox) == 1 and "psirt@vendor.example.jp" in mail.outbox[0].to


def test_request_response_without_contact_explains(analyst_client, finding):
    response = analyst_client.post(reverse("software:finding_request_response", args=[finding.pk]))
    assert response.status_code == 409
    assert 'id="request-error"' in body(response)
    finding.refresh_from_db()
    assert finding.response_requested_at is None and not mail.outbox


# --- VEX, portfolio search, vulnerabilities --------------------------------------------------------


def test_vex_export_downloads_cyclonedx(analyst_client, finding):
    Finding.objects.filter(pk=finding.pk).update(state=VexState.NOT_AFFECTED, justification="component_not_present")
    response = analyst_client.get(reverse("software:vex_export", args=[finding.release_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.cyclonedx+json"
    assert "attachment" in response["Content-Disposition"]
    document = orjson.loads(response.content)
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.5"
    assert document["vulnerabilities"][0]["id"] == finding.vulnerability.osv_id
    assert document["vulnerabilities"][0]["analysis"]["state"] == "not_affected"


def test_portfolio_search_names_the_supplier(analyst_client, release):
    url = reverse("software:portfolio_search")
    page = body(analyst_client.get(url + "?name=Django"))
    assert release.product.supplier.name in page and "3.2" in page
    assert release.product.supplier.name in body(analyst_client.get(url + "?name=django&ecosystem=PyPI&version_range=<4"))
    assert release.product.supplier.name not in body(analyst_client.get(url + "?name=django&version_range=>=4.0"))
    assert 'id="portfolio-results"' not in body(analyst_client.get(url))


def test_portfolio_search_explains_a_bad_range(analyst_client, release):
    response = analyst_client.get(reverse("software:portfolio_search") + "?name=django&version_range=<<1")
    assert response.status_code == 200
    assert 'role="alert"' in body(response) and 'id="portfolio-results"' not in body(response)


def test_portfolio_search_respects_scope(limited_analyst, release):
    page = body(logged_in(limited_analyst).get(reverse("software:portfolio_search") + "?name=django"))
    assert release.product.supplier.name not in page


def test_vulnerability_page_lists_only_visible_releases(analyst_client, limited_analyst, subsidiary, finding):
    url = finding.vulnerability.get_absolute_url()
    page = body(analyst_client.get(url))
    assert "CVE-2021-0001" in page and finding.release.product.name in page
    assert "https://example.org/advisory" in page and "javascript:alert" not in page
    limited = logged_in(limited_analyst).get(url)
    assert limited.status_code == 200 and finding.release.product.name not in body(limited)


def test_vulnerability_list_searches(analyst_client, own):
    make_vulnerability("PYSEC-2021-1")
    make_vulnerability("GHSA-xxxx-yyyy", aliases=["CVE-2022-9"], summary="XSS")
    response = analyst_client.get(reverse("software:vulnerability_list") + "?q=XSS")
    assert [v.osv_id for v in response.context["object_list"]] == ["GHSA-xxxx-yyyy"]


# --- licence policy ------------------------------------------------------------------------------


def test_licence_policy_lists_violations_on_the_release(analyst_client, own, release):
    url = reverse("software:licence_policy")
    assert analyst_client.get(url).status_code == 200
    response = analyst_client.post(url, {"company": own.pk, "allowed": "MIT\nBSD-3-Clause", "denied": "GPL-2.0-only"})
    assert response.status_code == 302
    policy = LicencePolicy.objects.get(group_company=own)
    assert policy.denied == "GPL-2.0-only"
    page = body(analyst_client.get(release.get_absolute_url()))
    assert 'id="violation-table"' in page and "mysql-connector-java" in page


def test_licence_policy_refuses_a_licence_both_allowed_and_denied(analyst_client, own):
    response = analyst_client.post(reverse("software:licence_policy"), {"company": own.pk, "allowed": "MIT",
                                                                         "denied": "MIT"})
    assert response.status_code == 400
    assert not LicencePolicy.objects.exists()


def test_licence_policy_of_another_company_is_refused(limited_analyst, own, subsidiary):
    client = logged_in(limited_analyst)
    assert client.get(reverse("software:licence_policy") + f"?company={own.pk}").status_code == 404
    response = client.post(reverse("software:licence_policy"), {"company": own.pk, "denied": "GPL-3.0-only"})
    assert response.status_code == 400
    assert not LicencePolicy.objects.exists()


def test_viewer_sees_the_policy_but_cannot_change_it(viewer_client, own):
    LicencePolicy.objects.create(group_company=own, denied="AGPL-3.0-only")
    page = viewer_client.get(reverse("software:licence_policy"))
    assert "AGPL-3.0-only" in body(page) and "<textarea" not in body(page)
    assert viewer_client.post(reverse("software:licence_policy"), {"company": own.pk}).status_code == 403


# --- OSV import ----------------------------------------------------------------------------------

OSV_RECORD = orjson.dumps({
    "id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z", "summary": "test",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "django"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.0"}]}]}],
})


def test_osv_import_upload_starts_an_import(analyst_client, own):
    page = analyst_client.get(reverse("software:osv_import"))
    assert page.status_code == 200 and 'name="path"' not in body(page)  # server paths: administrators only
    response = analyst_client.post(
        reverse("software:osv_import"), {"file": SimpleUploadedFile("PYSEC-2099-1.json", OSV_RECORD)}
    )
    assert response.status_code == 302
    run = OsvImport.objects.get()
    assert response.url == reverse("software:osv_import_detail", args=[run.pk])
    detail = analyst_client.get(response.url)
    assert detail.status_code == 200 and "<progress" in body(detail)


def test_osv_import_progress_fragment_polls_while_running(analyst_client, own):
    run = OsvImport.objects.create(source="all.zip", status="running", total=200, processed=50)
    url = reverse("software:osv_import_detail", args=[run.pk])
    fragment = body(analyst_client.get(url, headers={"HX-Request": "true"}))
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment and 'value="50"' in fragment
    OsvImport.objects.filter(pk=run.pk).update(status="done", processed=200, created_count=200)
    done = body(analyst_client.get(url, headers={"HX-Request": "true"}))
    assert "hx-trigger" not in done and "200" in done


def test_osv_import_needs_a_file_or_path(analyst_client, own):
    response = analyst_client.post(reverse("software:osv_import"), {})
    assert response.status_code == 400
    assert not OsvImport.objects.exists()


def test_server_path_is_for_administrators(analyst_client, admin_user, own, tmp_path):
    refused = analyst_client.post(reverse("software:osv_import"), {"path": str(tmp_path)})
    assert refused.status_code == 403
    (tmp_path / "PYSEC-2099-1.json").write_bytes(OSV_RECORD)
    client = logged_in(admin_user)
    assert 'name="path"' in body(client.get(reverse("software:osv_import")))
    assert client.post(reverse("software:osv_import"), {"path": str(tmp_path)}).status_code == 302
    missing = client.post(reverse("software:osv_import"), {"path": str(tmp_path / "nowhere")})
    assert missing.status_code == 400 and OsvImport.objects.count() == 1


def test_viewer_cannot_import(viewer_client, own):
    response = viewer_client.post(
        reverse("software:osv_import"), {"file": SimpleUploadedFile("x.json", OSV_RECORD)}
    )
    assert response.status_code == 403
    assert not OsvImport.objects.exists()


# --- query counts --------------------------------------------------------------------------------


def add_rows(own: Any, subsidiary: Any, start: int, count: int) -> None:
    """`count` products, each with its own supplier, release, SBOM and findings."""
    for i in range(start, start + count):
        company = own if i % 2 else subsidiary
        release = make_release(make_product(company, f"製品{i:03d}"))
        upload(release, (pypi("django", "3.2"), pypi("urllib3", "1.24.1")))
        release.refresh_from_db()
        make_finding(release, make_vulnerability(f"PYSEC-T-{i}"))
        make_finding(release, make_vulnerability(f"PYSEC-U-{i}", Severity.CRITICAL), component_name="urllib3")


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    ["software:product_list", "software:release_list", "software:finding_list", "software:vulnerability_list",
     "software:osv_import"],
)
def test_list_queries_do_not_grow_with_rows(name, analyst_client, own, subsidiary):
    url = reverse(name)
    add_rows(own, subsidiary, 0, 5)
    with_5 = count_queries(analyst_client, url)
    add_rows(own, subsidiary, 5, 25)
    with_30 = count_queries(analyst_client, url)
    assert with_30 == with_5, f"{url}: {with_5} queries with 5 rows, {with_30} with 30"


def test_release_page_queries_do_not_grow_with_findings(analyst_client, own):
    release = make_release(make_product(own))
    upload(release, tuple(pypi(f"pkg{i}", "1.0") for i in range(40)))
    release.refresh_from_db()
    for i in range(3):
        make_finding(release, make_vulnerability(f"PYSEC-R-{i}"), component_name=f"pkg{i}")
    with_3 = count_queries(analyst_client, release.get_absolute_url())
    for i in range(3, 30):
        make_finding(release, make_vulnerability(f"PYSEC-R-{i}"), component_name=f"pkg{i}")
    assert count_queries(analyst_client, release.get_absolute_url()) == with_3


def test_supplier_page_summary(analyst_client, finding):
    page = body(analyst_client.get(finding.release.product.supplier.get_absolute_url()))
    assert 'id="supplier-software"' in page and finding.release.product.name in page


def test_pages_render_for_every_role(own, finding):
    for role in (Role.ADMIN, Role.ANALYST, Role.CSIRT, Role.VIEWER):
        client = logged_in(f.UserFactory(role=role))
        for url in (
            reverse("software:product_list"), reverse("software:release_list"), reverse("software:finding_list"),
            finding.get_absolute_url(), finding.release.get_absolute_url(), finding.vulnerability.get_absolute_url(),
            reverse("software:portfolio_search") + "?name=django", reverse("software:licence_policy"),
            reverse("software:osv_import"), finding.release.product.get_absolute_url(),
        ):
            assert client.get(url).status_code == 200, (role, url)


# --- the demo data set ---------------------------------------------------------------------------


def test_demo_software_pages(client, db):
    from renkei.accounts.models import User
    from renkei.demo.loader import load_demo_data
    from renkei.software.demo import (
        MISMATCH_FILE_NAME,
        POS_OLD_VERSION,
        POS_PRODUCT_NAME,
        load_software_demo,
        osv_source,
    )

    summary = load_demo_data()
    assert summary.counts["products"] == 4 and summary.counts["releases"] == 5
    client.force_login(User.objects.get(username="demo-analyst"))
    release = Release.objects.get(product__name=POS_PRODUCT_NAME, version=POS_OLD_VERSION)
    page = body(client.get(release.get_absolute_url()))
    assert 'id="integrity-banner"' in page and MISMATCH_FILE_NAME in page
    assert 'id="not-checked-table"' in page and "receipt-printer-driver" in page
    assert 'id="violation-table"' in page and "mysql-connector-java" in page
    search = body(client.get(reverse("software:portfolio_search") + "?name=django"))
    assert release.product.supplier.name in search
    if osv_source() is not None:
        assert Vulnerability.objects.count() > 1000
        assert Finding.objects.filter(release=release, resolved=False).exists()
        assert Finding.objects.filter(severity=Severity.CRITICAL).exists()
        assert Finding.objects.filter(state=VexState.NOT_AFFECTED).exists()
        assert 'class="badge' in body(client.get(reverse("software:finding_list")))
    # Loading again (the registry part is skipped too) changes nothing.
    assert load_software_demo(orgs={}, today=timezone.localdate()) == {}
