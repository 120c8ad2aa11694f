"""A generic CRUD router: one model's API is a spec of schemas, a queryset and its services.

Every endpoint has the same shape (NetBox style), so a reader who knows one knows all:

    GET    /            list, filtered (a FilterSchema), paginated by `limit`/`offset` with `count`
    POST   /            create
    GET    /{id}        retrieve
    PUT    /{id}        replace (fields left out take their defaults)
    PATCH  /{id}        partial update (only the fields sent)
    DELETE /{id}        delete

Versioned records (core.concurrency) carry `edit_version` in their output and an `ETag`
(`W/"<edit_version>"`) on retrieve and write. PUT and PATCH check the version named by `If-Match` (or,
without the header, an `edit_version` in the body): a stale one answers 409 with the current record in `current` and its ETag,
and changes nothing. A write naming no version is accepted as before (clients written before
versions existed keep working), so a client that wants the check must send one.

Reads go through `permissions.visible()`, object lookups through `get_visible_or_404()`, and
foreign keys in payloads (`*_id`) must name an object the user may see: an invisible object
answers exactly like a missing one. Writes go through the app's services, which check the role
and the group-company scope.
"""

# No `from __future__ import annotations` here: Ninja reads the endpoint signatures built inside
# `crud_router()`, and their annotations name schemas that exist only in that closure.

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import FilterSchema, Query, Router, Schema, Status
from pydantic import Field, create_model

from renkei.core.concurrency import (
    VERSION_FIELD,
    StaleEdit,
    check_current,
    current_version,
    etag,
    expect_version,
    version_from_if_match,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.masking import party_ordering, scope_party_lookups
from renkei.core.models import Versioned
from renkei.core.permissions import get_visible_or_404, require, visible

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# The largest integer a database column holds (signed 64 bits). A bigger id or offset in a request
# is invalid input (422), not a number to hand to the database driver, which would fail (500).
MAX_DB_INT = 2**63 - 1
# An object's id in a filter or a payload; use it for every `*_id` field of the API's inputs.
ObjectId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT)]


class ErrorDetailOut(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """The one error shape of the API."""

    message: str
    errors: list[ErrorDetailOut]


class Page(Schema, Generic[T]):
    """One page of a list: `count` is the total number of matching objects."""

    count: int
    limit: int
    offset: int
    items: list[T]


class NoFilter(FilterSchema):
    pass


SaveFunction = Callable[..., models.Model]
DeleteFunction = Callable[..., None]


@dataclass(frozen=True)
class CrudSpec:
    """What one model's API needs; everything else is shared.

    - `queryset`: a function giving the base queryset (with `select_related`/`prefetch_related` for
      what the output schema reads, so list queries do not grow with rows).
    - `references`: payload fields naming other objects (`client_id`) → a function giving the
      queryset they must be found in (`visible()` is applied on top).
    - `extra_fields`: payload fields that are not model attributes (organisation `tags`); they are
      passed to `save` as keyword `extras`.
    - `save(user=, instance=, extras=)` and `delete(user=, instance=)` call the app's services.
    """

    name: str
    model: type[models.Model]
    out_schema: type[Schema]
    in_schema: type[Schema]
    queryset: Callable[[], models.QuerySet[Any]]
    save: SaveFunction
    delete: DeleteFunction
    write_action: str
    filter_schema: type[FilterSchema] = NoFilter
    references: Mapping[str, Callable[[], models.QuerySet[Any]]] = field(default_factory=dict)
    extra_fields: tuple[str, ...] = ()
    tag: str = ""  # the OpenAPI group; defaults to the name + "s"


def partial_schema(schema: type[Schema]) -> type[Schema]:
    """The same fields as `schema`, all optional: the body of a PATCH."""
    fields: dict[str, Any] = {
        name: (info.annotation | None, None)  # type: ignore[operator]
        for name, info in schema.model_fields.items()
    }
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{schema.__name__.removesuffix('In')}Patch", __base__=Schema, __doc__=schema.__doc__, **fields
    )


