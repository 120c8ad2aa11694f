"""API schemas of the registry: `...In` bodies (PATCH bodies are derived), `...Out` answers, filters.

Answers carry ids, the stored code of every choice with its display label (`kind`, `kind_label`)
and the names of referenced objects, so a client needs no second request to show a row.
"""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.core.crud_api import ObjectId
from renkei.core.masking import party_name
from renkei.core.search import search_q
from renkei.registry import selectors
from renkei.registry.models import (
    AccessLevel,
    CertificationScheme,
    Classification,
    ContactRole,
    Criticality,
    OrganisationKind,
    OrganisationStatus,
    RelationshipType,
)

SEARCH_HELP = (
    "Search text. Width (ｌｏｔｕｓ = lotus), case, katakana/hiragana (アオゾラ = あおぞら) and spaces "
    "(みなと　カード = みなとカード) are ignored."
)


def _name(obj: Any) -> str | None:
    return None if obj is None else str(obj.name)


def _party(organisation: Any, context: Any) -> str | None:
    """A referenced organisation's name; 「範囲外の取引先」 outside the requesting user's scope."""
    if organisation is None:
        return None
    request = (context or {}).get("request")
    return party_name(getattr(request, "user", None), organisation)


def _label(obj: Any, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


class RecordOut(Schema):
    """Base of every record output schema: its `url` field resolves to the record's page."""

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


# --- organisations -------------------------------------------------------------------------------


class OrganisationIn(Schema):
    """An organisation. `group_company_id` defaults to the user's group company; tags are names."""

    name: str = Field(min_length=1, max_length=200)
    name_reading: str = ""
    corporate_number: str = ""
    kind: OrganisationKind
    group_company_id: int | None = None
    country: str = "JP"
    address: str = ""
    web_domains: str = Field("", description="Comma-separated domains.")
    criticality: Criticality = Criticality.MEDIUM
    status: OrganisationStatus = OrganisationStatus.ACTIVE
    tags: list[str] = Field(default_factory=list, description="Tag names; created on first use.")
    notes: str = ""
    confirm_duplicate: bool = Field(
        False,
        description=(
            "Possible duplicates: when another organisation has the same name once legal forms "
            "(株式会社, (株), Co., Ltd. …), width, case, katakana/hiragana and spaces are ignored, creating "
            "or renaming answers 409 with the usual error body plus `duplicates` (id, name, url of those "
            "you may see) and `hidden_duplicates` (how many others exist outside your scope). Send the "
            "request again with `confirm_duplicate: true` to save anyway. A corporate number that is "
            "already registered is always refused (400, field `corporate_number`)."
        ),
    )


class OrganisationOut(RecordOut):
    id: int
    name: str
    name_reading: str
    corporate_number: str
    kind: str
    kind_label: str
    group_company_id: int | None
    group_company_name: str | None
    country: str
    address: str
    web_domains: str
    criticality: str
    criticality_label: str
    status: str
    status_label: str
    tier: int | None = Field(description="Distance from the own company; null when not connected.")
    tags: list[str]
    notes: str
    url: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_criticality_label(obj: Any) -> str:
        return _label(obj, "criticality")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_group_company_name(obj: Any) -> str | None:
        return _name(obj.group_company)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


TIER_PATTERN = r"^(\d+|none|5\+)$"


class OrganisationFilter(FilterSchema):
    q: str | None = Field(None, description=SEARCH_HELP)
    kind: OrganisationKind | None = None
    tier: str | None = Field(None, pattern=TIER_PATTERN, description="A number, `5+` or `none` (not connected).")
    criticality: Criticality | None = None
    status: OrganisationStatus | None = None
    tag: Annotated[str | None, FilterLookup("tags__name")] = None
    group_company_id: ObjectId | None = None

    def filter_q(self, value: str | None) -> Q:
        return search_q(("search_text",), value)

    def filter_tier(self, value: str | None) -> Q:
        if value is None:
            return Q()
        if value == "none":
            return Q(tier__isnull=True)
        if value == "5+":
            return Q(tier__gte=5)
        return Q(tier=int(value))


# --- relationships -------------------------------------------------------------------------------


class RelationshipIn(Schema):
    """A directed relationship: `client_id` (upstream) → `provider_id` (downstream)."""

    client_id: int
    provider_id: int
    type: RelationshipType
    service: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    redelegation_approved: bool | None = None
    group_company_id: int | None = None


class RelationshipOut(RecordOut):
    id: int
    client_id: int
    client_name: str
    provider_id: int
    provider_name: str
    type: str
    type_label: str
    service: str
    start_date: dt.date | None
    end_date: dt.date | None
    redelegation_approved: bool | None
    group_company_id: int
    url: str

    @staticmethod
    def resolve_client_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.client, context)

    @staticmethod
    def resolve_provider_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.provider, context)

    @staticmethod
    def resolve_type_label(obj: Any) -> str:
        return _label(obj, "type")


class RelationshipFilter(FilterSchema):
    client_id: ObjectId | None = None
    provider_id: ObjectId | None = None
    type: RelationshipType | None = None
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("client__search_text", "provider__search_text", "service"), value)



# --- contacts ------------------------------------------------------------------------------------


class ContactIn(Schema):
    organisation_id: int
    name: str = Field(min_length=1, max_length=100, description="Family name first, e.g. 佐藤 花子.")
    name_reading: str = Field("", max_length=100, description="Reading in katakana, e.g. サトウ ハナコ.")
    role: ContactRole
    email: str = ""
    phone: str = ""
    verified_on: dt.date | None = None


