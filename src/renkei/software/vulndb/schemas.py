"""API schemas of the vulnerability database: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any

from ninja import FilterLookup, FilterSchema, Schema

from renkei.software.api_common import absolute_url
from renkei.software.models import Severity


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
        return absolute_url(obj)


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
