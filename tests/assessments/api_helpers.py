"""Helpers of the assessments API tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from renkei.assessments.answering import services as answer_services
from renkei.assessments.models import (
    Assignment,
)
from tests.assessments.factories import assignment

API = "/api/v1/assessments"
PARTNER = answer_services.Respondent(name="山田 太郎")
OTHER = answer_services.Respondent(name="佐藤 花子")


def today() -> dt.date:
    return timezone.localdate()


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    """A JSON request (GET and DELETE without a body)."""
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, body if body is not None else {}, content_type="application/json")


def answer_all(a: Assignment, value: str = "yes") -> None:
    answer_services.answers_save_many(
        respondent=PARTNER, assignment=a,
        values={"A-1": (value, None), "A-2": (value, None), "B-1": (value, None), "B-3": ("full", None)},
    )


def submitted(**kwargs: Any) -> Assignment:
    a = assignment(**kwargs)
    answer_all(a)
    return answer_services.assignment_submit(respondent=PARTNER, assignment=a)
