"""The review API: accept, return, follow-ups from answers, declared subcontractors. Anonymous, viewer and
other-company behaviour is in tests/assessments/test_api_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from renkei.assessments.answering import services as answer_services
from renkei.assessments.models import (
    Answer,
    DeclarationStatus,
    ReviewComment,
)
from renkei.registry.models import DataHolding, Relationship
from tests import factories as f
from tests.assessments.api_helpers import API, PARTNER, send, submitted, today
from tests.assessments.factories import assignment

pytestmark = pytest.mark.django_db


def test_review_return_and_follow_ups(token_client: Client, own: Any) -> None:
    a = submitted()
    url = f"{API}/assignments/{a.pk}"
    Answer.objects.filter(assignment=a, question__ref="B-1").update(value="no")  # a gap to follow up
    not_answered = send(token_client, "post", f"{url}/answers/B-2/review", {"state": "accepted"})
    assert not_answered.status_code == 409
    no_comment = send(token_client, "post", f"{url}/answers/B-1/review", {"state": "change_requested"})
    assert no_comment.status_code == 400 and no_comment.json()["errors"][0]["field"] == "comment"
    reviewed = send(token_client, "post", f"{url}/answers/B-1/review",
                    {"state": "change_requested", "comment": "設定画面を添付してください"})
    assert reviewed.status_code == 200
    item = reviewed.json()
    assert item["review_state"] == "change_requested"
    assert [(c["kind"], c["body"], c["from_party"]) for c in item["comments"]] == [
        ("change_request", "設定画面を添付してください", False)
    ]
    accepted = send(token_client, "post", f"{url}/answers/A-1/review", {"state": "accepted"})
    assert accepted.json()["review_state"] == "accepted"
    blocked = send(token_client, "post", f"{url}/accept")
    assert blocked.status_code == 409

    proposals = token_client.get(f"{url}/proposed-follow-ups").json()
    assert [(p["question"], p["severity"], p["value"]) for p in proposals] == [("B-1", "high", "no")]
    assert proposals[0]["due_date"] == (today() + dt.timedelta(days=30)).isoformat()
    bad = send(token_client, "post", f"{url}/follow-ups", {"question_refs": ["Z-9"]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "question_refs.0"
    empty = send(token_client, "post", f"{url}/follow-ups", {})
    assert empty.status_code == 400
    created = send(token_client, "post", f"{url}/follow-ups", {"question_refs": ["B-1", "A-1"]})
    assert created.status_code == 201
    items = created.json()
    assert [(i["question_ref"], i["severity"], i["owner"], i["status"]) for i in items] == [("B-1", "high", "party", "open")]
    assert token_client.get(f"{url}/proposed-follow-ups").json() == []

    mail.outbox.clear()
    returned = send(token_client, "post", f"{url}/return", {"message": "B-1 の証跡をお願いします"})
    assert returned.status_code == 200 and returned.json()["status"] == "changes_requested"
    assert len(mail.outbox) == 1
    assert ReviewComment.objects.filter(assignment=a, question=None, body="B-1 の証跡をお願いします").exists()
    assert send(token_client, "post", f"{url}/return", {"message": "again"}).status_code == 409


# --- declared subcontractors ---------------------------------------------------------------------


def test_declarations_accept_and_reject(token_client: Client, own: Any) -> None:
    a = assignment()
    asset = f.InformationAssetFactory(name="顧客名簿")
    f.DataHoldingFactory(asset=asset, holder=a.organisation)
    accepted = answer_services.declaration_add(
        respondent=PARTNER, assignment=a, name="再委託印刷株式会社", service="封入作業", asset_ids=[asset.pk]
    )
    rejected = answer_services.declaration_add(respondent=PARTNER, assignment=a, name="個人事業主")
    listed = token_client.get(f"{API}/assignments/{a.pk}/declarations").json()
    assert [(d["name"], d["status"], [x["name"] for x in d["assets"]]) for d in listed] == [
        ("再委託印刷株式会社", "proposed", ["顧客名簿"]), ("個人事業主", "proposed", [])
    ]
    assert (listed[0]["organisation_name"], listed[0]["declared_by"], listed[0]["status_label"]) == (
        None, "山田 太郎", "確認待ち"
    )
    unknown = send(token_client, "post", f"{API}/declarations/{accepted.pk}/accept", {"organisation_id": 999999})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "organisation_id"
    response = send(token_client, "post", f"{API}/declarations/{accepted.pk}/accept", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["organisation_name"] == "再委託印刷株式会社" and body["decided_by"]
    assert Relationship.objects.filter(client=a.organisation, provider_id=body["organisation_id"]).exists()
    assert DataHolding.objects.filter(asset=asset, holder_id=body["organisation_id"], received_from=a.organisation).exists()
    assert send(token_client, "post", f"{API}/declarations/{accepted.pk}/accept", {}).status_code == 409

    response = send(token_client, "post", f"{API}/declarations/{rejected.pk}/reject", {"note": "取引実態なし"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_note"]) == ("rejected", "取引実態なし")
    rejected.refresh_from_db()
    assert rejected.status == DeclarationStatus.REJECTED
