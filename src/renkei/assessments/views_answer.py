"""Answering a questionnaire: the shared screen of the portal and of self-assessments."""

from __future__ import annotations

from django.urls import URLPattern


def staff_urlpatterns() -> list[URLPattern]:
    return []
