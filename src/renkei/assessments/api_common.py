"""Shared pieces of the assessments API: limits, error responses, querysets and helpers."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from renkei.assessments.answering.services import Respondent
from renkei.assessments.models import (
    FollowUp,
    Framework,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.crud_api import ErrorOut
from renkei.core.crud_api import Limit as Limit  # the shared paging parameters, bounded in core
from renkei.core.crud_api import Offset as Offset
from renkei.core.errors import RenkeiError
from renkei.core.tenancy import group_companies
from renkei.registry.models import Organisation

WRITE = CHANGE_ASSESSMENTS
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
# Rows of the required-level list are computed in Python; filtering on them reads parties in batches.
ASSURANCE_BATCH = 1000


def _page(qs: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def _group_companies() -> QuerySet[Organisation]:
    return group_companies()


def _frameworks() -> QuerySet[Framework]:
    return Framework.objects.all()


def _respondent(request: HttpRequest) -> Respondent:
    """A logged-in user answering (a self-assessment, or on behalf of a party)."""
    user: Any = request.user
    return Respondent(name=user.get_full_name() or user.get_username(), user=user, from_party=False)


def _multipart(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {"file": {"type": "string", "format": "binary", "description": description}, **(extra or {})}
    schema = {"type": "object", "properties": properties, "required": ["file"]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def _not_found(field: str) -> RenkeiError:
    return RenkeiError(_("Not found."), field_name=field)


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("organisation", "question", "owner_user")
