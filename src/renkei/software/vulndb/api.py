"""API of the shared vulnerability database: vulnerabilities and OSV import runs."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from renkei.core.crud_api import DEFAULT_LIMIT, ErrorOut, Page
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, require
from renkei.software.api_common import Limit, Offset, page
from renkei.software.models import OsvImport, Vulnerability
from renkei.software.vulndb import schemas

database = Router(tags=["vulnerability database"])


# --- the shared vulnerability database -----------------------------------------------------------
# Reference data of the whole group (no group company): anyone who may view may read it.


@database.get(
    "/vulnerabilities", response=Page[schemas.VulnerabilitySummaryOut],
    operation_id="renkei_software_api_vulnerability_list",
)
def vulnerability_list(
    request: HttpRequest,
    filters: Query[schemas.VulnerabilityFilter],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Vulnerabilities of the offline database; `q` matches an ID, an alias or the summary."""
    require(request.user, Action.VIEW)
    qs = filters.filter(Vulnerability.objects.all()).distinct().order_by("-modified", "pk")  # type: ignore[attr-defined]
    return page(qs, limit, offset)


@database.get(
    "/vulnerabilities/{int:pk}", response={200: schemas.VulnerabilityOut, 404: ErrorOut},
    operation_id="renkei_software_api_vulnerability_detail",
)
def vulnerability_detail(request: HttpRequest, pk: int) -> Vulnerability:
    """One vulnerability with its aliases, severity and affected packages and versions."""
    require(request.user, Action.VIEW)
    vulnerability = Vulnerability.objects.filter(pk=pk).first()
    if vulnerability is None:
        raise RenkeiError(_("Not found."), status=404)
    return vulnerability


@database.get(
    "/osv-imports", response=Page[schemas.OsvImportOut],
    operation_id="renkei_software_api_osv_import_list",
)
def osv_import_list(request: HttpRequest, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """Import runs of the vulnerability database, newest first."""
    require(request.user, Action.VIEW)
    return page(OsvImport.objects.order_by("-created_at", "-pk"), limit, offset)


@database.get(
    "/osv-imports/{int:pk}", response={200: schemas.OsvImportOut, 404: ErrorOut},
    operation_id="renkei_software_api_osv_import_detail",
)
def osv_import_detail(request: HttpRequest, pk: int) -> OsvImport:
    """One import run's status and progress (`processed` of `total`)."""
    require(request.user, Action.VIEW)
    run = OsvImport.objects.filter(pk=pk).first()
    if run is None:
        raise RenkeiError(_("Not found."), status=404)
    return run
