"""API of a release's SBOMs, components and delivered files."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Status

from renkei.core.crud_api import DEFAULT_LIMIT, ErrorOut, Page
from renkei.core.files.uploads import refuse_large_body
from renkei.core.permissions import require, visible
from renkei.software.api_common import (
    ERRORS,
    WRITE,
    Limit,
    Offset,
    multipart,
    page,
    release_or_404,
    uploaded_file,
)
from renkei.software.models import Component, DeliveredFile, Sbom
from renkei.software.sbom import schemas, services

releases = Router(tags=["releases"])


@releases.get(
    "/{int:pk}/sboms", response={200: list[schemas.SbomOut], 404: ErrorOut},
    operation_id="renkei_software_api_sbom_list",
)
def sbom_list(request: HttpRequest, pk: int) -> list[Sbom]:
    """Every SBOM uploaded for the release, newest (the current one) first."""
    release = release_or_404(request, pk)
    return list(visible(Sbom.objects.filter(release=release), request.user).select_related("release")
                .order_by("-created_at", "-pk"))


@releases.post(
    "/{int:pk}/sboms",
    response={201: schemas.SbomOut, **ERRORS},
    openapi_extra=multipart("CycloneDX 1.2–1.7 (JSON, XML), SPDX 2.2/2.3 (JSON, tag-value) or SPDX 3.0 (JSON-LD)"),
    operation_id="renkei_software_api_sbom_upload",
)
def sbom_upload(request: HttpRequest, pk: int, lenient: bool = False) -> Status[Sbom]:
    """Upload an SBOM (multipart field `file`); it becomes the release's current SBOM and its
    findings are recomputed in the worker. An invalid document answers 400 naming the field or line;
    `lenient=true` reads it without the CycloneDX schema check (the reader's own checks remain)."""
    release = release_or_404(request, pk)
    require(request.user, WRITE)
    refuse_large_body(request, services.max_sbom_bytes())
    sbom = services.sbom_upload(
        user=request.user, release=release, uploaded_file=uploaded_file(request), validate=not lenient
    )
    return Status(201, sbom)


@releases.get(
    "/{int:pk}/components", response={200: Page[schemas.ComponentOut], 404: ErrorOut},
    operation_id="renkei_software_api_component_list",
)
def component_list(
    request: HttpRequest, pk: int, q: str = "", limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Components of the release's current SBOM; `q` filters by name, purl or version."""
    release = release_or_404(request, pk)
    qs = Component.objects.filter(sbom=release.current_sbom_id).order_by("name", "version", "pk")
    if q.strip():
        text = q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(purl__icontains=text) | Q(version__icontains=text))
    return page(qs, limit, offset)


@releases.get(
    "/{int:pk}/files", response={200: list[schemas.DeliveredFileOut], 404: ErrorOut},
    operation_id="renkei_software_api_file_list",
)
def file_list(request: HttpRequest, pk: int) -> list[DeliveredFile]:
    """Delivered files of the release with their computed and declared hashes."""
    release = release_or_404(request, pk)
    return list(visible(DeliveredFile.objects.filter(release=release), request.user).order_by("name", "pk"))


@releases.post(
    "/{int:pk}/files",
    response={201: schemas.DeliveredFileOut, **ERRORS},
    openapi_extra=multipart(
        "the delivered file",
        {"declared_sha256": {"type": "string", "description": "SHA-256 the supplier declared (optional)"}},
    ),
    operation_id="renkei_software_api_file_upload",
)
def file_upload(request: HttpRequest, pk: int) -> Status[DeliveredFile]:
    """Upload a delivered file (multipart `file`, optional `declared_sha256`); it is hashed and
    compared with the declared hash or the one in the current SBOM."""
    release = release_or_404(request, pk)
    require(request.user, WRITE)
    refuse_large_body(request, services.max_delivered_file_bytes())
    delivered = services.delivered_file_add(
        user=request.user,
        release=release,
        uploaded_file=uploaded_file(request),
        declared_sha256=request.POST.get("declared_sha256", ""),
    )
    return Status(201, delivered)
