"""Excel round trip pages: check sheets as frameworks, assessments as workbooks."""

from __future__ import annotations

from django.urls import URLPattern


def staff_urlpatterns() -> list[URLPattern]:
    return []


def portal_urlpatterns() -> list[URLPattern]:
    return []
