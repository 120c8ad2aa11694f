"""The software supply chain's REST API, mounted at /api/v1/software/.

Products and releases use the generic CRUD router; the rest are purpose-built endpoints: SBOM and
delivered-file uploads (multipart, refused by size before the body is read), components, findings
with triage, the VEX export, licence violations, the portfolio search, and the shared
vulnerability database with its import runs (read only).
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renkei.core.crud_api import DEFAULT_LIMIT, MAX_LIMIT, CrudSpec, ErrorOut, Page, crud_router
from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import refuse_large_body
from renkei.core.permissions import Action, Role, get_visible_or_404, require, visible
from renkei.core.tenancy import group_companies
from renkei.registry.models import Organisation
from renkei.software import schemas, selectors, services
from renkei.software.models import (
    Component,
    DeliveredFile,
    Finding,
    OsvImport,
    Product,
    Release,
    Sbom,
    Vulnerability,
)
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.selectors_registry import severity_rank

WRITE = CHANGE_SOFTWARE
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut}
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0)]


def _page(qs: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


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

router = Router()
router.add_router("/products", crud_router(PRODUCTS))
router.add_router("/releases", crud_router(RELEASES))

releases = Router(tags=["releases"])
findings = Router(tags=["findings"])
database = Router(tags=["vulnerability database"])


def _release(request: HttpRequest, pk: int) -> Release:
    return get_visible_or_404(Release.objects.select_related("product__supplier", "current_sbom"), request.user, pk=pk)


def _uploaded(request: HttpRequest) -> Any:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise RenkeiError(_("Attach the file as multipart form field `file`."), field_name="file")
    return uploaded


def _multipart(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {"file": {"type": "string", "format": "binary", "description": description}, **(extra or {})}
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"type": "object", "properties": properties,
                                                           "required": ["file"]}}},
        }
    }


# --- release sub-resources -----------------------------------------------------------------------


@releases.get("/{int:pk}/overview", response={200: schemas.ReleaseOverviewOut, 404: ErrorOut})
def release_overview(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Current SBOM, open findings by severity, delivered files and their integrity, components
    that could not be checked, licence violations."""
    release = _release(request, pk)
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


@releases.get("/{int:pk}/sboms", response={200: list[schemas.SbomOut], 404: ErrorOut})
def sbom_list(request: HttpRequest, pk: int) -> list[Sbom]:
    """Every SBOM uploaded for the release, newest (the current one) first."""
    release = _release(request, pk)
    return list(visible(Sbom.objects.filter(release=release), request.user).select_related("release")
                .order_by("-created_at", "-pk"))


@releases.post(
    "/{int:pk}/sboms",
    response={201: schemas.SbomOut, **ERRORS},
    openapi_extra=_multipart("CycloneDX 1.4–1.6 (JSON, XML) or SPDX 2.2/2.3 (JSON, tag-value)"),
)
def sbom_upload(request: HttpRequest, pk: int) -> Status[Sbom]:
    """Upload an SBOM (multipart field `file`); it becomes the release's current SBOM and its
    findings are recomputed in the worker. An invalid document answers 400 naming the field or line."""
    release = _release(request, pk)
    require(request.user, WRITE)
    refuse_large_body(request, services.max_sbom_bytes())
    sbom = services.sbom_upload(user=request.user, release=release, uploaded_file=_uploaded(request))
    return Status(201, sbom)


@releases.get("/{int:pk}/components", response={200: Page[schemas.ComponentOut], 404: ErrorOut})
def component_list(
    request: HttpRequest, pk: int, q: str = "", limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Components of the release's current SBOM; `q` filters by name, purl or version."""
    release = _release(request, pk)
    qs = Component.objects.filter(sbom=release.current_sbom_id).order_by("name", "version", "pk")
    if q.strip():
        text = q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(purl__icontains=text) | Q(version__icontains=text))
    return _page(qs, limit, offset)


@releases.get("/{int:pk}/files", response={200: list[schemas.DeliveredFileOut], 404: ErrorOut})
def file_list(request: HttpRequest, pk: int) -> list[DeliveredFile]:
    """Delivered files of the release with their computed and declared hashes."""
    release = _release(request, pk)
    return list(visible(DeliveredFile.objects.filter(release=release), request.user).order_by("name", "pk"))


@releases.post(
    "/{int:pk}/files",
    response={201: schemas.DeliveredFileOut, **ERRORS},
    openapi_extra=_multipart(
        "the delivered file",
        {"declared_sha256": {"type": "string", "description": "SHA-256 the supplier declared (optional)"}},
    ),
)
def file_upload(request: HttpRequest, pk: int) -> Status[DeliveredFile]:
    """Upload a delivered file (multipart `file`, optional `declared_sha256`); it is hashed and
    compared with the declared hash or the one in the current SBOM."""
    release = _release(request, pk)
    require(request.user, WRITE)
    refuse_large_body(request, services.max_delivered_file_bytes())
    delivered = services.delivered_file_add(
        user=request.user,
        release=release,
        uploaded_file=_uploaded(request),
        declared_sha256=request.POST.get("declared_sha256", ""),
    )
    return Status(201, delivered)


