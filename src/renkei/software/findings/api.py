"""API of findings: the list, one finding, triage, asking the supplier, and a release's VEX."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from renkei.core.crud_api import DEFAULT_LIMIT, ErrorOut, Page, check_if_match, set_etag
from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, require, visible
from renkei.software.api_common import ERRORS, WRITE, Limit, Offset, page, release_or_404
from renkei.software.findings import bulk, schemas, selectors, services
from renkei.software.models import Finding

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


@releases.get(
    "/{int:pk}/gate", response={200: schemas.GateOut, 404: ErrorOut},
    operation_id="renkei_software_api_release_gate",
)
def release_gate(request: HttpRequest, pk: int, query: Query[schemas.GateQuery]) -> dict[str, Any]:
    """Whether the release's open findings pass a `--fail-on` gate, by the rule of `renkei sbom scan`."""
    release = release_or_404(request, pk)
    qs = visible(Finding.objects.filter(release=release), request.user)
    return selectors.gate(qs, fail_on=query.fail_on, unknown_as=query.unknown_as)


@releases.get(
    "/{int:pk}/findings-status", response={200: schemas.FindingsStatusOut, 404: ErrorOut},
    operation_id="renkei_software_api_release_findings_status",
)
def release_findings_status(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Whether the findings of the release's current SBOM are being matched, and how many are open."""
    release = release_or_404(request, pk)
    qs = visible(Finding.objects.filter(release=release), request.user)
    return {"matching": release.matching, "open_findings": selectors.open_findings(qs).count()}


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
    """Findings across releases by priority (known exploited, severity with unknown between high
    and medium, EPSS, fix available); resolved (no longer matched) ones only on request."""
    qs = selectors.with_priority(selectors.finding_list(user=request.user, **filters.model_dump()))
    qs = qs.order_by("priority_rank", "vulnerability__osv_id", "pk")
    return page(qs, limit, offset)


@findings.post(
    "/bulk-triage", response={200: schemas.BulkTriageOut, **ERRORS},
    operation_id="renkei_software_api_finding_bulk_triage",
)
def finding_bulk_triage(request: HttpRequest, payload: schemas.BulkTriageIn) -> dict[str, Any]:
    """One VEX analysis for many findings (by `ids`, or all of one `vulnerability`); `undo` puts back.

    No `If-Match` or versions here: the person chooses one analysis for every row, so it is applied
    whatever each row's version (each row's version still moves on, so a single triage read before
    answers 409). `undo` leaves a finding changed since as it is."""
    require(request.user, WRITE)
    if payload.undo:
        return {"changed": bulk.bulk_undo(user=request.user, token=payload.undo), "undo": None}
    if payload.state is None:
        raise RenkeiError(_("Choose a state."), field_name="state")
    chosen: Any = payload.ids
    if not chosen and payload.vulnerability:
        chosen = selectors.advisory_findings(
            user=request.user, vulnerability=payload.vulnerability, release_id=payload.release_id
        )
    changed, token = bulk.bulk_triage(
        user=request.user, findings=chosen, state=payload.state,
        justification=payload.justification or "", comment=payload.comment,
    )
    return {"changed": changed, "undo": token}


@findings.get(
    "/{int:pk}", response={200: schemas.FindingOut, 404: ErrorOut},
    operation_id="renkei_software_api_finding_detail",
)
def finding_detail(request: HttpRequest, response: HttpResponse, pk: int) -> Finding:
    """One finding (`ETag`: its edit version)."""
    finding = _finding(request, pk)
    set_etag(response, finding)
    return finding


@findings.patch(
    "/{int:pk}", response={200: schemas.FindingOut, **ERRORS},
    operation_id="renkei_software_api_finding_triage",
)
def finding_triage(request: HttpRequest, response: HttpResponse, pk: int, payload: schemas.TriageIn) -> Finding:
    """Record the VEX analysis: `not_affected` needs a `justification`. With `If-Match` (the ETag of
    the finding as read) or `edit_version`, a triage saved since answers 409 and nothing is written;
    without either the triage is saved as before."""
    finding = _finding(request, pk)
    require(request.user, WRITE)
    check_if_match(request, finding, payload.edit_version)
    services.finding_triage(
        user=request.user,
        finding=finding,
        state=payload.state,
        justification=payload.justification or "",
        comment=payload.comment,
    )
    finding = _finding(request, pk)
    set_etag(response, finding)
    return finding


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
