"""The software API: uploads, findings and triage, VEX export, portfolio search, the database.

Every endpoint's anonymous / viewer / other-company behaviour is in tests/permissions/ (tests/idor.py);
here are the behaviours themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from renkei.registry.models import ContactRole
from renkei.software import services
from renkei.software.models import Finding, LicencePolicy, Release, Sbom, VexJustification, VexState
from renkei.software.selectors import VEX_JUSTIFICATION, VEX_STATE
from tests import factories as f
from tests.software.factories import (
    ComponentFactory,
    FindingFactory,
    OsvImportFactory,
    ProductFactory,
    ReleaseFactory,
    SbomFactory,
    VulnerabilityFactory,
    osv_bytes,
    osv_record,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/software"
CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def cyclonedx(*packages: tuple[str, str, str], extra: list[dict[str, Any]] | None = None) -> bytes:
    components = [
        {"type": "library", "bom-ref": f"ref-{n}", "name": n, "version": v, "purl": f"pkg:{t}/{n}@{v}"}
        for t, n, v in packages
    ]
    return orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                         "components": components + (extra or [])})


@pytest.fixture
def release(analyst: Any) -> Release:
    product = ProductFactory(name="会計クラウド", responsible=analyst)
    return ReleaseFactory(product=product, version="5.1")


@pytest.fixture
def database(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    for record in (
        osv_record("PYSEC-2099-1", package="requests", fixed="2.1.0", cvss=CRITICAL, aliases=["CVE-2099-1"]),
        osv_record("PYSEC-2099-2", package="jinja2", fixed="3.0.0", cvss=None),
    ):
        (folder / f"{record['id']}.json").write_bytes(osv_bytes(record))
    run = services.osv_import_start(user=None, paths=[str(folder)], enqueue=False)
    services.osv_import_run(import_id=run.pk, recompute=False)


def post_sbom(client: Client, release: Release, data: bytes, name: str = "bom.json", **extra: Any) -> Any:
    return client.post(f"{API}/releases/{release.pk}/sboms", {"file": SimpleUploadedFile(name, data)}, **extra)


# --- uploads -------------------------------------------------------------------------------------


def test_sbom_upload_then_findings(
    analyst_client: Client, release: Release, database: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_sbom(analyst_client, release,
                             cyclonedx(("pypi", "requests", "2.0.0"), ("pypi", "Jinja2", "2.11")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["component_count"], body["format"], body["spec_version"], body["is_current"]) == (
        2, "cyclonedx-json", "1.5", True
    )
    findings = analyst_client.get(f"{API}/findings", {"release_id": release.pk}).json()
    assert findings["count"] == 2
    first = findings["items"][0]  # the most severe first
    assert (first["vulnerability"], first["severity"], first["aliases"], first["component_name"]) == (
        "PYSEC-2099-1", "critical", ["CVE-2099-1"], "requests"
    )
    assert first["supplier_name"] == release.product.supplier.name and first["state"] == "under_investigation"
    assert len(mail.outbox) == 1  # the responsible analyst, about the critical one

    by_alias = analyst_client.get(f"{API}/findings", {"vulnerability": "CVE-2099-1"}).json()
    assert [i["vulnerability"] for i in by_alias["items"]] == ["PYSEC-2099-1"]
    unknown = analyst_client.get(f"{API}/findings", {"severity": "unknown"}).json()
    assert [i["vulnerability"] for i in unknown["items"]] == ["PYSEC-2099-2"]

    components = analyst_client.get(f"{API}/releases/{release.pk}/components", {"q": "jinja"}).json()
    assert [c["name"] for c in components["items"]] == ["jinja2"]  # as the purl spells it


def test_invalid_sbom_answers_400_naming_the_field(analyst_client: Client, release: Release) -> None:
    document = orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5",
                             "components": [{"type": "library", "name": "a", "purl": "pkg:pypi/"}]})
    response = post_sbom(analyst_client, release, document)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "file"
    assert "components[0]" in body["message"]
    assert not Sbom.objects.exists()


def test_huge_upload_is_refused_by_its_declared_length(analyst_client: Client, release: Release) -> None:
    # The declared length says 200 MB: refused before Django reads (or spools) the body.
    response = post_sbom(analyst_client, release, b"{}", CONTENT_LENGTH=str(200 * 2**20))
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert not Sbom.objects.exists()


def test_upload_without_a_file(analyst_client: Client, release: Release) -> None:
    response = analyst_client.post(f"{API}/releases/{release.pk}/sboms", {"other": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_upload_permissions(viewer_client: Client, release: Release, limited_analyst: Any, client: Client) -> None:
    assert post_sbom(viewer_client, release, cyclonedx()).status_code == 403
    client.force_login(limited_analyst)
    response = post_sbom(client, release, cyclonedx())
    assert response.status_code == 404 and response.json()["message"]
    assert not Sbom.objects.exists()


def test_delivered_file_integrity(analyst_client: Client, release: Release) -> None:
    response = analyst_client.post(
        f"{API}/releases/{release.pk}/files",
        {"file": SimpleUploadedFile("setup.exe", b"MZ..."), "declared_sha256": "f" * 64},
    )
    assert response.status_code == 201
    assert (response.json()["integrity"], response.json()["declared_by"]) == ("mismatch", "supplier")
    overview = analyst_client.get(f"{API}/releases/{release.pk}/overview").json()
    assert overview["integrity_ok"] is False and overview["mismatched_file_ids"] == [response.json()["id"]]
    files = analyst_client.get(f"{API}/releases/{release.pk}/files").json()
    assert [x["name"] for x in files] == ["setup.exe"]
    bad = analyst_client.post(
        f"{API}/releases/{release.pk}/files", {"file": SimpleUploadedFile("a", b"x"), "declared_sha256": "zz"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "declared_sha256"


def test_release_overview_lists_components_not_checked(analyst_client: Client, release: Release) -> None:
    data = cyclonedx(("pypi", "requests", "2.0.0"), ("github", "tool", "1.0"), ("npm", "odd", "latest"))
    assert post_sbom(analyst_client, release, data).status_code == 201
    overview = analyst_client.get(f"{API}/releases/{release.pk}/overview").json()
    assert overview["component_count"] == 3 and overview["current_sbom"]["component_count"] == 3
    assert {n["name"] for n in overview["not_checked"]} == {"tool", "odd"}
    assert all(n["reason"] for n in overview["not_checked"])


def test_licence_violations(analyst_client: Client, release: Release, own: Any) -> None:
    extra = [{"type": "library", "name": "gpl-lib", "version": "1", "purl": "pkg:pypi/gpl-lib@1",
              "licenses": [{"license": {"id": "GPL-3.0-only"}}]},
             {"type": "library", "name": "dual", "version": "1", "purl": "pkg:pypi/dual@1",
              "licenses": [{"expression": "GPL-3.0-only OR MIT"}]}]
    assert post_sbom(analyst_client, release, cyclonedx(extra=extra)).status_code == 201
    assert analyst_client.get(f"{API}/releases/{release.pk}/licence-violations").json() == []
    LicencePolicy.objects.create(group_company=own, denied="GPL-3.0-only")
    rows = analyst_client.get(f"{API}/releases/{release.pk}/licence-violations").json()
    assert [(r["name"], r["violations"]) for r in rows] == [("gpl-lib", ["GPL-3.0-only"])]
    assert analyst_client.get(f"{API}/releases/{release.pk}/overview").json()["licence_violation_count"] == 1


# --- triage and requests -------------------------------------------------------------------------


def test_triage(analyst_client: Client) -> None:
    finding = FindingFactory()
    url = f"{API}/findings/{finding.pk}"
    refused = analyst_client.patch(url, {"state": "not_affected"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "justification"
    invalid = analyst_client.patch(url, {"state": "maybe"}, content_type="application/json")
    assert invalid.status_code == 422
    ok = analyst_client.patch(
        url,
        {"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "comment": "未使用"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert (ok.json()["state"], ok.json()["justification"], ok.json()["comment"]) == (
        "not_affected", "vulnerable_code_not_in_execute_path", "未使用"
    )


def test_request_response(analyst_client: Client) -> None:
    finding = FindingFactory()
    url = f"{API}/findings/{finding.pk}/request-response"
    missing = analyst_client.post(url)
    assert missing.status_code == 409 and missing.json()["errors"][0]["field"] == "contacts"
    f.ContactFactory(organisation=finding.release.product.supplier, role=ContactRole.SECURITY)
    response = analyst_client.post(url)
    assert response.status_code == 200 and response.json()["response_requested_at"]
    assert len(mail.outbox) == 1


# --- VEX -----------------------------------------------------------------------------------------


def test_vex_document(analyst_client: Client, release: Release) -> None:
    sbom = SbomFactory(release=release)
    requests = ComponentFactory(sbom=sbom, name="requests", ref="comp-requests")
    urllib3 = ComponentFactory(sbom=sbom, name="urllib3", ref="")
    vulnerability = VulnerabilityFactory(osv_id="PYSEC-2099-9", aliases=["CVE-2099-9"], cvss_score=9.8,
                                         cvss_vector=CRITICAL, severity="critical")
    FindingFactory(component=requests, vulnerability=vulnerability, state=VexState.NOT_AFFECTED,
                   justification=VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH, comment="呼び出しなし")
    FindingFactory(component=urllib3, vulnerability=vulnerability, state=VexState.AFFECTED)
    FindingFactory(component=urllib3, resolved=True)  # no longer matched: left out
    response = analyst_client.get(f"{API}/releases/{release.pk}/vex")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.cyclonedx+json")
    document = response.json()
    assert (document["bomFormat"], document["specVersion"], document["version"]) == ("CycloneDX", "1.5", 1)
    assert document["serialNumber"].startswith("urn:uuid:")
    assert document["metadata"]["component"]["name"] == "会計クラウド"
    assert document["metadata"]["component"]["version"] == "5.1"
    refs = {c["bom-ref"]: c for c in document["components"]}
    assert refs["comp-requests"]["purl"] == "pkg:pypi/requests@2.0.0"
    vulnerabilities = document["vulnerabilities"]
    assert len(vulnerabilities) == 2 and {v["id"] for v in vulnerabilities} == {"PYSEC-2099-9"}
    by_state = {v["analysis"]["state"]: v for v in vulnerabilities}
    not_affected = by_state["not_affected"]
    assert not_affected["analysis"]["justification"] == "code_not_reachable"
    assert not_affected["analysis"]["detail"] == "呼び出しなし"
    assert not_affected["affects"] == [{"ref": "comp-requests"}]
    assert not_affected["source"] == {"name": "OSV", "url": "https://osv.dev/vulnerability/PYSEC-2099-9"}
    assert not_affected["references"][0]["id"] == "CVE-2099-9"
    (rating,) = not_affected["ratings"]
    assert rating == {"source": not_affected["source"], "severity": "critical", "score": 9.8, "method": "CVSSv31",
                      "vector": CRITICAL}
    exploitable = by_state["exploitable"]
    assert "justification" not in exploitable["analysis"]
    assert exploitable["affects"][0]["ref"] in refs  # a ref made up for a component without one resolves too


def test_vex_state_and_justification_mappings_are_complete() -> None:
    cyclonedx_states = {"resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive",
                        "not_affected"}
    cyclonedx_justifications = {
        "code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency",
        "requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter",
        "protected_by_mitigating_control",
    }
    assert set(VEX_STATE) == set(VexState.values) and set(VEX_STATE.values()) <= cyclonedx_states
    assert set(VEX_JUSTIFICATION) == set(VexJustification.values)
    assert set(VEX_JUSTIFICATION.values()) <= cyclonedx_justifications
    assert VEX_STATE["under_investigation"] == "in_triage" and VEX_STATE["fixed"] == "resolved"


# --- portfolio search ----------------------------------------------------------------------------


@pytest.fixture
def portfolio(own: Any, subsidiary: Any) -> dict[str, Any]:
    """requests 2.0.0 and 2.31.0 in two releases, Django 4.2 in a third, and the subsidiary's own."""
    out = {}
    for key, name, version in (("old", "requests", "2.0.0"), ("new", "Requests", "2.31.0"), ("dj", "Django", "4.2")):
        sbom = SbomFactory()
        out[key] = ComponentFactory(sbom=sbom, name=name, normalised_name=name.lower(), version=version)
    # An older SBOM of the first release no longer counts.
    stale = SbomFactory(release=out["old"].sbom.release, make_current=False)
    ComponentFactory(sbom=stale, name="requests", version="1.0.0")
    supplier = f.OrganisationFactory(group_company=subsidiary)
    sbom = SbomFactory(release=ReleaseFactory(product=ProductFactory(supplier=supplier)))
    out["theirs"] = ComponentFactory(sbom=sbom, name="requests", version="2.0.1")
    return out


