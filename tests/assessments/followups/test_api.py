"""The follow-up API (/api/v1/assessments/follow-ups/). Anonymous, viewer and other-company behaviour is
in tests/assessments/test_api_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from renkei.assessments.models import (
    FollowUp,
    FollowUpMessage,
)
from tests.assessments.api_helpers import API, send, today
from tests.assessments.factories import assignment, party, small_framework

pytestmark = pytest.mark.django_db


# --- follow-up items -----------------------------------------------------------------------------


def test_follow_up_crud_filters_and_messages(token_client: Client, own: Any, analyst: Any) -> None:
    org = party(name="是正先株式会社")
    created = send(token_client, "post", f"{API}/follow-ups",
                   {"organisation_id": org.pk, "title": "多要素認証の導入", "severity": "critical", "owner_user_id": analyst.pk})
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["due_date"] == (today() + dt.timedelta(days=14)).isoformat()  # by severity
    assert (item["group_company_id"], item["owner_user_id"], item["status"], item["overdue"]) == (own.pk, analyst.pk, "open", False)
    assert (item["organisation_name"], item["question_ref"], item["severity_label"], item["status_label"]) == (
        "是正先株式会社", None, "最重要", "未対応"
    )
    url = f"{API}/follow-ups/{item['id']}"
    bad_owner = send(token_client, "patch", url, {"owner_user_id": 999999})
    assert bad_owner.status_code == 400 and bad_owner.json()["errors"][0]["field"] == "owner_user_id"
    bad_org = send(token_client, "post", f"{API}/follow-ups", {"organisation_id": 999999, "title": "x"})
    assert bad_org.status_code == 400 and [e["field"] for e in bad_org.json()["errors"]] == ["organisation_id"]

    late = FollowUp.objects.create(organisation=org, group_company=own, title="期限切れ", due_date=today() - dt.timedelta(days=1))

    def ids(**params: Any) -> list[int]:
        return [i["id"] for i in token_client.get(f"{API}/follow-ups", params).json()["items"]]

    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [item["id"]]
    assert ids(severity="critical") == [item["id"]]
    assert set(ids(organisation_id=org.pk, owner="party")) == {late.pk, item["id"]}
    assert ids(owner="us") == []

    message = send(token_client, "post", f"{url}/messages", {"body": "導入予定日を教えてください"})
    assert message.status_code == 201 and message.json()["from_party"] is False
    assert send(token_client, "post", f"{url}/messages", {"body": " "}).status_code == 400
    closing = send(token_client, "post", f"{url}/messages", {"body": "確認しました", "status": "resolved"})
    assert closing.status_code == 201 and "確認しました" in closing.json()["body"]
    thread = token_client.get(f"{url}/messages").json()
    assert len(thread) == 2 and thread[0]["body"] == "導入予定日を教えてください"
    resolved = token_client.get(url).json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert ids(open="false") == [item["id"]]

    reopened = send(token_client, "patch", url, {"status": "open"})
    assert reopened.status_code == 200 and reopened.json()["resolved_at"] is None
    assert token_client.delete(url).status_code == 204
    assert not FollowUp.objects.filter(pk=item["id"]).exists()
    assert not FollowUpMessage.objects.exists()


def test_follow_up_question_must_belong_to_the_assessment(analyst_client: Client, own: Any) -> None:
    a = assignment()
    other = small_framework(key="other-check")
    question = other.questions.first()
    response = send(analyst_client, "post", f"{API}/follow-ups", {
        "organisation_id": a.organisation_id, "assignment_id": a.pk, "question_id": question.pk, "title": "x",
    })
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "question_id"
    wrong_party = send(analyst_client, "post", f"{API}/follow-ups", {
        "organisation_id": party().pk, "assignment_id": a.pk, "title": "x",
    })
    assert wrong_party.status_code == 400
    assert not FollowUp.objects.exists()
    ok = send(analyst_client, "post", f"{API}/follow-ups", {
        "organisation_id": a.organisation_id, "assignment_id": a.pk,
        "question_id": a.framework.questions.get(ref="B-1").pk, "title": "MFA",
    })
    assert ok.status_code == 201 and ok.json()["question_ref"] == "B-1"
