"""The assessments API (/api/v1/assessments/): the behaviours of every endpoint, with a token and
with a session. Anonymous, viewer and other-company behaviour is in test_api_permissions.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renkei.accounts.services import api_token_create
from renkei.assessments.answering import services as answer_services
from renkei.assessments.assurance import add_months
from renkei.assessments.models import (
    Answer,
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceOverride,
    Campaign,
    DeclarationStatus,
    Evidence,
    FollowUp,
    FollowUpMessage,
    Framework,
    ReviewComment,
)
from renkei.registry.models import Criticality, DataHolding, Relationship
from tests import factories as f
from tests.assessments.factories import SMALL_FRAMEWORK, assignment, party, small_framework

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def token_client(analyst: Any) -> Client:
    _token, raw = api_token_create(user=analyst, name="CI", days=30)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def answer_all(a: Assignment, value: str = "yes") -> None:
    answer_services.answers_save_many(
        respondent=PARTNER, assignment=a,
        values={"A-1": (value, None), "A-2": (value, None), "B-1": (value, None), "B-3": ("full", None)},
    )


def submitted(**kwargs: Any) -> Assignment:
    a = assignment(**kwargs)
    answer_all(a)
    return answer_services.assignment_submit(respondent=PARTNER, assignment=a)


# --- frameworks ----------------------------------------------------------------------------------


def test_framework_list_and_detail_with_a_token(token_client: Client) -> None:
    framework = small_framework()
    page = token_client.get(f"{API}/frameworks", {"q": "test-small"}).json()
    assert (page["count"], page["limit"], page["offset"]) == (1, 50, 0)
    item = page["items"][0]
    assert (item["key"], item["version"], item["name_ja"], item["question_count"], item["origin"]) == (
        "test-small", "1", "小さな確認", 5, "uploaded"
    )
    builtin = token_client.get(f"{API}/frameworks", {"origin": "builtin", "active": "true"}).json()
    assert builtin["count"] == 4 and "test-small" not in {i["key"] for i in builtin["items"]}

    detail = token_client.get(f"{API}/frameworks/{framework.pk}").json()
    assert detail["in_use"] is False and detail["levels"] == ["★3", "★4"]
    assert [s["ref"] for s in detail["sections"]] == ["A", "B"]
    a1, a2 = detail["sections"][0]["questions"]
    assert (a1["ref"], a1["section"], a1["text_en"], a1["answer_type"], a1["weight"], a1["levels"]) == (
        "A-1", "A", "Is someone responsible?", "yesno", 2.0, ["★3", "★4"]
    )
    b1, b2, b3 = detail["sections"][1]["questions"]
    assert (b1["evidence_ja"], b1["evidence_en"], b2["required"]) == ("設定画面", "Settings screen", False)
    assert [(c["value"], c["en"], c["score"]) for c in b3["choices"]] == [
        ("none", "None", 0), ("partial", "Partial", 1), ("full", "Full", 2)
    ]
    assert token_client.get(f"{API}/frameworks/999999").status_code == 404


def yaml_file(text: str, name: str = "framework.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/x-yaml")


def test_framework_upload(analyst_client: Client, own: Any) -> None:
    text = SMALL_FRAMEWORK.replace("key: test-small", "key: uploaded-check")
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(text)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["key"], body["origin"], body["group_company_id"], body["question_count"]) == (
        "uploaded-check", "uploaded", None, 5
    )
    assert sum(len(s["questions"]) for s in body["sections"]) == 5
    # For one group company only.
    text2 = SMALL_FRAMEWORK.replace("key: test-small", "key: company-check")
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(text2), "group_company_id": str(own.pk)})
    assert response.status_code == 201 and response.json()["group_company_id"] == own.pk


def test_framework_upload_with_schema_errors_lists_every_problem(analyst_client: Client) -> None:
    broken = """
schema: renkei-framework/1
key: Broken Key
version: "1"
name: 壊れた枠組み
sections:
  - id: A
    title: 管理
    questions:
      - {id: A-1, text: 責任者は, type: maybe}
      - {id: A-1, type: yesno}