def test_portfolio_search(analyst_client: Client, portfolio: dict[str, Any]) -> None:
    body = analyst_client.get(f"{API}/portfolio", {"name": "REQUESTS"}).json()
    assert {i["component_id"] for i in body["items"]} == {portfolio[k].pk for k in ("old", "new", "theirs")}
    assert (body["components"], body["releases"], body["suppliers"]) == (3, 3, 3)
    item = next(i for i in body["items"] if i["component_id"] == portfolio["old"].pk)
    release = portfolio["old"].sbom.release
    assert (item["release_id"], item["product_name"], item["supplier_name"]) == (
        release.pk, release.product.name, release.product.supplier.name
    )

    ranged = analyst_client.get(f"{API}/portfolio", {"name": "requests", "version_range": ">=2.0.1,<3"}).json()
    assert {i["component_id"] for i in ranged["items"]} == {portfolio["new"].pk, portfolio["theirs"].pk}
    by_purl = analyst_client.get(f"{API}/portfolio", {"name": "pkg:pypi/requests@2.0.0"}).json()
    assert [i["component_id"] for i in by_purl["items"]] == [portfolio["old"].pk]
    npm = analyst_client.get(f"{API}/portfolio", {"name": "requests", "ecosystem": "npm"}).json()
    assert npm["items"] == []


