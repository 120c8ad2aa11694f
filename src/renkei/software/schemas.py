"""API schemas of the software app: `...In` bodies, `...Out` answers, filters.

Answers carry ids, the stored code of every choice with its display label and the names of
referenced objects, as the registry's do.
"""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any

from django.urls import NoReverseMatch
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.software.models import Severity, VexJustification, VexState


def _url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


# --- products and releases -----------------------------------------------------------------------


class ProductIn(Schema):
    """A product a supplier delivers; `group_company_id` defaults to the user's group company."""

    supplier_id: int
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    responsible_id: int | None = Field(None, description="User notified of new critical and high findings.")
    group_company_id: int | None = None


class ProductOut(Schema):
    id: int
    supplier_id: int
    supplier_name: str
    name: str
    description: str
    responsible_id: int | None
    responsible_name: str | None
    group_company_id: int
    url: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_supplier_name(obj: Any) -> str:
        return str(obj.supplier.name)

    @staticmethod
    def resolve_responsible_name(obj: Any) -> str | None:
        user = obj.responsible
        return None if user is None else str(user.get_full_name() or user.get_username())

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)


class ProductFilter(FilterSchema):
    supplier_id: int | None = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "supplier__name__icontains"])] = None


class ReleaseIn(Schema):
    product_id: int
    version: str = Field(min_length=1, max_length=100)
    delivered_on: dt.date | None = None
    notes: str = ""


class ReleaseOut(Schema):
    id: int
    product_id: int
    product_name: str
    supplier_id: int
    supplier_name: str
    version: str
    delivered_on: dt.date | None
    notes: str
    current_sbom_id: int | None
    group_company_id: int
    url: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)

    @staticmethod
    def resolve_supplier_id(obj: Any) -> int:
        return int(obj.product.supplier_id)

    @staticmethod
    def resolve_supplier_name(obj: Any) -> str:
        return str(obj.product.supplier.name)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)


class ReleaseFilter(FilterSchema):
    product_id: int | None = None
    supplier_id: Annotated[int | None, FilterLookup("product__supplier_id")] = None
    q: Annotated[str | None, FilterLookup(["version__icontains", "product__name__icontains"])] = None


# --- SBOMs, components, files --------------------------------------------------------------------


class SbomOut(Schema):
    id: int
    release_id: int
    original_name: str
    format: str
    format_label: str
    spec_version: str
    document_name: str
    sha256: str
    component_count: int
    is_current: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_format_label(obj: Any) -> str:
        return str(obj.get_format_display())

    @staticmethod
    def resolve_is_current(obj: Any) -> bool:
        return bool(obj.release.current_sbom_id == obj.pk)


class ComponentOut(Schema):
    id: int
    ref: str
    name: str
    version: str
    ecosystem: str
    purl: str
    licences: str
    hashes: dict[str, str]
    supplier: str


class DeliveredFileOut(Schema):
    id: int
    release_id: int
    name: str
    size: int | None
    sha256: str
    declared_sha256: str
    declared_by: str
    integrity: str
    integrity_label: str
    created_at: dt.datetime

    @staticmethod
    def resolve_integrity_label(obj: Any) -> str:
        return str(obj.get_integrity_display())


class NotCheckedOut(Schema):
    component_id: int
    name: str
    version: str
    ecosystem: str
    reason: str


class ReleaseOverviewOut(Schema):
    release: ReleaseOut
    current_sbom: SbomOut | None
    sbom_count: int
    component_count: int
    open_by_severity: dict[str, int]
    findings_total: int
    findings_open: int
    findings_resolved: int
    files: list[DeliveredFileOut]
    integrity_ok: bool
    mismatched_file_ids: list[int]
    not_checked: list[NotCheckedOut]
    licence_violation_count: int


class LicenceViolationOut(Schema):
    component_id: int
    name: str
    version: str
    licences: str
    violations: list[str]


# --- vulnerabilities and findings ----------------------------------------------------------------