def resolve_references(
    *, user: Any, references: Mapping[str, Callable[[], models.QuerySet[Any]]], data: dict[str, Any]
) -> dict[str, models.Model | None]:
    """Fetch every referenced object the user may see; a missing or invisible one is 'not found'."""
    found: dict[str, models.Model | None] = {}
    problems: list[ErrorItem] = []
    for name, queryset in references.items():
        if name not in data:
            continue
        value = data[name]
        if value is None:
            found[name] = None
            continue
        in_range = isinstance(value, int) and 0 < value <= MAX_DB_INT
        obj = visible(queryset(), user).filter(pk=value).first() if in_range else None
        if obj is None:
            problems.append(ErrorItem(message=_("Not found."), field=name))
        else:
            found[name] = obj
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    return found


def apply_payload(
    *, user: Any, spec: CrudSpec, instance: models.Model, data: dict[str, Any]
) -> dict[str, Any]:
    """Copy payload values onto the instance; returns the extra (non-model) values."""
    extras = {name: data.pop(name) for name in spec.extra_fields if name in data}
    objects = resolve_references(user=user, references=spec.references, data=data)
    for name, value in data.items():
        if name in spec.references:
            # Set the object, not only the id, so services can read it without another query.
            obj = objects[name]
            if obj is None:
                setattr(instance, name, None)
            else:
                setattr(instance, name.removesuffix("_id"), obj)
        else:
            setattr(instance, name, value)
    return extras


def versioned_schemas(spec: CrudSpec) -> tuple[type[Schema], type[Schema], type[Schema]]:
    """The output, input and conflict schemas: with `version` when the model is versioned."""
    out_schema, in_schema = spec.out_schema, spec.in_schema
    versioned = issubclass(spec.model, Versioned)
    if versioned and VERSION_FIELD not in out_schema.model_fields:
        out_schema = create_model(out_schema.__name__, __base__=out_schema, **{VERSION_FIELD: (int, ...)})  # type: ignore[call-overload]
    if versioned and VERSION_FIELD not in in_schema.model_fields:
        in_schema = create_model(  # type: ignore[call-overload]
            in_schema.__name__, __base__=in_schema, __doc__=in_schema.__doc__,
            **{VERSION_FIELD: (int | None, None)},
        )
    conflict_schema = create_model(
        f"{spec.name.title().replace('_', '')}ConflictOut", __base__=ErrorOut, current=(out_schema | None, None)  # type: ignore[arg-type]
    )
    return out_schema, in_schema, conflict_schema


def expected_version(request: HttpRequest, data: dict[str, Any]) -> int | None:
    """The version the client based its write on: `If-Match`, else the body's `edit_version`."""
    body_version = data.pop(VERSION_FIELD, None)
    header = version_from_if_match(request.headers.get("If-Match"))
    return header if header is not None else body_version


def check_if_match(request: HttpRequest, instance: models.Model, body_version: int | None = None) -> None:
    """For endpoints of their own shape: honour `If-Match` (or a body version) as the CRUD router
    does. A stale version raises `StaleEdit`, which the API answers 409 with the current version
    and its ETag (core.api); the save itself checks again, race-free."""
    version = version_from_if_match(request.headers.get("If-Match"))
    version = version if version is not None else body_version
    check_current(instance, version)
    expect_version(instance, version)


def set_etag(response: HttpResponse, instance: models.Model) -> None:
    if isinstance(instance, Versioned):
        response["ETag"] = etag(current_version(instance))