def test_portfolio_search_respects_scope(client: Client, limited_analyst: Any, portfolio: dict[str, Any]) -> None:
    client.force_login(limited_analyst)
    body = client.get(f"{API}/portfolio", {"name": "requests"}).json()
    assert [i["component_id"] for i in body["items"]] == [portfolio["theirs"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"name": "requests", "version_range": ">=1.0,<<2"}, "version_range"),
     ({"name": "requests", "ecosystem": "CPAN"}, "ecosystem"),
     ({"name": " "}, "name")],
)
def test_portfolio_search_bad_input(analyst_client: Client, params: dict[str, str], field: str) -> None:
    response = analyst_client.get(f"{API}/portfolio", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


# --- the vulnerability database ------------------------------------------------------------------


def test_vulnerabilities_and_imports(viewer_client: Client, database: None) -> None:
    listed = viewer_client.get(f"{API}/vulnerabilities", {"q": "CVE-2099-1"}).json()
    assert [v["osv_id"] for v in listed["items"]] == ["PYSEC-2099-1"]
    assert viewer_client.get(f"{API}/vulnerabilities", {"package": "jinja2"}).json()["count"] == 1
    detail = viewer_client.get(f"{API}/vulnerabilities/{listed['items'][0]['id']}").json()
    assert detail["severity"] == "critical" and detail["affected"][0]["name"] == "requests"
    assert viewer_client.get(f"{API}/vulnerabilities/999999").status_code == 404
    run = OsvImportFactory(status="running", total=100, processed=40)
    status = viewer_client.get(f"{API}/osv-imports/{run.pk}").json()
    assert (status["status"], status["processed"], status["total"]) == ("running", 40, 100)
    assert viewer_client.get(f"{API}/osv-imports").json()["count"] == 2


def test_finding_list_hides_resolved_unless_asked(analyst_client: Client) -> None:
    FindingFactory()
    FindingFactory(resolved=True)
    assert analyst_client.get(f"{API}/findings").json()["count"] == 1
    assert analyst_client.get(f"{API}/findings", {"include_resolved": "true"}).json()["count"] == 2
    assert Finding.objects.count() == 2