class VulnerabilityOut(Schema):
    id: int
    osv_id: str
    aliases: list[str]
    summary: str
    details: str
    severity: str
    severity_label: str
    cvss_score: float | None
    cvss_vector: str
    published: dt.datetime | None
    modified: dt.datetime
    withdrawn: dt.datetime | None
    affected: list[dict[str, Any]]
    references: list[str]
    url: str

    @staticmethod
    def resolve_severity_label(obj: Any) -> str:
        return str(obj.get_severity_display())

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)


class VulnerabilitySummaryOut(Schema):
    id: int
    osv_id: str
    aliases: list[str]
    summary: str
    severity: str
    cvss_score: float | None
    modified: dt.datetime
    withdrawn: dt.datetime | None


class VulnerabilityFilter(FilterSchema):
    q: Annotated[
        str | None, FilterLookup(["osv_id__icontains", "alias_rows__alias__iexact", "summary__icontains"])
    ] = None
    severity: Severity | None = None
    ecosystem: Annotated[str | None, FilterLookup("packages__ecosystem")] = None
    package: Annotated[str | None, FilterLookup("packages__name")] = None


class FindingOut(Schema):
    id: int
    release_id: int
    release_version: str
    product_id: int
    product_name: str
    supplier_id: int
    supplier_name: str
    component_id: int
    component_name: str
    component_version: str
    component_purl: str
    vulnerability_id: int
    vulnerability: str
    aliases: list[str]
    summary: str
    severity: str
    severity_label: str
    cvss_score: float | None
    state: str
    state_label: str
    justification: str
    comment: str
    resolved: bool
    response_requested_at: dt.datetime | None
    url: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_release_version(obj: Any) -> str:
        return str(obj.release.version)

    @staticmethod
    def resolve_product_id(obj: Any) -> int:
        return int(obj.release.product_id)

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.release.product.name)

    @staticmethod
    def resolve_supplier_id(obj: Any) -> int:
        return int(obj.release.product.supplier_id)

    @staticmethod
    def resolve_supplier_name(obj: Any) -> str:
        return str(obj.release.product.supplier.name)

    @staticmethod
    def resolve_component_name(obj: Any) -> str:
        return str(obj.component.name)

    @staticmethod
    def resolve_component_version(obj: Any) -> str:
        return str(obj.component.version)

    @staticmethod
    def resolve_component_purl(obj: Any) -> str:
        return str(obj.component.purl)

    @staticmethod
    def resolve_vulnerability(obj: Any) -> str:
        return str(obj.vulnerability.osv_id)

    @staticmethod
    def resolve_aliases(obj: Any) -> list[str]:
        return list(obj.vulnerability.aliases)

    @staticmethod
    def resolve_summary(obj: Any) -> str:
        return str(obj.vulnerability.summary)

    @staticmethod
    def resolve_cvss_score(obj: Any) -> float | None:
        score = obj.vulnerability.cvss_score
        return None if score is None else float(score)

    @staticmethod
    def resolve_severity_label(obj: Any) -> str:
        return str(obj.get_severity_display())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)


class FindingFilter(Schema):
    release_id: int | None = None
    product_id: int | None = None
    supplier_id: int | None = None
    severity: Severity | None = None
    state: VexState | None = None
    vulnerability: str | None = Field(None, description="An OSV ID or alias (CVE, GHSA …).")
    include_resolved: bool = Field(False, description="Also findings the current SBOM no longer matches.")


class TriageIn(Schema):
    """The VEX analysis of a finding: `not_affected` needs a justification."""

    state: VexState
    justification: VexJustification | None = None
    comment: str = ""


# --- search and imports --------------------------------------------------------------------------


class PortfolioHitOut(Schema):
    component_id: int
    name: str
    version: str
    ecosystem: str
    purl: str
    release_id: int
    release_version: str
    product_id: int
    product_name: str
    supplier_id: int
    supplier_name: str
    group_company_id: int
    in_range: bool | None = Field(description="null when the version could not be compared with the range.")


class PortfolioOut(Schema):
    suppliers: int
    products: int
    releases: int
    components: int
    items: list[PortfolioHitOut]


class OsvImportOut(Schema):
    id: int
    source: str
    status: str
    total: int
    processed: int
    created_count: int
    updated_count: int
    skipped_count: int
    error: str
    created_at: dt.datetime
    updated_at: dt.datetime