@releases.get("/{int:pk}/vex", response={200: dict[str, Any], 404: ErrorOut})
def vex_export(request: HttpRequest, pk: int) -> JsonResponse:
    """The release's current findings and their triage as a CycloneDX 1.5 VEX document."""
    release = _release(request, pk)
    return JsonResponse(
        selectors.vex_document(release=release), content_type="application/vnd.cyclonedx+json"
    )


@releases.get("/{int:pk}/licence-violations", response={200: list[schemas.LicenceViolationOut], 404: ErrorOut})
def licence_violations(request: HttpRequest, pk: int) -> list[Any]:
    """Components of the current SBOM whose licences break the group company's policy."""
    release = _release(request, pk)
    return [vars(v) for v in selectors.licence_violations(user=request.user, release=release)]


# --- findings ------------------------------------------------------------------------------------


def _finding(request: HttpRequest, pk: int) -> Finding:
    return get_visible_or_404(
        Finding.objects.select_related("release__product__supplier", "component", "vulnerability"),
        request.user,
        pk=pk,
    )


@findings.get("", response=Page[schemas.FindingOut])
def finding_list(
    request: HttpRequest,
    filters: Query[schemas.FindingFilter],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Findings across releases, most severe first; resolved (no longer matched) ones only on request."""
    qs = selectors.finding_list(user=request.user, **filters.model_dump())
    qs = qs.annotate(severity_rank=severity_rank()).order_by("severity_rank", "vulnerability__osv_id", "pk")
    return _page(qs, limit, offset)


@findings.get("/{int:pk}", response={200: schemas.FindingOut, 404: ErrorOut})
def finding_detail(request: HttpRequest, pk: int) -> Finding:
    return _finding(request, pk)


@findings.patch("/{int:pk}", response={200: schemas.FindingOut, **ERRORS})
def finding_triage(request: HttpRequest, pk: int, payload: schemas.TriageIn) -> Finding:
    """Record the VEX analysis: `not_affected` needs a `justification`."""
    finding = _finding(request, pk)
    require(request.user, WRITE)
    services.finding_triage(
        user=request.user,
        finding=finding,
        state=payload.state,
        justification=payload.justification or "",
        comment=payload.comment,
    )
    return _finding(request, pk)


@findings.post("/{int:pk}/request-response", response={200: schemas.FindingOut, **ERRORS})
def finding_request_response(request: HttpRequest, pk: int) -> Finding:
    """E-mail the finding to the supplier's security and incident contacts (409 when it has none)."""
    finding = _finding(request, pk)
    require(request.user, WRITE)
    services.finding_request_response(user=request.user, finding=finding)
    return _finding(request, pk)


# --- portfolio search ----------------------------------------------------------------------------


@router.get("/portfolio", response={200: schemas.PortfolioOut, 400: ErrorOut}, tags=["portfolio"])
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


# --- the shared vulnerability database -----------------------------------------------------------
# Reference data of the whole group (no group company): anyone who may view may read it.


@database.get("/vulnerabilities", response=Page[schemas.VulnerabilitySummaryOut])
def vulnerability_list(
    request: HttpRequest,
    filters: Query[schemas.VulnerabilityFilter],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Vulnerabilities of the offline database; `q` matches an ID, an alias or the summary."""
    require(request.user, Action.VIEW)
    qs = filters.filter(Vulnerability.objects.all()).distinct().order_by("-modified", "pk")  # type: ignore[attr-defined]
    return _page(qs, limit, offset)


@database.get("/vulnerabilities/{int:pk}", response={200: schemas.VulnerabilityOut, 404: ErrorOut})
def vulnerability_detail(request: HttpRequest, pk: int) -> Vulnerability:
    """One vulnerability with its aliases, severity and affected packages and versions."""
    require(request.user, Action.VIEW)
    vulnerability = Vulnerability.objects.filter(pk=pk).first()
    if vulnerability is None:
        raise RenkeiError(_("Not found."), status=404)
    return vulnerability


@database.get("/osv-imports", response=Page[schemas.OsvImportOut])
def osv_import_list(request: HttpRequest, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """Import runs of the vulnerability database, newest first."""
    require(request.user, Action.VIEW)
    return _page(OsvImport.objects.order_by("-created_at", "-pk"), limit, offset)


@database.get("/osv-imports/{int:pk}", response={200: schemas.OsvImportOut, 404: ErrorOut})
def osv_import_detail(request: HttpRequest, pk: int) -> OsvImport:
    """One import run's status and progress (`processed` of `total`)."""
    require(request.user, Action.VIEW)
    run = OsvImport.objects.filter(pk=pk).first()
    if run is None:
        raise RenkeiError(_("Not found."), status=404)
    return run


router.add_router("/releases", releases)
router.add_router("/findings", findings)
router.add_router("", database)
