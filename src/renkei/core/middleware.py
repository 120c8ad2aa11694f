"""Request-wide concerns: the user's language, the audit actor, application errors."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.core.network import client_address

Handler = Callable[[HttpRequest], HttpResponse]


class UserPreferencesMiddleware:
    """Activate the logged-in user's language (Japanese by default); anonymous pages honour ?lang=."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = "ja"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "ja") or "ja"
        elif request.session.get("language") in {"ja", "en"}:
            language = request.session["language"]
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AuditActorMiddleware:
    """Every audit entry written during a request names the logged-in user and the client address."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with audit_context(actor=actor, via="web", remote_addr=client_address(request)):
            return self.get_response(request)


class ApplicationErrorMiddleware:
    """A RenkeiError that escapes a page view becomes a readable error page, never a stack trace."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RenkeiError) and not request.path.startswith("/api/"):
            return render(request, "core/error.html", {"error": exception}, status=exception.status)
        return None


# Browser features no page of ours uses; a script injected despite the CSP cannot use them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header on every response (Django has no setting for it)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
