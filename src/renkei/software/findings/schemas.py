"""API schemas of findings: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from renkei.core.crud_api import ObjectId
from renkei.software.api_common import absolute_url
from renkei.software.models import Severity, VexJustification, VexState


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
    severity_source: str = Field(description="The record (ID) the severity comes from; empty if unknown.")
    severity_method: str = Field(description="CVSS_V4, CVSS_V3, CVSS_V2, database (a label) or empty.")
    cvss_score: float | None
    cvss_vector: str
    known_exploited_since: dt.date | None = Field(description="In the CISA KEV catalogue since (when loaded).")
    epss_score: float | None = Field(description="FIRST EPSS probability (when loaded).")
    epss_percentile: float | None = Field(None, description="FIRST EPSS percentile, 0–1 (when loaded).")
    fixed_versions: list[str]
    fix_available: bool
    upgrade_version: str = Field(description="The component's best upgrade: fixes `upgrade_fixes` of its `upgrade_total`.")
    upgrade_fixes: int
    upgrade_total: int
    state: str
    state_label: str
    justification: str
    comment: str
    resolved: bool
    response_requested_at: dt.datetime | None
    url: str
    created_at: dt.datetime
    updated_at: dt.datetime
    edit_version: int = Field(description="Moves on with every triage; send it back (or `If-Match`) to triage.")

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
        return str(obj.vulnerability.headline)

    @staticmethod
    def resolve_severity_source(obj: Any) -> str:
        return str(obj.vulnerability.severity_source)

    @staticmethod
    def resolve_severity_method(obj: Any) -> str:
        return str(obj.vulnerability.severity_method)

    @staticmethod
    def resolve_cvss_vector(obj: Any) -> str:
        return str(obj.vulnerability.cvss_vector)

    @staticmethod
    def resolve_known_exploited_since(obj: Any) -> dt.date | None:
        return obj.vulnerability.known_exploited_since  # type: ignore[no-any-return]

    @staticmethod
    def resolve_epss_score(obj: Any) -> float | None:
        return obj.vulnerability.epss_score  # type: ignore[no-any-return]

    @staticmethod
    def resolve_epss_percentile(obj: Any) -> float | None:
        return obj.vulnerability.epss_percentile  # type: ignore[no-any-return]

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
        return absolute_url(obj)


class FindingFilter(Schema):
    release_id: ObjectId | None = None
    product_id: ObjectId | None = None
    supplier_id: ObjectId | None = None
    severity: Severity | None = None
    state: VexState | None = None
    vulnerability: str | None = Field(None, description="An OSV ID or alias (CVE, GHSA …).")
    include_resolved: bool = Field(False, description="Also findings the current SBOM no longer matches.")
    fix_available: bool | None = Field(None, description="Only findings with (true) or without (false) a fix.")
    known_exploited: bool | None = Field(None, description="Only findings in (true) or not in (false) CISA KEV.")


FailOn = Literal["low", "medium", "high", "critical"]
UnknownAs = Literal["none", "low", "medium", "high", "critical"]


class GateQuery(Schema):
    fail_on: FailOn = Field(description="The gate level, as `renkei sbom scan --fail-on`.")
    unknown_as: UnknownAs | None = Field(
        None, description="How to rank unknown severity; by default an unknown finding fails a gate of any level."
    )


class GateOut(Schema):
    fail_on: str
    unknown_as: str | None
    failed: bool
    failing: int
    failing_unknown: int
    by_severity: dict[str, int]


class FindingsStatusOut(Schema):
    matching: bool = Field(description="The findings of the current SBOM are being matched right now.")
    open_findings: int


class BulkTriageIn(Schema):
    """Either `ids`, or `vulnerability` (every open finding of it you may see, optionally in
    `release_id`), with one VEX analysis; or only `undo` (a token from an earlier answer).
    No versions: one analysis applied to many rows on purpose (see the endpoint)."""

    ids: list[int] = Field(default_factory=list, max_length=5000)
    vulnerability: str | None = None
    release_id: int | None = None
    state: VexState | None = None
    justification: VexJustification | None = None
    comment: str = ""
    undo: str | None = None


class BulkTriageOut(Schema):
    changed: int
    undo: str | None = Field(description="Send back as `undo` to put the findings back as they were.")


class TriageIn(Schema):
    """The VEX analysis of a finding: `not_affected` needs a justification."""

    state: VexState
    justification: VexJustification | None = None
    comment: str = ""
    edit_version: int | None = Field(None, description="The `edit_version` read (if no `If-Match`); stale: 409.")
