"""API of findings: the list, one finding, triage, asking the supplier, and a release's VEX."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from renkei.core.crud_api import DEFAULT_LIMIT, ErrorOut, Page
from renkei.core.permissions import get_visible_or_404, require
from renkei.software.api_common import ERRORS, WRITE, Limit, Offset, page, release_or_404
from renkei.software.findings import schemas, selectors, services
from renkei.software.models import Finding
from renkei.software.selectors import severity_rank

releases = Router(tags=["releases"])
findings = Router(tags=["findings"])


@releases.get(
    "/{int:pk}/vex", response={200: dict[str, Any], 404: ErrorOut},
    operation_id="renkei_software_api_vex_export",
)
def vex_export(request: HttpRequest, pk: int) -> JsonResponse:
    """The release's current findings and their triage as a CycloneDX 1.5 VEX document."""
    release = release_or_404(request, pk)
    return JsonResponse(
        selectors.vex_document(release=release), content_type="application/vnd.cyclonedx+json"
    )


# --- findings ------------------------------------------------------------------------------------


def _finding(request: HttpRequest, pk: int) -> Finding:
    return get_visible_or_404(
        Finding.objects.select_related("release__product__supplier", "component", "vulnerability"),
        request.user,
        pk=pk,
    )


@findings.get("", response=Page[schemas.FindingOut], operation_id="renkei_software_api_finding_list")
def finding_list(
    request: HttpRequest,
    filters: Query[schemas.FindingFilter],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Findings across releases, most severe first; resolved (no longer matched) ones only on request."""
    qs = selectors.finding_list(user=request.user, **filters.model_dump())
    qs = qs.annotate(severity_rank=severity_rank()).order_by("severity_rank", "vulnerability__osv_id", "pk")
    return page(qs, limit, offset)


@findings.get(
    "/{int:pk}", response={200: schemas.FindingOut, 404: ErrorOut},
    operation_id="renkei_software_api_finding_detail",
)
def finding_detail(request: HttpRequest, pk: int) -> Finding:
    return _finding(request, pk)


@findings.patch(
    "/{int:pk}", response={200: schemas.FindingOut, **ERRORS},
    operation_id="renkei_software_api_finding_triage",
)
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


@findings.post(
    "/{int:pk}/request-response", response={200: schemas.FindingOut, **ERRORS},
    operation_id="renkei_software_api_finding_request_response",
)
def finding_request_response(request: HttpRequest, pk: int) -> Finding:
    """E-mail the finding to the supplier's security and incident contacts (409 when it has none)."""
    finding = _finding(request, pk)
    require(request.user, WRITE)
    services.finding_request_response(user=request.user, finding=finding)
    return _finding(request, pk)