def crud_router(spec: CrudSpec) -> Router:
    """List, create, retrieve, replace, update and delete endpoints for one model."""
    out_schema, in_schema, conflict_schema = versioned_schemas(spec)
    patch_schema = partial_schema(in_schema)
    filter_schema = spec.filter_schema
    page_schema = Page[out_schema]  # type: ignore[valid-type]
    # OpenAPI texts stay English: model verbose names are lazy translations, not ready at import.
    label = spec.name.replace("_", " ")
    plural = spec.tag or f"{spec.name}s"
    errors = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: conflict_schema}
    router = Router(tags=[plural])

    def fetch(request: HttpRequest, pk: int) -> models.Model:
        return get_visible_or_404(spec.queryset(), request.user, pk=pk)

    def tagged(response: HttpResponse, instance: models.Model) -> models.Model:
        if isinstance(instance, Versioned):
            response["ETag"] = etag(current_version(instance))
        return instance

    def write(
        request: HttpRequest, response: HttpResponse, instance: models.Model, data: dict[str, Any]
    ) -> Status[Any] | models.Model:
        # The services check the role too; checking first keeps a viewer's answer a plain 403.
        require(request.user, spec.write_action)
        version = expected_version(request, data) if isinstance(instance, Versioned) else None
        try:
            if instance.pk is not None and isinstance(instance, Versioned):
                check_current(instance, version)
                expect_version(instance, version)
            extras = apply_payload(user=request.user, spec=spec, instance=instance, data=data)
            saved = spec.save(user=request.user, instance=instance, extras=extras)
        except StaleEdit as exc:
            current = fetch(request, exc.current.pk)
            tagged(response, current)
            return Status(409, {**exc.as_dict(), "current": current})
        return tagged(response, fetch(request, saved.pk))

    @router.get(
        "",
        response=page_schema,
        operation_id=f"{spec.name}_list",
        url_name=f"{spec.name}_list",
        summary=f"List {plural}",
    )
    def list_objects(
        request: HttpRequest,
        filters: Query[filter_schema],  # type: ignore[valid-type]
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        # A filter or an order on the name of a party outside the user's scope would tell the name (core.masking).
        condition = scope_party_lookups(request.user, spec.model, filters.get_filter_expression())  # type: ignore[attr-defined]
        qs = visible(spec.queryset(), request.user).filter(condition)
        # A stable order, so pages neither repeat nor skip rows.
        qs = qs.order_by(*party_ordering(request.user, spec.model, *(spec.model._meta.ordering or []), "pk"))
        return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}

    @router.post(
        "",
        response={201: out_schema, **errors},
        operation_id=f"{spec.name}_create",
        summary=f"Create a {label}",
    )
    def create_object(request: HttpRequest, response: HttpResponse, payload: in_schema) -> Status[Any]:  # type: ignore[valid-type]
        return Status(201, write(request, response, spec.model(), payload.model_dump()))  # type: ignore[attr-defined]

    @router.get(
        "/{int:pk}",
        response={200: out_schema, 404: ErrorOut},
        operation_id=f"{spec.name}_retrieve",
        url_name=f"{spec.name}_detail",
        summary=f"Retrieve a {label}",
    )
    def retrieve_object(request: HttpRequest, response: HttpResponse, pk: int) -> models.Model:
        return tagged(response, fetch(request, pk))

    @router.put(
        "/{int:pk}",
        response={200: out_schema, **errors},
        operation_id=f"{spec.name}_replace",
        summary=f"Replace a {label}",
    )
    def replace_object(request: HttpRequest, response: HttpResponse, pk: int, payload: in_schema) -> Any:  # type: ignore[valid-type]
        return write(request, response, fetch(request, pk), payload.model_dump())  # type: ignore[attr-defined]

    @router.patch(
        "/{int:pk}",
        response={200: out_schema, **errors},
        operation_id=f"{spec.name}_update",
        summary=f"Update a {label}",
    )
    def update_object(request: HttpRequest, response: HttpResponse, pk: int, payload: patch_schema) -> Any:  # type: ignore[valid-type]
        return write(request, response, fetch(request, pk), payload.model_dump(exclude_unset=True))  # type: ignore[attr-defined]

    @router.delete(
        "/{int:pk}",
        response={204: None, **errors},
        operation_id=f"{spec.name}_delete",
        summary=f"Delete a {label}",
    )
    def delete_object(request: HttpRequest, pk: int) -> Status[None]:
        instance = fetch(request, pk)
        require(request.user, spec.write_action)
        spec.delete(user=request.user, instance=instance)
        return Status(204, None)

    return router
