"""API of products and releases (generic CRUD), a release's overview, and the portfolio search."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from renkei.core.crud_api import CrudSpec, ErrorOut, crud_router
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, Role, require
from renkei.core.tenancy import group_companies
from renkei.registry.models import Organisation
from renkei.software.api_common import WRITE, release_or_404
from renkei.software.models import Product, Release
from renkei.software.portfolio import schemas, selectors, services

# --- products and releases (generic CRUD) --------------------------------------------------------


def _products() -> QuerySet[Product]:
    return Product.objects.select_related("supplier", "responsible")


def _releases() -> QuerySet[Release]:
    return Release.objects.select_related("product__supplier")


def _save_product(*, user: Any, instance: Product, extras: dict[str, Any]) -> Product:
    responsible = extras.get("responsible_id", instance.responsible_id)
    if responsible is not None and not get_user_model().objects.filter(
        pk=responsible, is_active=True, role__in=[Role.ADMIN, Role.ANALYST]
    ).exists():
        raise RenkeiError(_("Not found."), field_name="responsible_id")
    if "responsible_id" in extras:
        instance.responsible_id = responsible
    return services.product_save(user=user, product=instance)


PRODUCTS = CrudSpec(
    name="product",
    model=Product,
    out_schema=schemas.ProductOut,
    in_schema=schemas.ProductIn,
    filter_schema=schemas.ProductFilter,
    queryset=_products,
    references={
        "supplier_id": lambda: Organisation.objects.all(),
        "group_company_id": group_companies,
    },
    # Users are not scoped records: the responsible analyst is checked by `_save_product`.
    extra_fields=("responsible_id",),
    save=_save_product,
    delete=lambda *, user, instance: services.product_delete(user=user, product=instance),
    write_action=WRITE,
)

RELEASES = CrudSpec(
    name="release",
    model=Release,
    out_schema=schemas.ReleaseOut,
    in_schema=schemas.ReleaseIn,
    filter_schema=schemas.ReleaseFilter,
    queryset=_releases,
    references={"product_id": lambda: Product.objects.all()},
    save=lambda *, user, instance, extras: services.release_save(user=user, release=instance),
    delete=lambda *, user, instance: services.release_delete(user=user, release=instance),
    write_action=WRITE,
)

products = crud_router(PRODUCTS)
releases_crud = crud_router(RELEASES)
releases = Router(tags=["releases"])
portfolio_router = Router()


@releases.get(
    "/{int:pk}/overview", response={200: schemas.ReleaseOverviewOut, 404: ErrorOut},
    operation_id="renkei_software_api_release_overview",
)
def release_overview(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Current SBOM, open findings by severity, delivered files and their integrity, components
    that could not be checked, licence violations."""
    release = release_or_404(request, pk)
    overview = selectors.release_overview(user=request.user, release=release)
    return {
        "release": release,
        "current_sbom": overview.sbom,
        "sbom_count": overview.sbom_count,
        "component_count": overview.component_count,
        "open_by_severity": overview.open_by_severity,
        "findings_total": overview.findings_total,
        "findings_open": overview.findings_open,
        "findings_resolved": overview.findings_resolved,
        "files": overview.files,
        "integrity_ok": overview.integrity_ok,
        "mismatched_file_ids": [f.pk for f in overview.mismatched_files],
        "not_checked": [vars(n) for n in overview.not_checked],
        "licence_violation_count": overview.licence_violation_count,
    }


# --- portfolio search ----------------------------------------------------------------------------


@portfolio_router.get(
    "/portfolio", response={200: schemas.PortfolioOut, 400: ErrorOut}, tags=["portfolio"],
    operation_id="renkei_software_api_portfolio",
)
def portfolio(
    request: HttpRequest, name: str, ecosystem: str | None = None, version_range: str | None = None
) -> dict[str, Any]:
    """Which suppliers' releases contain a package (name or package URL), optionally in a version
    range such as `>=1.0,<2.0`. Only each release's current SBOM counts."""
    require(request.user, Action.VIEW)
    hits = selectors.portfolio_search(
        user=request.user, name=name, ecosystem=ecosystem or None, version_range=version_range or None
    )
    return {**selectors.portfolio_summary(hits), "items": [h.as_dict() for h in hits]}
