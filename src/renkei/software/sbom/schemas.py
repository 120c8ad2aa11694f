"""API schemas of SBOMs, components and delivered files: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Any

from ninja import Schema


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