class ContactOut(RecordOut):
    id: int
    organisation_id: int
    organisation_name: str
    name: str
    name_reading: str
    role: str
    role_label: str
    email: str
    phone: str
    verified_on: dt.date | None
    group_company_id: int
    url: str

    @staticmethod
    def resolve_organisation_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.organisation, context)

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return _label(obj, "role")


class ContactFilter(FilterSchema):
    organisation_id: ObjectId | None = None
    role: ContactRole | None = None
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("search_text", "organisation__search_text"), value)



# --- certifications ------------------------------------------------------------------------------


class CertificationIn(Schema):
    """A certification; the evidence file is uploaded on the page, not through the API."""

    organisation_id: int
    scheme: CertificationScheme
    scheme_other: str = ""
    number: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class CertificationOut(RecordOut):
    id: int
    organisation_id: int
    organisation_name: str
    scheme: str
    scheme_label: str
    scheme_other: str
    number: str
    issuer: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    state: str = Field(description="valid, expiring, expired or unknown (no end date).")
    state_label: str
    has_evidence: bool
    evidence_url: str | None = Field(description="Where a logged-in user downloads the evidence file.")
    group_company_id: int
    url: str

    @staticmethod
    def resolve_organisation_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.organisation, context)

    @staticmethod
    def resolve_scheme_label(obj: Any) -> str:
        return _label(obj, "scheme")

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return str(obj.state())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.state_label())

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence)

    @staticmethod
    def resolve_evidence_url(obj: Any) -> str | None:
        from django.urls import reverse

        return reverse("registry:certification_evidence", args=[obj.pk]) if obj.evidence else None


class CertificationFilter(FilterSchema):
    organisation_id: ObjectId | None = None
    scheme: CertificationScheme | None = None
    state: str | None = Field(None, pattern=r"^(valid|expiring|expired|unknown)$")
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("organisation__search_text", "number", "issuer", "scheme_other"), value)


    def filter_state(self, value: str | None) -> Q:
        if value is None:
            return Q()
        if value == "unknown":
            return Q(valid_until__isnull=True)
        today, horizon = selectors.expiry_window()
        if value == "expired":
            return Q(valid_until__lt=today)
        if value == "expiring":
            return Q(valid_until__gte=today, valid_until__lte=horizon)
        return Q(valid_until__gt=horizon)


# --- information assets --------------------------------------------------------------------------


class InformationAssetIn(Schema):
    """Information of ours; `group_company_id` (the owner) defaults to the user's group company."""

    name: str = Field(min_length=1, max_length=200)
    group_company_id: int | None = None
    classification: Classification = Classification.INTERNAL
    has_personal_info: bool = False
    has_sensitive_personal_info: bool = False
    record_count: int | None = Field(None, ge=0)
    person_count: int | None = Field(None, ge=0)
    owning_department: str = ""
    description: str = ""


class InformationAssetOut(RecordOut):
    id: int
    name: str
    group_company_id: int
    group_company_name: str
    classification: str
    classification_label: str
    has_personal_info: bool
    has_sensitive_personal_info: bool
    record_count: int | None
    person_count: int | None
    owning_department: str
    description: str
    url: str

    @staticmethod
    def resolve_group_company_name(obj: Any) -> str | None:
        return _name(obj.group_company)

    @staticmethod
    def resolve_classification_label(obj: Any) -> str:
        return _label(obj, "classification")


class InformationAssetFilter(FilterSchema):
    group_company_id: ObjectId | None = None
    classification: Classification | None = None
    has_personal_info: bool | None = None
    has_sensitive_personal_info: bool | None = None
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("search_text",), value)



# --- data holdings -------------------------------------------------------------------------------


class DataHoldingIn(Schema):
    """An asset held by `holder_id`, received from `received_from_id` (default: the asset's owner)."""

    asset_id: int
    holder_id: int
    received_from_id: int | None = None
    purpose: str = ""
    record_count: int | None = Field(None, ge=0)
    since: dt.date | None = None
    retention: str = ""
    return_due: dt.date | None = None


class DataHoldingOut(RecordOut):
    id: int
    asset_id: int
    asset_name: str
    holder_id: int
    holder_name: str
    received_from_id: int
    received_from_name: str
    purpose: str
    record_count: int | None
    since: dt.date | None
    retention: str
    return_due: dt.date | None
    group_company_id: int
    url: str

    @staticmethod
    def resolve_asset_name(obj: Any) -> str | None:
        return _name(obj.asset)

    @staticmethod
    def resolve_holder_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.holder, context)

    @staticmethod
    def resolve_received_from_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.received_from, context)


class DataHoldingFilter(FilterSchema):
    asset_id: ObjectId | None = None
    holder_id: ObjectId | None = None
    received_from_id: ObjectId | None = None
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("asset__search_text", "holder__search_text", "purpose"), value)



# --- system access -------------------------------------------------------------------------------


class SystemAccessIn(Schema):
    organisation_id: int
    system: str = Field(min_length=1, max_length=200)
    level: AccessLevel
    account_count: int = Field(0, ge=0)
    notes: str = ""


class SystemAccessOut(RecordOut):
    id: int
    organisation_id: int
    organisation_name: str
    system: str
    level: str
    level_label: str
    account_count: int
    notes: str
    group_company_id: int
    url: str

    @staticmethod
    def resolve_organisation_name(obj: Any, context: Any = None) -> str | None:
        return _party(obj.organisation, context)

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return _label(obj, "level")


class SystemAccessFilter(FilterSchema):
    organisation_id: ObjectId | None = None
    level: AccessLevel | None = None
    q: str | None = Field(None, description=SEARCH_HELP)

    def filter_q(self, value: str | None) -> Q:
        return search_q(("organisation__search_text", "system", "notes"), value)

