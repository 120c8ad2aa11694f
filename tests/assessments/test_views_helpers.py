"""Helpers of the staff page tests (no tests here): logged-in clients, pages, submitted assessments."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renkei.assessments.answering import services as answering
from renkei.assessments.models import Assignment

PARTNER = answering.Respondent(name="山田 太郎")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"assessments:{name}", args=args)


def page(client: Client, name: str, *args: Any, status: int = 200, query: str = "") -> str:
    response = client.get(url(name, *args) + query)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def answer(a: Assignment, ref: str, value: Any, note: str | None = None) -> None:
    question = a.framework.questions.get(ref=ref)
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=question.pk, value=value, note=note)


def submit(a: Assignment, values: dict[str, Any] | None = None) -> Assignment:
    """Answer the small framework's required questions (A-1, A-2, B-1 yes; B-3 full unless given) and submit."""
    answers = {"A-1": "yes", "A-2": "yes", "B-1": "yes", "B-3": "full", **(values or {})}
    for ref, value in answers.items():
        answer(a, ref, value)
    answering.answers_confirm_carried(respondent=PARTNER, assignment=a)
    return answering.assignment_submit(respondent=PARTNER, assignment=a)


def count_queries(client: Client, path: str) -> int:
    client.get(path)  # warm caches (content types, session, framework data) outside the measurement
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:2000]
    return len(queries)
