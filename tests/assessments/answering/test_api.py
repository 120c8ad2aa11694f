"""The answering API: answers, conflicts, evidence, comments, carried-over answers, submission.
Anonymous, viewer and other-company behaviour is in tests/assessments/test_api_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from renkei.assessments.answering import services as answer_services
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Evidence,
    ReviewComment,
)
from tests.assessments.api_helpers import API, OTHER, PARTNER, answer_all, send, submitted, today
from tests.assessments.factories import assignment, small_framework

pytestmark = pytest.mark.django_db


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
