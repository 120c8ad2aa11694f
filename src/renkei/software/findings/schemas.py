"""API schemas of findings: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

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
        return absolute_url(obj)


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
