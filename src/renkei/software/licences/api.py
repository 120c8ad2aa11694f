"""API of licence compliance: a release's licence violations."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.http import HttpRequest
from ninja import Router

from renkei.core.crud_api import ErrorOut
from renkei.software.api_common import release_or_404
from renkei.software.licences import schemas, selectors

releases = Router(tags=["releases"])


@releases.get(
    "/{int:pk}/licence-violations", response={200: list[schemas.LicenceViolationOut], 404: ErrorOut},
    operation_id="renkei_software_api_licence_violations",
)
def licence_violations(request: HttpRequest, pk: int) -> list[Any]:
    """Components of the current SBOM whose licences break the group company's policy."""
    release = release_or_404(request, pk)
    return [vars(v) for v in selectors.licence_violations(user=request.user, release=release)]
