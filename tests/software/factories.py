"""factory_boy factories of the software app, and a small OSV record builder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
import orjson
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from renkei.software.models import (
    Component,
    DeliveredFile,
    Finding,
    LicencePolicy,
    OsvImport,
    Product,
    Release,
    Sbom,
    SbomFormat,
    Severity,
    Vulnerability,
    VulnerabilityAlias,
)
from tests.factories import OrganisationFactory


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"業務システム{n}")
    group_company = factory.LazyAttribute(lambda o: o.supplier.group_company)


class ReleaseFactory(DjangoModelFactory):
    class Meta:
        model = Release

    product = factory.SubFactory(ProductFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    group_company = factory.LazyAttribute(lambda o: o.product.group_company)


class SbomFactory(DjangoModelFactory):
    """An SBOM row with a tiny stored document; it becomes its release's current SBOM."""

    class Meta:
        model = Sbom
        skip_postgeneration_save = True

    release = factory.SubFactory(ReleaseFactory)
    group_company = factory.LazyAttribute(lambda o: o.release.group_company)
    file = factory.LazyFunction(lambda: ContentFile(b'{"bomFormat": "CycloneDX"}', name="bom.json"))
    original_name = "bom.json"
    format = SbomFormat.CYCLONEDX_JSON
    spec_version = "1.5"
    sha256 = "0" * 64

    @factory.post_generation
    def make_current(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted is not False:
            Release.objects.filter(pk=self.release_id).update(current_sbom=self)
            self.release.current_sbom = self


class ComponentFactory(DjangoModelFactory):
    class Meta:
        model = Component

    sbom = factory.SubFactory(SbomFactory)
    name = "requests"
    ecosystem = "PyPI"
    normalised_name = factory.LazyAttribute(lambda o: o.name.lower())
    version = "2.0.0"
    purl = factory.LazyAttribute(lambda o: f"pkg:pypi/{o.name.lower()}@{o.version}")
    ref = factory.LazyAttribute(lambda o: o.purl)


class VulnerabilityFactory(DjangoModelFactory):
    class Meta:
        model = Vulnerability
        skip_postgeneration_save = True

    osv_id = factory.Sequence(lambda n: f"PYSEC-2099-{n}")
    summary = "Test vulnerability"
    severity = Severity.HIGH
    cvss_score = 8.1
    cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
    modified = factory.LazyFunction(lambda: dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    affected = factory.LazyFunction(list)

    @factory.post_generation
    def alias_rows(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            for name in [self.osv_id, *self.aliases]:
                VulnerabilityAlias.objects.get_or_create(alias=name, defaults={"vulnerability": self})


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = Finding

    component = factory.SubFactory(ComponentFactory)
    release = factory.LazyAttribute(lambda o: o.component.sbom.release)
    vulnerability = factory.SubFactory(VulnerabilityFactory)
    severity = factory.LazyAttribute(lambda o: o.vulnerability.severity)
    group_company = factory.LazyAttribute(lambda o: o.release.group_company)


class DeliveredFileFactory(DjangoModelFactory):
    class Meta:
        model = DeliveredFile

    release = factory.SubFactory(ReleaseFactory)
    group_company = factory.LazyAttribute(lambda o: o.release.group_company)
    name = "app.tar.gz"
    sha256 = "a" * 64


class LicencePolicyFactory(DjangoModelFactory):
    class Meta:
        model = LicencePolicy

    denied = "GPL-3.0-only"


class OsvImportFactory(DjangoModelFactory):
    class Meta:
        model = OsvImport

    source = "PyPI.zip"
    status = "done"
    total = 10
    processed = 10
    created_count = 10


def osv_record(
    osv_id: str,
    *,
    package: str = "requests",
    ecosystem: str = "PyPI",
    introduced: str = "0",
    fixed: str | None = "2.1.0",
    versions: list[str] | None = None,
    aliases: list[str] | None = None,
    modified: str = "2024-01-01T00:00:00Z",
    cvss: str | None = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    summary: str = "",
    withdrawn: str | None = None,
) -> dict[str, Any]:
    """An OSV record (as a dict) affecting one package from `introduced` until `fixed`."""
    events: list[dict[str, str]] = [{"introduced": introduced}]
    if fixed:
        events.append({"fixed": fixed})
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": osv_id,
        "modified": modified,
        "published": "2023-01-01T00:00:00Z",
        "aliases": aliases or [],
        "summary": summary or f"{osv_id} in {package}",
        "details": f"Details of {osv_id}.",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": versions or [],
            }
        ],
        "references": [{"type": "WEB", "url": f"https://example.org/{osv_id}"}],
    }
    if cvss:
        record["severity"] = [{"type": "CVSS_V3", "score": cvss}]
    if withdrawn:
        record["withdrawn"] = withdrawn
    return record


def osv_bytes(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record)
