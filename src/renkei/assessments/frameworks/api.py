"""Frameworks, required levels and reassessment policies of the assessments API."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renkei.assessments.api_common import (
    ERRORS,
    WRITE,
    Limit,
    Offset,
    _group_companies,
    _multipart,
    _not_found,
    _page,
)
from renkei.assessments.frameworks import schemas as framework_schemas
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks.spec import MAX_YAML_BYTES
from renkei.assessments.models import (
    Framework,
    Question,
    Section,
)
from renkei.core.crud_api import (
    DEFAULT_LIMIT,
    ErrorOut,
    Page,
    resolve_references,
)
from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import refuse_large_body
from renkei.core.permissions import get_visible_or_404, require, visible
from renkei.core.tenancy import default_group_company_id, is_unrestricted
from renkei.registry.models import Organisation

frameworks = Router(tags=["assessment frameworks"])


# --- frameworks ----------------------------------------------------------------------------------


def _framework_detail(request: HttpRequest, pk: int) -> Framework:
    questions = Question.objects.order_by("order")
    sections = Section.objects.order_by("order").prefetch_related(Prefetch("questions", queryset=questions))
    framework = get_visible_or_404(
        Framework.objects.prefetch_related(Prefetch("sections", queryset=sections)), request.user, pk=pk
    )
    framework.in_use = framework.assignments.exists() or framework.campaigns.exists()  # type: ignore[attr-defined]
    return framework


@frameworks.get("", response=Page[framework_schemas.FrameworkOut], operation_id="framework_list", summary="List frameworks")
def framework_list(
    request: HttpRequest, filters: Query[framework_schemas.FrameworkFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Frameworks the user may use: the whole group's (built-in ones included) and those of the
    user's group companies. `active=true` lists those available for new assessments."""
    qs = filters.filter(visible(Framework.objects.all(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("origin", "key", "-version", "pk"), limit, offset)


@frameworks.get(
    "/{int:pk}", response={200: framework_schemas.FrameworkDetailOut, 404: ErrorOut}, operation_id="framework_retrieve",
    summary="Retrieve a framework with its questions",
)
def framework_retrieve(request: HttpRequest, pk: int) -> Framework:
    """The framework with its sections and questions (IDs, texts in both languages, answer types,
    choices, weights, levels, mappings, evidence hints)."""
    return _framework_detail(request, pk)


@frameworks.post(
    "",
    response={201: framework_schemas.FrameworkDetailOut, **ERRORS, 413: ErrorOut},
    operation_id="framework_upload",
    summary="Upload a framework (YAML)",
    openapi_extra=_multipart(
        "a `renkei-framework/1` YAML file (2 MB at most)",
        {"group_company_id": {"type": "integer", "description": "The group company it belongs to; left out: "
                              "the whole group (a user limited to some group companies: their own)."}},
    ),
)
def framework_upload(request: HttpRequest) -> Status[Framework]:
    """Upload a framework as YAML (multipart field `file`). The file is checked whole: a schema error
    answers 400 with every problem in `errors[]`, each naming the item (`field`) and the problem, and
    nothing is stored. The same key and version with other content replaces an unused framework;
    once used, raise the version (409)."""
    require(request.user, WRITE)
    refuse_large_body(request, MAX_YAML_BYTES)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise RenkeiError(_("Attach the file as multipart form field `file`."), field_name="file")
    raw_company = (request.POST.get("group_company_id") or "").strip()
    company: Organisation | None = None
    if raw_company:
        if not raw_company.isdigit():
            raise _not_found("group_company_id")
        company = resolve_references(  # type: ignore[assignment]
            user=request.user, references={"group_company_id": _group_companies}, data={"group_company_id": int(raw_company)}
        )["group_company_id"]
    elif not is_unrestricted(request.user):
        # A limited user cannot add a framework for the whole group: it becomes their company's.
        company = _group_companies().filter(pk=default_group_company_id(request.user) or 0).first()
    data = uploaded.read(MAX_YAML_BYTES + 1)
    framework = framework_services.framework_upload(
        user=request.user, data=data, filename=uploaded.name or "framework.yaml", group_company=company
    )
    return Status(201, _framework_detail(request, framework.pk))


@frameworks.post(
    "/{int:pk}/active", response={200: framework_schemas.FrameworkOut, **ERRORS}, operation_id="framework_set_active",
    summary="Retire a framework or bring it back",
)
def framework_set_active(request: HttpRequest, pk: int, payload: framework_schemas.ActiveIn) -> Framework:
    """`active: false` retires the framework from new assessments; past ones keep it."""
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    require(request.user, WRITE)
    return framework_services.framework_set_active(user=request.user, framework=framework, active=payload.active)


@frameworks.delete(
    "/{int:pk}", response={204: None, **ERRORS}, operation_id="framework_delete", summary="Delete a framework"
)
def framework_delete(request: HttpRequest, pk: int) -> Status[None]:
    """Delete a framework no assessment or campaign uses (409 otherwise: retire it instead)."""
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    require(request.user, WRITE)
    framework_services.framework_delete(user=request.user, framework=framework)
    return Status(204, None)
