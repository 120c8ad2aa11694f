"""API schemas of products, releases and the portfolio search: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.core.crud_api import ObjectId
from renkei.core.search import search_q
from renkei.software.api_common import absolute_url
from renkei.software.sbom.schemas import DeliveredFileOut, SbomOut


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
        return absolute_url(obj)


class ProductFilter(FilterSchema):
    supplier_id: ObjectId | None = None
    q: str | None = Field(None, description="Product or supplier name; width, case, kana and spaces are ignored.")

    def filter_q(self, value: str | None) -> Q:
        return search_q(("search_text", "supplier__search_text"), value)


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
        return absolute_url(obj)


class ReleaseFilter(FilterSchema):
    product_id: ObjectId | None = None
    supplier_id: Annotated[ObjectId | None, FilterLookup("product__supplier_id")] = None
    q: Annotated[str | None, FilterLookup(["version__icontains", "product__name__icontains"])] = None


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
