"""Pages that outsiders open without an account (the intake form, the partner portal).

They pick their language from `?lang=` (kept in the session) and are never cached: their content
(receipt codes, answers, evidence names) must not stay in shared caches or in the back button of a
shared PC.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation


def public_language(request: HttpRequest) -> None:
    """`?lang=en` / `?lang=ja` on a public page switches the language for this browser's session."""
    language = request.GET.get("lang")
    if language in {"ja", "en"}:
        request.session["language"] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def public_response(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Content-Language"] = translation.get_language()
    response["Cache-Control"] = "no-store"
    # Not "no-referrer": with it, browsers send `Origin: null` on a form's POST and Django's CSRF check refuses it.
    response["Referrer-Policy"] = "same-origin"
    return response
