"""Staff pages: frameworks, campaigns, review, follow-ups, required levels and policy."""

from __future__ import annotations

from django.urls import URLPattern


def urlpatterns() -> list[URLPattern]:
    return []
