"""The registry's REST API: one generic CRUD router per model, mounted at /api/v1/registry/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Router

from renkei.core.crud_api import CrudSpec, crud_router
from renkei.registry import schemas, services
from renkei.registry.models import (
    OUR_KINDS,
    Certification,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    Relationship,
    SystemAccess,
)
from renkei.registry.permissions import CHANGE_REGISTRY

WRITE = CHANGE_REGISTRY


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def group_companies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=OUR_KINDS)


def assets() -> QuerySet[InformationAsset]:
    return InformationAsset.objects.all()


def remove(*, user: Any, instance: Any) -> None:
    services.record_remove(user=user, instance=instance)


SPECS = [
    CrudSpec(
        name="organisation",
        model=Organisation,
        out_schema=schemas.OrganisationOut,
        in_schema=schemas.OrganisationIn,
        filter_schema=schemas.OrganisationFilter,
        queryset=lambda: Organisation.objects.select_related("group_company").prefetch_related("tags"),
        references={"group_company_id": group_companies},
        extra_fields=("tags", "confirm_duplicate"),
        save=lambda *, user, instance, extras: services.organisation_save(
            user=user,
            organisation=instance,
            tags=extras.get("tags"),
            check_duplicates=not extras.get("confirm_duplicate"),
        ),
        delete=lambda *, user, instance: services.organisation_delete(user=user, organisation=instance),
        write_action=WRITE,
    ),
    CrudSpec(
        name="relationship",
        model=Relationship,
        out_schema=schemas.RelationshipOut,
        in_schema=schemas.RelationshipIn,
        filter_schema=schemas.RelationshipFilter,
        queryset=lambda: Relationship.objects.select_related("client", "provider"),
        references={"client_id": organisations, "provider_id": organisations, "group_company_id": group_companies},
        save=lambda *, user, instance, extras: services.relationship_save(user=user, relationship=instance),
        delete=lambda *, user, instance: services.relationship_delete(user=user, relationship=instance),
        write_action=WRITE,
    ),
    CrudSpec(
        name="contact",
        model=Contact,
        out_schema=schemas.ContactOut,
        in_schema=schemas.ContactIn,
        filter_schema=schemas.ContactFilter,
        queryset=lambda: Contact.objects.select_related("organisation"),
        references={"organisation_id": organisations},
        save=lambda *, user, instance, extras: services.contact_save(user=user, contact=instance),
        delete=remove,
        write_action=WRITE,
    ),
    CrudSpec(
        name="certification",
        model=Certification,
        out_schema=schemas.CertificationOut,
        in_schema=schemas.CertificationIn,
        filter_schema=schemas.CertificationFilter,
        queryset=lambda: Certification.objects.select_related("organisation"),
        references={"organisation_id": organisations},
        save=lambda *, user, instance, extras: services.certification_save(user=user, certification=instance),
        delete=remove,
        write_action=WRITE,
    ),
    CrudSpec(
        name="asset",
        tag="information assets",
        model=InformationAsset,
        out_schema=schemas.InformationAssetOut,
        in_schema=schemas.InformationAssetIn,
        filter_schema=schemas.InformationAssetFilter,
        queryset=lambda: InformationAsset.objects.select_related("group_company"),
        references={"group_company_id": group_companies},
        save=lambda *, user, instance, extras: services.asset_save(user=user, asset=instance),
        delete=remove,
        write_action=WRITE,
    ),
    CrudSpec(
        name="holding",
        tag="data holdings",
        model=DataHolding,
        out_schema=schemas.DataHoldingOut,
        in_schema=schemas.DataHoldingIn,
        filter_schema=schemas.DataHoldingFilter,
        queryset=lambda: DataHolding.objects.select_related("asset", "holder", "received_from"),
        references={"asset_id": assets, "holder_id": organisations, "received_from_id": organisations},
        save=lambda *, user, instance, extras: services.holding_save(user=user, holding=instance),
        delete=remove,
        write_action=WRITE,
    ),
    CrudSpec(
        name="access",
        tag="system access",
        model=SystemAccess,
        out_schema=schemas.SystemAccessOut,
        in_schema=schemas.SystemAccessIn,
        filter_schema=schemas.SystemAccessFilter,
        queryset=lambda: SystemAccess.objects.select_related("organisation"),
        references={"organisation_id": organisations},
        save=lambda *, user, instance, extras: services.system_access_save(user=user, access=instance),
        delete=remove,
        write_action=WRITE,
    ),
]

# URL prefix of each model under /api/v1/registry/.
PREFIXES = {
    "organisation": "/organisations",
    "relationship": "/relationships",
    "contact": "/contacts",
    "certification": "/certifications",
    "asset": "/assets",
    "holding": "/holdings",
    "access": "/access",
}

router = Router()
for spec in SPECS:
    router.add_router(PREFIXES[spec.name], crud_router(spec))
