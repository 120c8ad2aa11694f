"""API of the NVD / JVN enrichment: what is loaded, and the import runs (read only; imports start
from the page or the command)."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from renkei.core.crud_api import DEFAULT_LIMIT, ErrorOut, Page
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, require
from renkei.software.api_common import Limit, Offset, page
from renkei.software.enrichment.models_nvd_jvn import NvdJvnImport
from renkei.software.enrichment.selectors_nvd_jvn import nvd_jvn_sources

enrichment = Router(tags=["vulnerability database"])


class NvdJvnSourceOut(Schema):
    name: str
    kind: str
    loaded_at: dt.datetime | None
    records: int
    file: str


class NvdJvnImportOut(Schema):
    id: int
    kind: str
    source: str
    status: str
    total: int
    processed: int
    created_count: int
    updated_count: int
    skipped_count: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


@enrichment.get(
    "/nvd-jvn-sources", response=list[NvdJvnSourceOut], operation_id="renkei_software_api_nvd_jvn_sources"
)
def nvd_jvn_source_list(request: HttpRequest) -> list[dict[str, Any]]:
    """NVD and JVN iPedia: how many records are loaded, when, and from which file."""
    require(request.user, Action.VIEW)
    return nvd_jvn_sources()


@enrichment.get(
    "/nvd-jvn-imports", response=Page[NvdJvnImportOut], operation_id="renkei_software_api_nvd_jvn_import_list"
)
def nvd_jvn_import_list(request: HttpRequest, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """NVD and JVN import runs, newest first."""
    require(request.user, Action.VIEW)
    return page(NvdJvnImport.objects.order_by("-created_at", "-pk"), limit, offset)


@enrichment.get(
    "/nvd-jvn-imports/{int:pk}", response={200: NvdJvnImportOut, 404: ErrorOut},
    operation_id="renkei_software_api_nvd_jvn_import_detail",
)
def nvd_jvn_import_detail(request: HttpRequest, pk: int) -> NvdJvnImport:
    """One run's status and progress (`processed` of `total`)."""
    require(request.user, Action.VIEW)
    run = NvdJvnImport.objects.filter(pk=pk).first()
    if run is None:
        raise RenkeiError(_("Not found."), status=404)
    return run
