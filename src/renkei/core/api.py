"""API plumbing: session authentication and the one error shape (token authentication is in
`accounts.api_auth`, next to the tokens).

Every error answers `{"message": ..., "errors": [{"field": ..., "message": ...}]}`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import SessionAuth

from renkei.core.audit import set_current_actor
from renkei.core.concurrency import VERSION_FIELD, StaleEdit, current_version, etag
from renkei.core.errors import RenkeiError


class ActiveSessionAuth(SessionAuth):
    """Browser session (with Ninja's CSRF check on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            set_current_actor(user, via="api session")
        return user


class SelfHostedSwagger(DocsBase):
    """The API documentation page with Swagger UI from our own static files (copied from the npm
    package at install time, scripts/vendor_assets.py): no CDN, which offline installs lack and whose
    code we could not pin, and no inline script, so the page keeps the site's Content-Security-Policy."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": reverse(f"{api.urls_namespace}:openapi-json", kwargs=kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        return render(request, "core/api_docs.html", {"api": api, "swagger_settings": settings})


def error_body(message: str, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"message": message, "errors": items or [{"message": message}]}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(RenkeiError)
    def renkei_error(request: HttpRequest, exc: RenkeiError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(StaleEdit)
    def stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
        # Endpoints of their own shape: the current version and its ETag (GET the record for the
        # rest). The CRUD router answers with the whole current record itself.
        version = current_version(exc.current) if exc.current is not None else None
        body = {**exc.as_dict(), "current": {VERSION_FIELD: version}}
        response = api.create_response(request, body, status=409)
        if version is not None:
            response["ETag"] = etag(version)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body(_("You do not have permission to do this.")), status=403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body(_("Authentication required.")), status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        items = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
            items.append({"field": ".".join(loc) or None, "message": err.get("msg", "")})
        message = items[0]["message"] if items else _("Invalid input.")
        return api.create_response(request, {"message": message, "errors": items}, status=422)

