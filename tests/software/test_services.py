"""Software services: products, releases, SBOM upload, delivered files, triage, supplier requests,
licence policy, the OSV import and the findings recomputation."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from renkei.core.errors import RenkeiError
from renkei.core.permissions import Role
from renkei.registry.models import ContactRole
from renkei.software.findings import services as findings_services
from renkei.software.licences import services as licences_services
from renkei.software.models import (
    Component,
    ComponentDependency,
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
    VulnerabilityAlias,
)
from renkei.software.portfolio import services as portfolio_services
from renkei.software.sbom import services as sbom_services
from renkei.software.vulndb import services as vulndb_services
from tests import factories as f
from tests.software import sbom_samples
from tests.software.factories import (
    FindingFactory,
    ProductFactory,
    ReleaseFactory,
    osv_bytes,
    osv_record,
)

pytestmark = pytest.mark.django_db

OSV_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv"
CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"  # 5.4


# --- helpers -------------------------------------------------------------------------------------


def cyclonedx(*packages: tuple[str, str, str]) -> bytes:
    """A CycloneDX 1.5 JSON SBOM of (purl type, name, version) packages."""
    components = [
        {"type": "library", "bom-ref": f"pkg:{t}/{n}@{v}", "name": n, "version": v, "purl": f"pkg:{t}/{n}@{v}"}
        for t, n, v in packages
    ]
    return orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components})


def upload(data: bytes, name: str = "bom.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


def write_records(directory: Path, *records: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for record in records:
        (directory / f"{record['id']}.json").write_bytes(osv_bytes(record))
    return directory


def import_paths(*paths: Path) -> OsvImport:
    run = vulndb_services.osv_import_start(user=None, paths=[str(p) for p in paths], enqueue=False)
    return vulndb_services.osv_import_run(import_id=run.pk, recompute=False)


@pytest.fixture
def release(analyst: Any) -> Release:
    supplier = f.OrganisationFactory(name="ベンダー株式会社")
    f.ContactFactory(organisation=supplier, role=ContactRole.SECURITY, email="psirt@vendor.example.jp")
    product = ProductFactory(supplier=supplier, name="販売管理", responsible=analyst)
    return ReleaseFactory(product=product, version="3.0")


def upload_sbom(user: Any, release: Release, data: bytes, django_capture_on_commit_callbacks: Any) -> Sbom:
    """Upload and run the on-commit hooks (the findings recomputation runs in the immediate backend)."""
    with django_capture_on_commit_callbacks(execute=True):
        return sbom_services.sbom_upload(user=user, release=release, uploaded_file=upload(data))


# --- products and releases -----------------------------------------------------------------------


def test_product_save_defaults_to_the_users_group_company(analyst: Any, own: Any) -> None:
    supplier = f.OrganisationFactory()
    product = portfolio_services.product_save(user=analyst, product=Product(supplier=supplier, name=" 会計 "))
    assert (product.group_company_id, product.name) == (own.pk, "会計")
    assert LogEntry.objects.get_for_object(product).count() == 1


def test_product_supplier_must_be_visible(limited_analyst: Any, own: Any) -> None:
    hidden = f.OrganisationFactory(group_company=own)
    with pytest.raises(RenkeiError) as exc:
        portfolio_services.product_save(user=limited_analyst, product=Product(supplier=hidden, name="x"))
    assert exc.value.field_name == "supplier"
    assert not Product.objects.exists()


def test_viewer_may_not_save_a_product(viewer: Any) -> None:
    with pytest.raises(PermissionDenied):
        portfolio_services.product_save(user=viewer, product=Product(supplier=f.OrganisationFactory(), name="x"))


def test_moving_a_product_moves_its_records(admin_user: Any, subsidiary: Any) -> None:
    finding = FindingFactory()
    product = finding.release.product
    product.group_company = subsidiary
    portfolio_services.product_save(user=admin_user, product=product)
    assert Release.objects.get().group_company_id == subsidiary.pk
    assert Sbom.objects.get().group_company_id == subsidiary.pk
    assert Finding.objects.get().group_company_id == subsidiary.pk


def test_release_takes_its_products_company_and_stays_with_it(analyst: Any, subsidiary: Any) -> None:
    product = ProductFactory(supplier=f.OrganisationFactory(group_company=subsidiary))
    release = portfolio_services.release_save(user=analyst, release=Release(product=product, version=" 1.0 "))
    assert (release.group_company_id, release.version) == (subsidiary.pk, "1.0")
    release.product = ProductFactory()
    with pytest.raises(RenkeiError) as exc:
        portfolio_services.release_save(user=analyst, release=release)
    assert exc.value.field_name == "product"


# --- SBOM upload ---------------------------------------------------------------------------------


def test_sbom_upload_stores_components_and_dependencies(
    analyst: Any, release: Release, django_capture_on_commit_callbacks: Any
) -> None:
    data = sbom_samples.to_json(sbom_samples.cyclonedx())
    with django_capture_on_commit_callbacks() as callbacks:
        sbom = sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(data, "shop.cdx.json"))
    assert len(callbacks) == 1  # one findings recomputation queued for the release
    release.refresh_from_db()
    assert release.current_sbom_id == sbom.pk
    assert (sbom.format, sbom.spec_version, sbom.component_count) == ("cyclonedx-json", "1.5", 7)
    assert sbom.file.read() == data
    assert sbom.file_hashes == {"shop-frontend-2.1.0.tar.gz": sbom_samples.SHA256_FILE}
    django = Component.objects.get(sbom=sbom, ecosystem="PyPI")
    assert (django.name, django.normalised_name, django.version) == ("django", "django", "4.2.1")
    assert django.licences == "BSD-3-Clause" and django.hashes["sha256"] == sbom_samples.SHA256_DJANGO
    log4j = Component.objects.get(sbom=sbom, ecosystem="Maven")
    assert log4j.name == "org.apache.logging.log4j:log4j-core"
    edges = {(d.parent.ref, d.child.ref) for d in ComponentDependency.objects.filter(sbom=sbom)}
    assert edges == {("pkg:pypi/django@4.2.1", "log4j"), ("pkg:pypi/django@4.2.1", "angular"), ("bundle", "lodash")}
    assert LogEntry.objects.get_for_object(sbom).count() == 1


def test_the_newest_sbom_is_current(analyst: Any, release: Release) -> None:
    first = sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(cyclonedx(("pypi", "a", "1"))))
    second = sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(cyclonedx(("pypi", "b", "1"))))
    release.refresh_from_db()
    assert release.current_sbom_id == second.pk != first.pk


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [', "line"),
        (orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.1", "components": []}), "1.1"),
        (orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library"}]}),
         "components[0]"),
        (b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "boom">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5">'
         b"&x;</bom>", ""),
    ],
    ids=["malformed-json", "wrong-spec-version", "missing-name", "xml-entity"],
)
def test_invalid_sbom_is_refused_whole(analyst: Any, release: Release, data: bytes, expected: str, settings: Any) -> None:
    with pytest.raises(RenkeiError) as exc:
        sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(data))
    assert exc.value.field_name == "file"
    assert expected in exc.value.message
    assert not Sbom.objects.exists() and not Component.objects.exists()
    sboms = Path(settings.MEDIA_ROOT) / "sboms"
    assert not sboms.exists() or not any(sboms.rglob("*.*"))


def test_huge_sbom_is_refused_by_size_before_reading(analyst: Any, release: Release) -> None:
    class HugeUpload:
        """Declares 200 MB; reading it would fail the test."""

        name = "huge.json"
        size = 200 * 2**20

        def read(self, *args: Any) -> bytes:
            raise AssertionError("the upload was read")

        def seek(self, *args: Any) -> None:
            raise AssertionError("the upload was touched")

    big = HugeUpload()
    with pytest.raises(RenkeiError) as exc:
        sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=big)
    assert exc.value.status == 413
    assert not Sbom.objects.exists()


def test_sbom_larger_than_declared_is_refused(analyst: Any, release: Release, settings: Any) -> None:
    settings.RENKEI_MAX_SBOM_BYTES = 100
    lying = upload(cyclonedx(*[("pypi", f"p{i}", "1.0") for i in range(10)]))
    lying.size = 10
    with pytest.raises(RenkeiError) as exc:
        sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=lying)
    assert exc.value.status == 413


def test_sbom_upload_checks_the_releases_company(limited_analyst: Any, release: Release) -> None:
    with pytest.raises(RenkeiError) as exc:
        sbom_services.sbom_upload(user=limited_analyst, release=release, uploaded_file=upload(cyclonedx()))
    assert exc.value.status == 403


# --- delivered files -----------------------------------------------------------------------------


def _sbom_declaring(name: str, sha256: str) -> bytes:
    return orjson.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "file", "bom-ref": "f", "name": name, "hashes": [{"alg": "SHA-256", "content": sha256}]}],
    })


def test_delivered_file_is_compared_with_the_sbom(analyst: Any, release: Release) -> None:
    import hashlib

    content = b"release archive"
    digest = hashlib.sha256(content).hexdigest()
    sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(_sbom_declaring("app.tar.gz", digest)))
    release.refresh_from_db()
    good = sbom_services.delivered_file_add(user=analyst, release=release, uploaded_file=upload(content, "app.tar.gz"))
    assert (good.sha256, good.declared_by, good.integrity, good.size) == (digest, "sbom", IntegrityState.MATCH, 15)
    other = sbom_services.delivered_file_add(user=analyst, release=release, uploaded_file=upload(b"x", "readme.txt"))
    assert other.integrity == IntegrityState.UNDECLARED
    assert good.file.read() == content


def test_supplier_declared_hash_mismatch(analyst: Any, release: Release) -> None:
    delivered = sbom_services.delivered_file_add(
        user=analyst, release=release, uploaded_file=upload(b"tampered", "app.zip"), declared_sha256="SHA256:" + "A" * 64
    )
    assert (delivered.declared_sha256, delivered.declared_by) == ("a" * 64, "supplier")
    assert delivered.integrity == IntegrityState.MISMATCH


def test_file_uploaded_before_the_sbom_is_checked_when_it_arrives(analyst: Any, release: Release) -> None:
    delivered = sbom_services.delivered_file_add(user=analyst, release=release, uploaded_file=upload(b"abc", "app.tar.gz"))
    assert delivered.integrity == IntegrityState.UNDECLARED
    sbom_services.sbom_upload(user=analyst, release=release, uploaded_file=upload(_sbom_declaring("dist/app.tar.gz", "0" * 64)))
    delivered.refresh_from_db()
    assert (delivered.integrity, delivered.declared_by) == (IntegrityState.MISMATCH, "sbom")


def test_bad_declared_hash_is_refused(analyst: Any, release: Release) -> None:
    with pytest.raises(RenkeiError) as exc:
        sbom_services.delivered_file_add(user=analyst, release=release, uploaded_file=upload(b"x"), declared_sha256="abc")
    assert exc.value.field_name == "declared_sha256"
    assert not DeliveredFile.objects.exists()


def test_oversized_delivered_file_is_refused(analyst: Any, release: Release, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 4
    with pytest.raises(RenkeiError) as exc:
        sbom_services.delivered_file_add(user=analyst, release=release, uploaded_file=upload(b"12345"))
    assert exc.value.status == 413
    assert not DeliveredFile.objects.exists()


# --- triage and supplier requests ----------------------------------------------------------------


def test_triage_not_affected_needs_a_justification(analyst: Any) -> None:
    finding = FindingFactory()
    with pytest.raises(RenkeiError) as exc:
        findings_services.finding_triage(user=analyst, finding=finding, state=VexState.NOT_AFFECTED)
    assert exc.value.field_name == "justification"
    findings_services.finding_triage(
        user=analyst, finding=finding, state=VexState.NOT_AFFECTED,
        justification="vulnerable_code_not_in_execute_path", comment="管理画面のみで使用",
    )
    finding.refresh_from_db()
    assert (finding.state, finding.justification, finding.comment) == (
        "not_affected", "vulnerable_code_not_in_execute_path", "管理画面のみで使用"
    )
    assert LogEntry.objects.get_for_object(finding).filter(action=LogEntry.Action.UPDATE).count() == 1
    # Another state carries no justification.
    findings_services.finding_triage(user=analyst, finding=finding, state=VexState.AFFECTED, justification="x")
    finding.refresh_from_db()
    assert (finding.state, finding.justification) == ("affected", "")


def test_triage_refuses_unknown_values_and_viewers(analyst: Any, viewer: Any) -> None:
    finding = FindingFactory()
    with pytest.raises(RenkeiError):
        findings_services.finding_triage(user=analyst, finding=finding, state="maybe")
    with pytest.raises(RenkeiError):
        findings_services.finding_triage(user=analyst, finding=finding, state="not_affected", justification="because")
    with pytest.raises(PermissionDenied):
        findings_services.finding_triage(user=viewer, finding=finding, state="affected")


def test_request_response_mails_the_suppliers_security_contacts(
    analyst: Any, release: Release, django_capture_on_commit_callbacks: Any
) -> None:
    finding = FindingFactory(component__sbom__release=release, vulnerability__aliases=["CVE-2099-1"])
    f.ContactFactory(organisation=release.product.supplier, role=ContactRole.INCIDENT, email="cert@vendor.example.jp")
    f.ContactFactory(organisation=release.product.supplier, role=ContactRole.BUSINESS, email="sales@vendor.example.jp")
    with django_capture_on_commit_callbacks() as callbacks:
        findings_services.finding_request_response(user=analyst, finding=finding)
    # The e-mail waits for the commit.
    assert not mail.outbox
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert sorted(message.to) == ["cert@vendor.example.jp", "psirt@vendor.example.jp"]
    assert message.reply_to == [analyst.email]
    assert finding.vulnerability.osv_id in message.subject and "CVE-2099-1" in message.body
    # Japanese first, then English.
    assert message.body.index("販売管理") < message.body.rindex("Please tell us whether the product is affected")
    finding.refresh_from_db()
    assert finding.response_requested_at is not None


def test_request_response_without_contacts_is_a_clear_error(analyst: Any) -> None:
    finding = FindingFactory()
    with pytest.raises(RenkeiError) as exc:
        findings_services.finding_request_response(user=analyst, finding=finding)
    assert exc.value.status == 409
    assert not mail.outbox
    finding.refresh_from_db()
    assert finding.response_requested_at is None


# --- licence policy ------------------------------------------------------------------------------


def test_licence_policy_is_cleaned_and_checked(analyst: Any, own: Any) -> None:
    policy = licences_services.licence_policy_save(
        user=analyst, policy=LicencePolicy(allowed="MIT\n MIT\r\nApache-2.0, BSD-3-Clause\n", denied="GPL-3.0-only")
    )
    assert (policy.group_company_id, policy.allowed) == (own.pk, "MIT\nApache-2.0\nBSD-3-Clause")
    with pytest.raises(RenkeiError) as exc:
        licences_services.licence_policy_save(user=analyst, policy=LicencePolicy(pk=policy.pk, allowed="MIT", denied="mit"))
    assert exc.value.field_name == "denied"


# --- OSV import ----------------------------------------------------------------------------------


def test_osv_import_is_incremental_by_modified(tmp_path: Path) -> None:
    folder = write_records(
        tmp_path / "osv",
        osv_record("PYSEC-2099-1", aliases=["CVE-2099-1"], cvss=CRITICAL),
        osv_record("PYSEC-2099-2", package="Flask_Login", cvss=None),
    )
    run = import_paths(folder)
    assert (run.status, run.total, run.created_count, run.updated_count, run.skipped_count) == ("done", 2, 2, 0, 0)
    first = Vulnerability.objects.get(osv_id="PYSEC-2099-1")
    assert (first.severity, first.cvss_score, first.aliases) == (Severity.CRITICAL, 9.8, ["CVE-2099-1"])
    assert set(VulnerabilityAlias.objects.values_list("alias", flat=True)) == {"PYSEC-2099-1", "CVE-2099-1", "PYSEC-2099-2"}
    assert set(first.packages.values_list("ecosystem", "name")) == {("PyPI", "requests")}
    assert Vulnerability.objects.get(osv_id="PYSEC-2099-2").packages.get().name == "flask-login"

    again = import_paths(folder)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)

    write_records(folder, osv_record("PYSEC-2099-1", aliases=["CVE-2099-1"], fixed="2.2.0", cvss=MEDIUM,
                                     modified="2024-06-01T00:00:00Z"))
    newer = import_paths(folder)
    assert (newer.created_count, newer.updated_count, newer.skipped_count) == (0, 1, 1)
    first.refresh_from_db()
    assert first.severity == Severity.MEDIUM
    assert first.affected[0]["ranges"][0]["events"][1] == {"fixed": "2.2.0"}


def test_aliases_collapse_into_one_vulnerability(tmp_path: Path) -> None:
    import_paths(write_records(tmp_path / "a", osv_record("PYSEC-2099-5", aliases=["CVE-2099-5"], fixed="1.5")))
    # The GitHub advisory of the same CVE, older, for another package range: kept beside the first.
    run = import_paths(write_records(
        tmp_path / "b",
        osv_record("GHSA-aaaa-bbbb-cccc", aliases=["CVE-2099-5"], package="urllib3", fixed="1.26.5",
                   modified="2023-01-01T00:00:00Z"),
    ))
    assert (run.created_count, run.updated_count) == (0, 1)
    vulnerability = Vulnerability.objects.get()
    assert vulnerability.osv_id == "PYSEC-2099-5"
    assert set(vulnerability.aliases) == {"CVE-2099-5", "GHSA-aaaa-bbbb-cccc"}
    assert {a["name"] for a in vulnerability.affected} == {"requests", "urllib3"}
    assert VulnerabilityAlias.objects.get(alias="GHSA-aaaa-bbbb-cccc").vulnerability == vulnerability
    # Re-importing the older record changes nothing: each record's `modified` is remembered.
    again = import_paths(tmp_path / "b")
    assert again.skipped_count == 1


def test_withdrawn_record_stops_matching(tmp_path: Path) -> None:
    import_paths(write_records(tmp_path, osv_record("PYSEC-2099-7")))
    import_paths(write_records(tmp_path, osv_record("PYSEC-2099-7", modified="2024-02-01T00:00:00Z",
                                                    withdrawn="2024-02-01T00:00:00Z")))
    vulnerability = Vulnerability.objects.get()
    assert vulnerability.withdrawn is not None and vulnerability.affected == []


def test_one_invalid_record_fails_the_import_and_saves_nothing(tmp_path: Path) -> None:
    folder = write_records(tmp_path, osv_record("PYSEC-2099-1"))
    (tmp_path / "broken.json").write_bytes(b'{"id": "PYSEC-2099-2", "modified": "yesterday"}')
    run = import_paths(folder)
    assert run.status == "failed"
    assert "broken.json" in run.error and "modified" in run.error
    assert not Vulnerability.objects.exists()


def test_osv_import_start_checks_paths_and_permissions(
    tmp_path: Path, analyst: Any, admin_user: Any, limited_analyst: Any, viewer: Any
) -> None:
    with pytest.raises(RenkeiError) as exc:
        vulndb_services.osv_import_start(user=None, paths=[str(tmp_path / "missing")])
    assert exc.value.field_name == "paths"
    with pytest.raises(PermissionDenied):
        vulndb_services.osv_import_start(user=analyst, paths=[str(tmp_path)])  # server paths: administrators
    vulndb_services.osv_import_start(user=admin_user, paths=[str(tmp_path)], enqueue=False)
    zipped = upload(b"PK\x05\x06" + b"\0" * 18, "osv.zip")
    with pytest.raises(PermissionDenied):
        vulndb_services.osv_import_start(user=viewer, uploaded_file=zipped)
    with pytest.raises(RenkeiError) as exc:
        vulndb_services.osv_import_start(user=limited_analyst, uploaded_file=zipped)
    assert exc.value.status == 403
    with pytest.raises(RenkeiError):
        vulndb_services.osv_import_start(user=analyst, uploaded_file=upload(b"x", "osv.exe"))
    with pytest.raises(RenkeiError):
        vulndb_services.osv_import_start(user=analyst)


def test_uploaded_zip_is_kept_for_the_worker_and_imported(
    tmp_path: Path, analyst: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(3):
            zf.writestr(f"PYSEC-2099-{i}.json", osv_bytes(osv_record(f"PYSEC-2099-{i}")))
    with django_capture_on_commit_callbacks() as callbacks:
        run = vulndb_services.osv_import_start(user=analyst, uploaded_file=upload(archive.read_bytes(), "all.zip"))
    assert run.status == "queued" and run.started_by == analyst
    stored = Path(settings.MEDIA_ROOT) / run.file.name
    assert run.file.name.startswith("osv-imports/") and stored.exists()
    for callback in callbacks:
        callback()  # the immediate task backend runs the import now
    run.refresh_from_db()
    assert (run.status, run.created_count, run.processed) == ("done", 3, 3)
    assert not stored.exists()  # the archive is removed once imported


def test_real_advisories_import(tmp_path: Path) -> None:
    source = OSV_DATA / "PyPI" / "django"
    if not source.is_dir():
        pytest.skip(f"shared OSV data not found at {OSV_DATA}")
    folder = tmp_path / "osv"
    shutil.copytree(source, folder / "django")
    shutil.copytree(OSV_DATA / "PyPI" / "apache-skywalking", folder / "apache-skywalking")
    run = import_paths(folder)
    assert run.status == "done", run.error
    records = len(list(folder.rglob("*.yaml")))
    assert run.total == records and run.created_count + run.updated_count == records
    known = Vulnerability.objects.get(osv_id="PYSEC-2023-61")
    assert known.aliases == ["CVE-2023-31047"] and known.severity == Severity.UNKNOWN  # no rating in the record
    assert ("PyPI", "django") in set(known.packages.values_list("ecosystem", "name"))
    rated = Vulnerability.objects.get(osv_id="PYSEC-2020-342")  # CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    assert (rated.severity, rated.cvss_score) == (Severity.CRITICAL, 9.8)


# --- findings ------------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    folder = write_records(
        tmp_path / "osv",
        osv_record("PYSEC-2099-1", package="requests", fixed="2.1.0", cvss=CRITICAL, aliases=["CVE-2099-1"]),
        osv_record("PYSEC-2099-2", package="requests", fixed="3.0.0", cvss=MEDIUM),
        osv_record("PYSEC-2099-3", package="urllib3", fixed="1.26.0", cvss=CRITICAL),
    )
    import_paths(folder)
    return folder


def test_findings_are_created_and_the_responsible_analyst_told(
    analyst: Any, release: Release, database: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = cyclonedx(("pypi", "requests", "2.0.0"), ("pypi", "urllib3", "1.26.5"), ("github", "x", "1"))
    upload_sbom(analyst, release, data, django_capture_on_commit_callbacks)
    findings = Finding.objects.filter(release=release).select_related("vulnerability")
    assert {(x.vulnerability.osv_id, x.severity, x.state) for x in findings} == {
        ("PYSEC-2099-1", "critical", "under_investigation"),
        ("PYSEC-2099-2", "medium", "under_investigation"),
    }
    (message,) = mail.outbox
    assert message.to == [analyst.email]
    assert "PYSEC-2099-1" in message.body and "PYSEC-2099-2" not in message.body  # critical/high only
    assert "販売管理" in message.subject


def test_recompute_is_idempotent_and_keeps_triage(
    analyst: Any, release: Release, database: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload_sbom(analyst, release, cyclonedx(("pypi", "requests", "2.0.0")), django_capture_on_commit_callbacks)
    critical = Finding.objects.get(vulnerability__osv_id="PYSEC-2099-1")
    findings_services.finding_triage(user=analyst, finding=critical, state="not_affected",
                            justification="vulnerable_code_not_present", comment="パッチ適用済み")
    mail.outbox.clear()
    counts = findings_services.findings_recompute(release_ids=[release.pk])
    assert counts["created"] == counts["resolved"] == counts["moved"] == 0
    assert Finding.objects.count() == 2 and not mail.outbox

    # A new SBOM with the same package: the findings move to it, triage and ids kept, no e-mail.
    upload_sbom(analyst, release, cyclonedx(("pypi", "requests", "2.0.0"), ("pypi", "six", "1.0")),
                django_capture_on_commit_callbacks)
    moved = Finding.objects.get(vulnerability__osv_id="PYSEC-2099-1")
    assert moved.pk == critical.pk and moved.component.sbom_id == release.__class__.objects.get().current_sbom_id
    assert (moved.state, moved.justification, moved.comment, moved.resolved) == (
        "not_affected", "vulnerable_code_not_present", "パッチ適用済み", False
    )
    assert Finding.objects.count() == 2 and not mail.outbox

    # Upgraded past the first fix: that finding is no longer matched (kept with its triage).
    upload_sbom(analyst, release, cyclonedx(("pypi", "requests", "2.5.0")), django_capture_on_commit_callbacks)
    moved.refresh_from_db()
    assert moved.resolved and moved.state == "not_affected"
    assert Finding.objects.filter(resolved=False).get().vulnerability.osv_id == "PYSEC-2099-2"
    assert not mail.outbox


def test_database_change_is_picked_up(
    analyst: Any, release: Release, database: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload_sbom(analyst, release, cyclonedx(("pypi", "urllib3", "1.20")), django_capture_on_commit_callbacks)
    assert Finding.objects.get().vulnerability.osv_id == "PYSEC-2099-3"
    mail.outbox.clear()
    write_records(database, osv_record("PYSEC-2099-4", package="urllib3", fixed="1.21", cvss=CRITICAL,
                                       modified="2024-05-01T00:00:00Z"))
    run = vulndb_services.osv_import_start(user=None, paths=[str(database)], enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):
        vulndb_services.osv_import_run(import_id=run.pk)  # queues the recomputation of every release
    assert set(Finding.objects.values_list("vulnerability__osv_id", flat=True)) == {"PYSEC-2099-3", "PYSEC-2099-4"}
    (message,) = mail.outbox
    assert "PYSEC-2099-4" in message.body and "PYSEC-2099-3" not in message.body


def test_updated_advisory_is_picked_up(
    analyst: Any, release: Release, database: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload_sbom(analyst, release, cyclonedx(("pypi", "urllib3", "1.20")), django_capture_on_commit_callbacks)
    finding = Finding.objects.get()
    # The advisory is corrected: fixed since 1.10, so 1.20 is no longer affected.
    write_records(database, osv_record("PYSEC-2099-3", package="urllib3", fixed="1.10", cvss=CRITICAL,
                                       modified="2024-05-01T00:00:00Z"))
    assert import_paths(database).updated_count == 1
    findings_services.findings_recompute()
    finding.refresh_from_db()
    assert finding.resolved


def test_no_mail_without_a_responsible_analyst(
    analyst: Any, release: Release, database: Path, django_capture_on_commit_callbacks: Any
) -> None:
    Product.objects.update(responsible=None)
    release.refresh_from_db()
    upload_sbom(analyst, release, cyclonedx(("pypi", "requests", "2.0.0")), django_capture_on_commit_callbacks)
    assert Finding.objects.count() == 2 and not mail.outbox


def test_real_data_matches_the_advisories_enumerated_versions(
    analyst: Any, release: Release, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    source = OSV_DATA / "PyPI" / "django"
    if not source.is_dir():
        pytest.skip(f"shared OSV data not found at {OSV_DATA}")
    import yaml

    folder = tmp_path / "django"
    shutil.copytree(source, folder)
    import_paths(folder)
    expected = {
        doc["id"]
        for path in folder.iterdir()
        for doc in [yaml.safe_load(path.read_text())]
        if not doc.get("withdrawn") and any("4.2.1" in a.get("versions", []) for a in doc["affected"])
    }
    assert expected
    upload_sbom(analyst, release, cyclonedx(("pypi", "Django", "4.2.1")), django_capture_on_commit_callbacks)
    found = set(Finding.objects.values_list("vulnerability__osv_id", flat=True))
    assert expected <= found


def test_large_release_recompute_runs_as_many_queries_as_a_small_one(
    analyst: Any, release: Release, database: Path
) -> None:
    """10,001 components cost the queries of 11: components read in one query, findings written in
    bulk. Its time (the old bound was 5 s) is in `python -m bench.software` (bench/RESULTS.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from renkei.software.vulndb.selectors import advisory_index

    def release_of(components: int, version: str) -> Release:
        target = release if components > 1000 else ReleaseFactory(product=release.product, version=version)
        document = sbom_samples.large_cyclonedx(components)
        document["components"].append(
            {"type": "library", "bom-ref": "req", "name": "requests", "version": "2.0.0",
             "purl": "pkg:pypi/requests@2.0.0"}
        )
        sbom_services.sbom_upload(user=analyst, release=target, uploaded_file=upload(orjson.dumps(document)))
        assert Component.objects.filter(sbom__release=target).count() == components + 1
        return target

    large, small = release_of(10_000, "3.0"), release_of(10, "3.1")
    advisory_index()  # built once per database version, whichever release comes first
    counts = {}
    for name, target in (("small", small), ("large", large)):
        with CaptureQueriesContext(connection) as queries:
            result = findings_services.findings_recompute(release_ids=[target.pk])
        assert result["created"] == 2 and result["releases"] == 1
        counts[name] = len(queries.captured_queries)
    assert Finding.objects.filter(component__sbom__release=large).count() == 2
    assert counts["large"] == counts["small"], counts


def test_users_roles_are_respected_for_notifications(release: Release, database: Path,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    inactive = f.UserFactory(role=Role.ANALYST, is_active=False)
    Product.objects.update(responsible=inactive)
    release.refresh_from_db()
    admin = f.UserFactory(role=Role.ADMIN)
    upload_sbom(admin, release, cyclonedx(("pypi", "requests", "2.0.0")), django_capture_on_commit_callbacks)
    assert Finding.objects.count() == 2 and not mail.outbox