"""
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(broken, "broken.yaml")})
    assert response.status_code == 400
    body = response.json()
    assert "broken.yaml" in body["message"]
    fields = [e["field"] for e in body["errors"]]
    assert len(body["errors"]) >= 4, body
    assert "key" in fields and any("questions[0]" in f and f.endswith(".type") for f in fields)
    assert any("questions[1]" in f and f.endswith(".text") for f in fields)
    assert all(e["message"].startswith("broken.yaml: ") for e in body["errors"])
    assert not Framework.objects.filter(name_ja="壊れた枠組み").exists()

    not_yaml = analyst_client.post(f"{API}/frameworks", {"file": yaml_file("a: [b", "bad.yaml")})
    assert not_yaml.status_code == 400 and not_yaml.json()["errors"][0]["field"] == "file"
    missing = analyst_client.post(f"{API}/frameworks", {"other": "x"})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    huge = analyst_client.post(f"{API}/frameworks", {"file": yaml_file("a: b")}, CONTENT_LENGTH=str(50 * 2**20))
    assert huge.status_code == 413
    unknown_company = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(SMALL_FRAMEWORK), "group_company_id": "999999"})
    assert unknown_company.status_code == 400 and unknown_company.json()["errors"][0]["field"] == "group_company_id"


def test_framework_retire_and_delete(token_client: Client, own: Any) -> None:
    framework = small_framework()
    response = send(token_client, "post", f"{API}/frameworks/{framework.pk}/active", {"active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert framework.pk not in {i["id"] for i in token_client.get(f"{API}/frameworks", {"active": "true"}).json()["items"]}
    send(token_client, "post", f"{API}/frameworks/{framework.pk}/active", {"active": True})

    assignment(framework=framework)
    used = token_client.delete(f"{API}/frameworks/{framework.pk}")
    assert used.status_code == 409 and used.json()["message"]
    assert Framework.objects.filter(pk=framework.pk).exists()
    assert token_client.get(f"{API}/frameworks/{framework.pk}").json()["in_use"] is True

    unused = small_framework(key="unused-check")
    assert token_client.delete(f"{API}/frameworks/{unused.pk}").status_code == 204
    assert not Framework.objects.filter(pk=unused.pk).exists()


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


# --- assignments, answers, review ----------------------------------------------------------------


def test_self_assessment_answer_submit_and_accept(token_client: Client, own: Any) -> None:
    framework = small_framework()
    due = (today() + dt.timedelta(days=14)).isoformat()
    response = send(token_client, "post", f"{API}/assignments",
                    {"organisation_id": own.pk, "framework_id": framework.pk, "due_date": due, "invite": False})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["display_status"], created["questions"], created["answered"]) == (
        "not_started", "not_started", 5, 0
    )
    # Names and labels read through the record: a self-assessment has no campaign.
    assert (created["organisation_name"], created["framework_name"], created["campaign_name"]) == (
        own.name, framework.name, None
    )
    assert created["display_status_label"] == "未着手" and created["submitted_by"] == ""
    url = f"{API}/assignments/{created['id']}"
    twice = send(token_client, "post", f"{API}/assignments",
                 {"organisation_id": own.pk, "framework_id": framework.pk, "due_date": due, "invite": False})
    assert twice.status_code == 409

    answers = token_client.get(f"{url}/answers").json()
    assert [a["question"] for a in answers] == ["A-1", "A-2", "B-1", "B-2", "B-3"]
    assert answers[0]["value"] is None and answers[0]["version"] == 0
    assert [o["value"] for o in answers[0]["options"]] == ["yes", "partly", "no", "na", "unknown"]

    saved = send(token_client, "put", f"{url}/answers", {"answers": [
        {"question": "A-1", "value": "はい", "note": "情報システム部長"},
        {"question": "A-2", "value": "yes"},
        {"question": "B-1", "value": "no"},
        {"question": "B-2", "value": "1,200"},
        {"question": "B-3", "value": "Partial"},
    ]})
    assert saved.status_code == 200 and saved.json() == {"changed": 5}
    answers = {a["question"]: a for a in token_client.get(f"{url}/answers").json()}
    assert (answers["A-1"]["value"], answers["A-1"]["note"], answers["A-1"]["version"]) == ("yes", "情報システム部長", 1)
    assert answers["B-2"]["value"] == 1200 and answers["B-3"]["value"] == "partial"
    assert answers["A-1"]["updated_by"] == Assignment.objects.get(pk=created["id"]).answers.first().updated_by_name

    detail = token_client.get(url).json()
    assert detail["status"] == "in_progress" and detail["answered"] == 5
    summary = detail["summary"]
    assert [s["ref"] for s in summary["sections"]] == ["A", "B"]
    assert summary["overall"]["percent"] is not None and summary["sections"][0]["percent"] == 100.0
    readiness = {r["level"]: r for r in summary["readiness"]}
    assert readiness["★3"]["gaps"] == ["B-1"] and readiness["★3"]["ready"] is False

    submit = send(token_client, "post", f"{url}/submit")
    assert submit.status_code == 200 and submit.json()["status"] == "submitted"
    read_only = send(token_client, "patch", f"{url}/answers/B-1", {"value": "yes"})
    assert read_only.status_code == 409 and "current" not in read_only.json()
    accepted = send(token_client, "post", f"{url}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["reviewed_by"]
    reopened = send(token_client, "post", f"{url}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "submitted"


def test_bad_answer_value_saves_nothing(analyst_client: Client, own: Any) -> None:
    a = assignment()
    url = f"{API}/assignments/{a.pk}/answers"
    response = send(analyst_client, "put", url, {"answers": [
        {"question": "A-1", "value": "yes"},
        {"question": "B-2", "value": "たくさん"},
        {"question": "Z-9", "value": "yes"},
    ]})
    assert response.status_code == 400
    body = response.json()
    assert {e["field"] for e in body["errors"]} == {"B-2", "Z-9"}
    assert not Answer.objects.filter(assignment=a).exists()
    duplicate = send(analyst_client, "put", url, {"answers": [{"question": "A-1", "value": "yes"}, {"question": "A-1", "value": "no"}]})
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "answers.1"
    one = send(analyst_client, "patch", f"{url}/B-3", {"value": "everything"})
    assert one.status_code == 400 and one.json()["errors"][0]["field"] == "value"
    assert not Answer.objects.filter(assignment=a).exists()
    assert send(analyst_client, "patch", f"{url}/Z-9", {"value": "yes"}).status_code == 404
    a.refresh_from_db()
    assert a.status == AssignmentStatus.NOT_STARTED


def test_concurrent_answer_is_a_409_with_the_current_answer(token_client: Client, own: Any) -> None:
    a = assignment()
    url = f"{API}/assignments/{a.pk}/answers/A-1"
    first = send(token_client, "patch", url, {"value": "yes", "base_version": 0})
    assert first.status_code == 200 and first.json()["version"] == 1
    # The partner changes the answer in the portal meanwhile.
    question = a.framework.questions.get(ref="A-1")
    answer_services.answer_save(respondent=OTHER, assignment=a, question_id=question.pk, value="partly", note="一部のみ", base_version=1)
    stale = send(token_client, "patch", url, {"value": "no", "base_version": 1})
    assert stale.status_code == 409
    body = stale.json()
    assert "佐藤 花子" in body["message"] and body["errors"][0]["field"] == "value"
    assert body["current"]["value"] == "partly" and body["current"]["note"] == "一部のみ"
    assert body["current"]["version"] == 2 and body["current"]["updated_by"] == "佐藤 花子"
    assert Answer.objects.get(assignment=a, question=question).value == "partly"
    # Having seen it, keep ours on purpose; then change only the comment.
    kept = send(token_client, "patch", url, {"value": "no", "base_version": body["current"]["version"]})
    assert kept.status_code == 200 and (kept.json()["value"], kept.json()["version"]) == ("no", 3)
    noted = send(token_client, "patch", url, {"note": "来月対応"})
    assert (noted.json()["value"], noted.json()["note"]) == ("no", "来月対応")


def test_evidence_upload_download_and_delete(
    token_client: Client, own: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = assignment()
    url = f"{API}/assignments/{a.pk}"
    upload = token_client.post(f"{url}/answers/A-1/evidence", {"file": SimpleUploadedFile("規程.pdf", b"%PDF-1.4 policy")})
    assert upload.status_code == 201, upload.content
    files = upload.json()["evidence"]
    assert [(e["name"], e["size"]) for e in files] == [("規程.pdf", 15)] and files[0]["uploaded_by"]
    download = token_client.get(f"{url}/evidence/{files[0]['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 policy"
    assert download["Content-Type"] == "application/octet-stream" and "attachment" in download["Content-Disposition"]

    # Bad input: no file, a type the bytes do not bear out, an unknown question, too large a body.
    assert token_client.post(f"{url}/answers/A-1/evidence", {}).json()["errors"][0]["field"] == "file"
    fake = token_client.post(f"{url}/answers/A-1/evidence", {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")})
    assert fake.status_code == 400 and fake.json()["errors"][0]["field"] == "file"
    assert token_client.post(f"{url}/answers/Z-9/evidence", {"file": SimpleUploadedFile("y.pdf", b"%PDF-1.4")}).status_code == 404
    settings.RENKEI_MAX_EVIDENCE_BYTES = 1024
    big = token_client.post(f"{url}/answers/A-1/evidence", {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 200_000)})
    assert big.status_code == 413
    assert Evidence.objects.filter(assignment=a).count() == 1

    # Another assessment's evidence is not reachable through this one.
    other = assignment()
    assert token_client.get(f"{API}/assignments/{other.pk}/evidence/{files[0]['id']}").status_code == 404
    assert token_client.delete(f"{API}/assignments/{other.pk}/evidence/{files[0]['id']}").status_code == 404

    # Once submitted the files stay; removing one answers 409.
    answer_all(a)
    answer_services.assignment_submit(respondent=PARTNER, assignment=a)
    assert token_client.delete(f"{url}/evidence/{files[0]['id']}").status_code == 409
    a.status = AssignmentStatus.IN_PROGRESS
    a.save(update_fields=["status"])
    stored = Evidence.objects.get(pk=files[0]["id"]).file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client.delete(f"{url}/evidence/{files[0]['id']}").status_code == 204
    assert not Evidence.objects.filter(assignment=a).exists()
    assert not stored.storage.exists(stored.name)  # the file is gone from disk too


def test_comment_on_a_question(token_client: Client, own: Any) -> None:
    a = submitted()
    url = f"{API}/assignments/{a.pk}/answers/A-2/comments"
    response = send(token_client, "post", url, {"body": "  規程の改定日を教えてください  "})
    assert response.status_code == 201, response.content
    thread = response.json()["comments"]
    assert [(c["body"], c["from_party"], c["kind"]) for c in thread] == [("規程の改定日を教えてください", False, "comment")]
    assert send(token_client, "post", url, {"body": " "}).json()["errors"][0]["field"] == "body"
    assert send(token_client, "post", url, {"body": "x" * 5_001}).status_code == 400
    assert send(token_client, "post", f"{API}/assignments/{a.pk}/answers/Z-9/comments", {"body": "x"}).status_code == 404
    assert ReviewComment.objects.filter(assignment=a).count() == 1


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


def test_assignment_for_a_party_invites_it_and_confirms_carried_answers(token_client: Client, own: Any) -> None:
    previous = submitted()
    framework, org = previous.framework, previous.organisation
    send(token_client, "post", f"{API}/assignments/{previous.pk}/accept")
    mail.outbox.clear()
    due = (today() + dt.timedelta(days=30)).isoformat()
    response = send(token_client, "post", f"{API}/assignments",
                    {"organisation_id": org.pk, "framework_id": framework.pk, "due_date": due, "language": "en"})
    assert response.status_code == 201
    body = response.json()
    assert (body["cycle"], body["previous_id"], body["language"], body["carried_over"]) == (2, previous.pk, "en", 4)
    assert len(mail.outbox) == 1 and "/portal/t/" in mail.outbox[0].body
    url = f"{API}/assignments/{body['id']}"
    answers = {a["question"]: a for a in token_client.get(f"{url}/answers").json()}
    assert answers["A-1"]["carried_over"] is True and answers["A-1"]["previous_value"] == "yes"
    unconfirmed = send(token_client, "post", f"{url}/submit")
    assert unconfirmed.status_code == 400
    assert send(token_client, "post", f"{url}/confirm-carried", {"questions": ["X-1"]}).status_code == 400
    one = send(token_client, "post", f"{url}/confirm-carried", {"questions": ["A-1"]})
    assert one.json() == {"confirmed": 1}
    changed = send(token_client, "patch", f"{url}/answers/A-2", {"value": "no"}).json()
    assert changed["changed"] is True and changed["previous_label"]
    assert send(token_client, "post", f"{url}/confirm-carried", {}).json() == {"confirmed": 2}
    assert send(token_client, "post", f"{url}/submit").status_code == 200


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


# --- query counts --------------------------------------------------------------------------------


def add_rows(own: Any, count: int, start: int) -> Assignment:
    """`count` rows of every list, each with its own related objects."""
    framework = small_framework()
    last = None
    for i in range(start, start + count):
        org = party(name=f"行{i:03d}株式会社", criticality=Criticality.CRITICAL if i % 2 else Criticality.LOW)
        f.DataHoldingFactory(holder=org)
        f.SystemAccessFactory(organisation=org)
        campaign = Campaign.objects.create(name=f"点検{i}", framework=framework, group_company=own, due_date=today())
        campaign.parties.add(org)
        last = assignment(org, framework=framework)
        answer_services.answers_save_many(respondent=PARTNER, assignment=last, values={"A-1": ("no", f"注{i}")})
        answer_services.comment_add(respondent=PARTNER, assignment=last, body="質問", question_id=last.framework.questions.get(ref="A-1").pk)
        FollowUp.objects.create(organisation=org, group_company=own, title=f"是正{i}", due_date=today(), assignment=last)
        answer_services.declaration_add(respondent=PARTNER, assignment=last, name=f"再委託{i}")
    assert last is not None
    return last


def test_query_counts_do_not_grow_with_rows(analyst_client: Client, own: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lists = ["/frameworks", "/parties", "/campaigns", "/assignments", "/follow-ups", "/policies"]

    def counts(one: Assignment) -> dict[str, int]:
        result = {}
        for path in [*lists, f"/assignments/{one.pk}/answers", f"/assignments/{one.pk}/declarations"]:
            analyst_client.get(API + path)  # warm the session and caches
            with CaptureQueriesContext(connection) as queries:
                assert analyst_client.get(API + path).status_code == 200
            result[path.replace(str(one.pk), "{pk}")] = len(queries)
        return result

    few = counts(add_rows(own, 2, 0))
    many = counts(add_rows(own, 6, 2))
    assert few == many


# --- the schema ----------------------------------------------------------------------------------


def test_openapi_lists_the_assessment_endpoints(analyst_client: Client) -> None:
    response = analyst_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        f"{API}/frameworks": {"get", "post"},
        f"{API}/frameworks/{{pk}}": {"get", "delete"},
        f"{API}/frameworks/{{pk}}/active": {"post"},
        f"{API}/parties": {"get"},
        f"{API}/parties/{{org_id}}/override": {"put", "delete"},
        f"{API}/policies/{{company_id}}": {"get", "put"},
        f"{API}/campaigns": {"get", "post"},
        f"{API}/campaigns/{{pk}}": {"get", "patch", "delete"},
        f"{API}/campaigns/{{pk}}/parties": {"get", "put"},
        f"{API}/campaigns/{{pk}}/launch": {"post"},
        f"{API}/campaigns/{{pk}}/close": {"post"},
        f"{API}/assignments": {"get", "post"},
        f"{API}/assignments/{{pk}}": {"get", "delete"},
        f"{API}/assignments/{{pk}}/answers": {"get", "put"},
        f"{API}/assignments/{{pk}}/answers/{{question_ref}}": {"patch"},
        f"{API}/assignments/{{pk}}/answers/{{question_ref}}/review": {"post"},
        f"{API}/assignments/{{pk}}/submit": {"post"},
        f"{API}/assignments/{{pk}}/accept": {"post"},
        f"{API}/assignments/{{pk}}/return": {"post"},
        f"{API}/assignments/{{pk}}/proposed-follow-ups": {"get"},
        f"{API}/assignments/{{pk}}/follow-ups": {"post"},
        f"{API}/assignments/{{pk}}/declarations": {"get"},
        f"{API}/declarations/{{pk}}/accept": {"post"},
        f"{API}/declarations/{{pk}}/reject": {"post"},
        f"{API}/follow-ups": {"get", "post"},
        f"{API}/follow-ups/{{pk}}": {"get", "put", "patch", "delete"},
        f"{API}/follow-ups/{{pk}}/messages": {"get", "post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path
    conflict = paths[f"{API}/assignments/{{pk}}/answers/{{question_ref}}"]["patch"]["responses"]["409"]
    assert "ConflictOut" in str(conflict)
    upload = paths[f"{API}/frameworks"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
