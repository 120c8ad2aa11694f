"""What the software sub-capabilities' API routers share: the write action, error answers, paging,
the release a sub-resource hangs on, and multipart uploads."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from renkei.core.crud_api import ErrorOut
from renkei.core.crud_api import Limit as Limit  # the shared paging parameters, bounded in core
from renkei.core.crud_api import Offset as Offset
from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404
from renkei.software.models import Release
from renkei.software.permissions import CHANGE_SOFTWARE

WRITE = CHANGE_SOFTWARE
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut}


def page(qs: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


def release_or_404(request: HttpRequest, pk: int) -> Release:
    return get_visible_or_404(Release.objects.select_related("product__supplier", "current_sbom"), request.user, pk=pk)


def uploaded_file(request: HttpRequest) -> Any:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise RenkeiError(_("Attach the file as multipart form field `file`."), field_name="file")
    return uploaded


def multipart(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {"file": {"type": "string", "format": "binary", "description": description}, **(extra or {})}
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"type": "object", "properties": properties,
                                                           "required": ["file"]}}},
        }
    }


def absolute_url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""
