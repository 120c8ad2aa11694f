"""The required-level, policy, campaign and assessment API (/api/v1/assessments/). Anonymous, viewer and
other-company behaviour is in tests/assessments/test_api_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from renkei.assessments.assurance import add_months
from renkei.assessments.models import (
    AssessmentPolicy,
    Assignment,
    AssuranceOverride,
    Campaign,
)
from renkei.registry.models import Criticality
from tests.assessments.api_helpers import API, send, submitted, today
from tests.assessments.factories import assignment, party, small_framework

pytestmark = pytest.mark.django_db


# --- required levels and policy ------------------------------------------------------------------


def test_required_levels_override_and_filters(token_client: Client, own: Any) -> None:
    critical = party(name="重要委託先", criticality=Criticality.CRITICAL)
    plain = party(name="一般取引先", criticality=Criticality.LOW)
    page = token_client.get(f"{API}/parties").json()
    rows = {r["organisation_name"]: r for r in page["items"]}
    assert set(rows) == {"重要委託先", "一般取引先"}  # our own company is not a party
    assert rows["重要委託先"]["proposed_level"] == "scs4" and rows["重要委託先"]["proposal_reasons"]
    assert rows["一般取引先"]["required_level"] == "scs3" and rows["一般取引先"]["overdue"] is True
    assert rows["一般取引先"]["last_assessed"] is None and rows["一般取引先"]["interval_months"] == 36

    url = f"{API}/parties/{plain.pk}/override"
    refused = send(token_client, "put", url, {"level": "scs4", "reason": " "})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    response = send(token_client, "put", url, {"level": "scs4", "reason": "基幹システムの保守を委託"})
    assert response.status_code == 200
    row = response.json()
    assert (row["proposed_level"], row["override_level"], row["required_level"], row["override_reason"]) == (
        "scs3", "scs4", "scs4", "基幹システムの保守を委託"
    )
    level4 = token_client.get(f"{API}/parties", {"level": "scs4"}).json()
    assert level4["count"] == 2
    assert token_client.get(f"{API}/parties", {"level": "scs3"}).json()["count"] == 0
    assert token_client.get(f"{API}/parties", {"overdue": "false"}).json()["count"] == 0
    assert token_client.get(f"{API}/parties", {"q": "重要"}).json()["items"][0]["organisation_id"] == critical.pk

    cleared = token_client.delete(url)
    assert cleared.status_code == 200 and cleared.json()["override_level"] is None
    assert not AssuranceOverride.objects.exists()
    assert token_client.get(f"{API}/parties/{plain.pk}").json()["required_level"] == "scs3"
    assert token_client.get(f"{API}/parties/{own.pk}").status_code == 404  # not a party


def test_last_assessment_sets_the_next_due_date(token_client: Client, own: Any) -> None:
    a = submitted()
    send(token_client, "post", f"{API}/assignments/{a.pk}/accept")
    row = token_client.get(f"{API}/parties/{a.organisation_id}").json()
    assert row["last_assessed"] == today().isoformat() and row["overdue"] is False
    assert row["next_due"] == add_months(today(), row["interval_months"]).isoformat()
    assert token_client.get(f"{API}/parties", {"overdue": "false"}).json()["count"] == 1


def test_policy_defaults_and_save(analyst_client: Client, own: Any) -> None:
    url = f"{API}/policies/{own.pk}"
    default = analyst_client.get(url).json()
    assert (default["saved"], default["months_medium"], default["group_company_name"]) == (False, 24, own.name)
    saved = send(analyst_client, "put", url, {"months_critical": 6, "months_high": 12, "months_medium": 18, "months_low": 24,
                                             "reminder_days_before": 14, "overdue_reminder_days": 0})
    assert saved.status_code == 200 and saved.json()["saved"] is True
    policy = AssessmentPolicy.objects.get(group_company=own)
    assert (policy.months_critical, policy.reminder_days_before, policy.overdue_reminder_days) == (6, 14, 0)
    assert send(analyst_client, "put", url, {"months_low": 0}).status_code == 422
    assert AssessmentPolicy.objects.get(group_company=own).months_low == 24
    listed = analyst_client.get(f"{API}/policies").json()
    assert [(p["group_company_id"], p["months_critical"]) for p in listed] == [(own.pk, 6)]
    assert analyst_client.get(f"{API}/policies/{party().pk}").status_code == 404  # not a group company


# --- campaigns -----------------------------------------------------------------------------------


def test_campaign_draft_parties_launch_and_close(
    token_client: Client, own: Any, django_capture_on_commit_callbacks: Any
) -> None:
    framework = small_framework()
    a, b = party(name="委託先A"), party(name="委託先B")
    due = (today() + dt.timedelta(days=30)).isoformat()
    created = send(token_client, "post", f"{API}/campaigns",
                   {"name": "2025年度 委託先点検", "framework_id": framework.pk, "due_date": due, "message": "ご回答ください"})
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert (campaign["status"], campaign["group_company_id"], campaign["party_count"], campaign["progress"]["total"]) == (
        "draft", own.pk, 0, 0
    )
    url = f"{API}/campaigns/{campaign['id']}"

    no_parties = send(token_client, "post", f"{url}/launch")
    assert no_parties.status_code == 400 and no_parties.json()["errors"][0]["field"] == "parties"
    response = send(token_client, "put", f"{url}/parties", {"organisation_ids": [a.pk, b.pk, a.pk]})
    assert response.status_code == 200 and response.json()["party_count"] == 2
    assert [p["name"] for p in token_client.get(f"{url}/parties").json()["items"]] == ["委託先A", "委託先B"]
    ours = send(token_client, "put", f"{url}/parties", {"organisation_ids": [own.pk]})
    assert ours.status_code == 400 and ours.json()["errors"][0]["field"] == "parties"

    patched = send(token_client, "patch", url, {"name": "委託先点検(改)", "message": None})
    assert patched.status_code == 200 and patched.json()["name"] == "委託先点検(改)"
    assert patched.json()["message"] == "ご回答ください"

    with django_capture_on_commit_callbacks(execute=True):
        launched = send(token_client, "post", f"{url}/launch")
    assert launched.status_code == 202, launched.content
    assert launched.json()["launch_total"] == 2
    detail = token_client.get(url).json()
    assert (detail["status"], detail["launch_done"], detail["progress"]["not_started"], detail["progress"]["total"]) == (
        "running", 2, 2, 2
    )
    assert len(mail.outbox) == 2
    assert Assignment.objects.filter(campaign_id=campaign["id"]).count() == 2

    again = send(token_client, "post", f"{url}/launch")
    assert again.status_code == 409 and again.json()["message"]
    assert send(token_client, "put", f"{url}/parties", {"organisation_ids": [a.pk]}).status_code == 409
    other = small_framework(key="other-check")
    changed = send(token_client, "patch", url, {"framework_id": other.pk})
    assert changed.status_code == 400 and changed.json()["errors"][0]["field"] == "framework"
    later = (today() + dt.timedelta(days=60)).isoformat()
    assert send(token_client, "patch", url, {"due_date": later}).status_code == 200
    assert {x.due_date.isoformat() for x in Assignment.objects.filter(campaign_id=campaign["id"])} == {later}
    assert token_client.delete(url).status_code == 409

    listed = token_client.get(f"{API}/campaigns", {"status": "running", "framework_id": framework.pk}).json()
    assert [c["id"] for c in listed["items"]] == [campaign["id"]] and listed["items"][0]["party_count"] == 2
    assert token_client.get(f"{API}/campaigns", {"status": "draft"}).json()["count"] == 0

    closed = send(token_client, "post", f"{url}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_campaign_bad_input_and_draft_delete(analyst_client: Client, own: Any) -> None:
    framework = small_framework()
    past = send(analyst_client, "post", f"{API}/campaigns",
                {"name": "過去", "framework_id": framework.pk, "due_date": "2000-01-01"})
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "due_date"
    unknown = send(analyst_client, "post", f"{API}/campaigns",
                   {"name": "不明", "framework_id": 999999, "due_date": "2099-01-01"})
    assert unknown.status_code == 400 and [e["field"] for e in unknown.json()["errors"]] == ["framework_id"]
    missing = send(analyst_client, "post", f"{API}/campaigns", {"name": "", "framework_id": framework.pk})
    assert missing.status_code == 422
    assert not Campaign.objects.exists()

    created = send(analyst_client, "post", f"{API}/campaigns",
                   {"name": "下書き", "framework_id": framework.pk, "due_date": "2099-01-01"}).json()
    nobody = send(analyst_client, "put", f"{API}/campaigns/{created['id']}/parties", {"organisation_ids": [999999]})
    assert nobody.status_code == 400 and nobody.json()["errors"][0]["field"] == "organisation_ids.0"
    assert analyst_client.delete(f"{API}/campaigns/{created['id']}").status_code == 204
    assert not Campaign.objects.exists()


def test_assignment_list_filters_and_delete(analyst_client: Client, own: Any) -> None:
    late = assignment(party(name="遅延株式会社"), days=30)
    Assignment.objects.filter(pk=late.pk).update(due_date=today() - dt.timedelta(days=1))
    fresh = assignment(party(name="新規株式会社"), framework=late.framework)
    done = submitted()

    def ids(**params: Any) -> list[int]:
        return [i["id"] for i in analyst_client.get(f"{API}/assignments", params).json()["items"]]

    assert set(ids()) == {late.pk, fresh.pk, done.pk}
    assert ids(status="overdue") == [late.pk]
    assert ids(status="not_started") == [fresh.pk]  # the overdue one shows as overdue only
    assert ids(status="submitted") == [done.pk]
    assert ids(organisation_id=fresh.organisation_id) == [fresh.pk]
    assert set(ids(framework_id=late.framework_id)) == {late.pk, fresh.pk, done.pk}
    assert ids(framework_id=small_framework(key="unused-check").pk) == []
    listed = analyst_client.get(f"{API}/assignments", {"status": "overdue"}).json()["items"][0]
    assert (listed["display_status"], listed["status"], listed["organisation_name"]) == ("overdue", "not_started", "遅延株式会社")
    assert analyst_client.get(f"{API}/assignments", {"status": "late"}).status_code == 422

    assert analyst_client.delete(f"{API}/assignments/{done.pk}").status_code == 409
    assert analyst_client.delete(f"{API}/assignments/{fresh.pk}").status_code == 204
    assert not Assignment.objects.filter(pk=fresh.pk).exists()
