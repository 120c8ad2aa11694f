"""Helpers of the partner portal tests (no tests here), also used by the answering and guard tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renkei.accounts.services import portal_link_issue
from renkei.assessments.answering import services as answering
from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.models import (
    Assignment,
    FrameworkOrigin,
)

NAME = "山田 太郎"


# --- helpers (also used by answering/test_views.py and test_portal_guard.py) ---------------------------


def issue_link(organisation: Any, days: int = 30) -> str:
    _link, raw = portal_link_issue(user=None, organisation=organisation, expires_at=timezone.now() + dt.timedelta(days=days))
    return raw


def enter(client: Client, organisation: Any, name: str | None = NAME) -> Client:
    """A browser that opened the party's portal link (and gave its name, unless `name` is None)."""
    response = client.get(f"/portal/t/{issue_link(organisation)}/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/")
    if name:
        assert client.post("/portal/name/", {"name": name, "next": "/portal/"}).status_code == 302
    return client


def qid(a: Assignment, ref: str) -> int:
    return a.framework.questions.get(ref=ref).pk


def save(client: Client, url: str, value: Any, base_version: int | None = 0, note: str | None = None) -> Any:
    payload: dict[str, Any] = {"value": value, "base_version": base_version}
    if note is not None:
        payload["note"] = note
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def answer_all(a: Assignment, name: str = NAME) -> None:
    respondent = answering.Respondent(name=name)
    for ref in ("A-1", "A-2", "B-1"):
        answering.answer_save(respondent=respondent, assignment=a, question_id=qid(a, ref), value="yes")
    answering.answer_save(respondent=respondent, assignment=a, question_id=qid(a, "B-3"), value="full")


def big_framework(questions: int, key: str) -> Any:
    """A framework of `questions` questions in sections of 20, every answer type represented."""
    types = ["yesno", "single", "multiple", "number", "text", "date", "maturity", "yesno", "yesno", "yesno"]
    sections = []
    for s in range(0, questions, 20):
        items = []
        for n in range(s, min(s + 20, questions)):
            kind = types[n % len(types)]
            question: dict[str, Any] = {
                "id": f"Q-{n + 1}",
                "text": {"ja": f"質問 {n + 1}: 管理策を実施していますか", "en": f"Question {n + 1}"},
                "type": kind,
                "levels": ["★3"],
                "evidence": {"ja": "規程", "en": "Policy"},
            }
            if kind in ("single", "multiple"):
                question["choices"] = [
                    {"value": "a", "label": {"ja": "あ", "en": "A"}, "score": 0},
                    {"value": "b", "label": {"ja": "い", "en": "B"}, "score": 1},
                ]
            if kind == "maturity":
                question["choices"] = [{"value": str(v), "label": {"ja": f"{v}: 段階", "en": f"{v}: level"}, "score": v} for v in range(6)]
            items.append(question)
        sections.append({"id": f"S{s // 20 + 1}", "title": {"ja": f"分野 {s // 20 + 1}", "en": f"Area {s // 20 + 1}"}, "questions": items})
    document = {
        "schema": "renkei-framework/1",
        "key": key,
        "version": "1",
        "name": {"ja": f"大きな確認 {questions}", "en": f"Big check {questions}"},
        "scoring": "percent",
        "levels": ["★3"],
        "sections": sections,
    }
    spec = framework_loading.spec_from_document(document, filename=f"{key}.yaml")
    framework, _changed = framework_services.framework_install(user=None, spec=spec, origin=FrameworkOrigin.UPLOADED)
    return framework


def fill_some(a: Assignment, count: int) -> None:
    """Answers, evidence and comments on the first `count` questions (so the page shows them all)."""
    respondent = answering.Respondent(name=NAME)
    for question in a.framework.questions.order_by("order")[:count]:
        value = {"yesno": "yes", "single": "a", "multiple": ["a"], "number": 3, "text": "はい", "date": "2025-01-01", "maturity": "3"}[question.answer_type]
        answering.answer_save(respondent=respondent, assignment=a, question_id=question.pk, value=value, note="備考")
        answering.comment_add(respondent=respondent, assignment=a, body="質問があります", question_id=question.pk)
        answering.evidence_add(respondent=respondent, assignment=a, question_id=question.pk, upload=SimpleUploadedFile("規程.pdf", b"%PDF-1.4 x"))


# --- performance ----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches (framework data, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)
