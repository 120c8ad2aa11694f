"""The assessments API's guard, every endpoint the same way (as tests/permissions/ does for
the other apps): anonymous → 401; a viewer → 403 on every write and nothing changes, reads 200; a
user limited to the subsidiary → 404 on every object of the own company (and nothing changes), such
objects absent from lists, and a payload naming them answers 400 with a field error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renkei.accounts.services import api_token_create
from renkei.assessments.answering import services as answer_services
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import (
    Answer,
    AssessmentPolicy,
    Assignment,
    AssuranceOverride,
    Campaign,
    Evidence,
    FollowUp,
    FollowUpMessage,
    Framework,
    ReviewComment,
    SubcontractorDeclaration,
)
from tests.assessments.factories import SMALL_FRAMEWORK, assignment, party, small_framework
from tests.factories import own_company
from tests.idor import Row, assert_login_required, assert_not_found, assert_refused, module_objects, request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("objects")]

API = "/api/v1/assessments"
PARTNER = answer_services.Respondent(name="山田 太郎")
Objects = dict[str, Any]


def _due() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


def build(company: Any, suffix: str) -> Objects:
    """One of each assessment record of `company`."""
    framework = small_framework(key=f"scoped-{suffix}")
    Framework.objects.filter(pk=framework.pk).update(group_company=company)
    shared = small_framework()  # the whole group's
    org = party(name=f"{company.name}の委託先", group_company=company)
    draft = campaign_services.campaign_save(
        user=None, campaign=Campaign(name=f"{suffix} 下書き", framework=shared, group_company=company, due_date=_due())
    )
    campaign_services.campaign_set_parties(user=None, campaign=draft, organisations=[org])
    running = campaign_services.campaign_save(
        user=None, campaign=Campaign(name=f"{suffix} 実施中", framework=shared, group_company=company, due_date=_due())
    )
    campaign_services.campaign_set_parties(user=None, campaign=running, organisations=[party(group_company=company)])
    campaign_services.campaign_launch(user=None, campaign=running)
    campaign_services.campaign_launch_run(campaign_id=running.pk, notify=False)
    fresh = assignment(organisation=org, framework=shared)
    done = assignment(organisation=party(group_company=company), framework=shared)
    answer_services.answers_save_many(
        respondent=PARTNER, assignment=done,
        values={"A-1": ("no", None), "A-2": ("yes", None), "B-1": ("yes", None), "B-3": ("full", None)},
    )
    declaration = answer_services.declaration_add(respondent=PARTNER, assignment=done, name=f"{suffix}再委託先")
    answer_services.assignment_submit(respondent=PARTNER, assignment=done)
    follow_up = FollowUp.objects.create(organisation=org, group_company=company, title=f"{suffix} 是正", due_date=_due())
    a1 = shared.questions.get(ref="A-1").pk
    fresh_file = answer_services.evidence_add(respondent=PARTNER, assignment=fresh, question_id=a1, upload=_pdf("a.pdf"))
    return {
        "company": company, "framework": framework, "shared": shared, "party": org, "draft": draft,
        "running": running, "fresh": fresh, "done": done, "declaration": declaration, "follow_up": follow_up,
        "fresh_file": fresh_file,
    }


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence")


def _yaml(o: Objects) -> dict[str, Any]:
    text = SMALL_FRAMEWORK.replace("key: test-small", "key: guarded-upload")
    return {"file": SimpleUploadedFile("f.yaml", text.encode())}


POLICY = {"months_critical": 6, "months_high": 6, "months_medium": 6, "months_low": 6,
          "reminder_days_before": 1, "overdue_reminder_days": 1}
FOLLOW_UP = {"title": "変更", "severity": "high", "status": "in_progress"}

OBJECT_READS = [
    Row(API + "/frameworks/{framework}", "GET"),
    Row(API + "/parties/{party}", "GET"),
    Row(API + "/policies/{company}", "GET"),
    Row(API + "/campaigns/{draft}", "GET"),
    Row(API + "/campaigns/{draft}/parties", "GET"),
    Row(API + "/assignments/{done}", "GET"),
    Row(API + "/assignments/{done}/answers", "GET"),
    Row(API + "/assignments/{done}/proposed-follow-ups", "GET"),
    Row(API + "/assignments/{done}/declarations", "GET"),
    Row(API + "/assignments/{fresh}/evidence/{fresh_file}", "GET"),
    Row(API + "/follow-ups/{follow_up}", "GET"),
    Row(API + "/follow-ups/{follow_up}/messages", "GET"),
]
LISTS = [
    Row(API + "/frameworks", "GET"),
    Row(API + "/parties", "GET"),
    Row(API + "/policies", "GET"),
    Row(API + "/campaigns", "GET"),
    Row(API + "/assignments", "GET"),
    Row(API + "/follow-ups", "GET"),
]
OBJECT_WRITES = [
    Row(API + "/frameworks/{framework}/active", "POST", payload=lambda o: {"active": False}),
    Row(API + "/frameworks/{framework}", "DELETE"),
    Row(API + "/parties/{party}/override", "PUT", payload=lambda o: {"level": "scs4", "reason": "理由"}),
    Row(API + "/parties/{party}/override", "DELETE"),
    Row(API + "/policies/{company}", "PUT", payload=lambda o: POLICY),
    Row(API + "/campaigns/{draft}", "PATCH", payload=lambda o: {"name": "改名"}),
    Row(API + "/campaigns/{draft}", "DELETE"),
    Row(API + "/campaigns/{draft}/parties", "PUT", payload=lambda o: {"organisation_ids": []}),
    Row(API + "/campaigns/{draft}/launch", "POST"),
    Row(API + "/campaigns/{running}/close", "POST"),
    Row(API + "/assignments/{fresh}", "DELETE"),
    Row(API + "/assignments/{fresh}/answers", "PUT", payload=lambda o: {"answers": [{"question": "A-1", "value": "yes"}]}),
    Row(API + "/assignments/{fresh}/answers/A-1", "PATCH", payload=lambda o: {"value": "yes"}),
    Row(API + "/assignments/{fresh}/confirm-carried", "POST", payload=lambda o: {}),
    Row(API + "/assignments/{fresh}/answers/A-1/evidence", "POST", payload=lambda o: {"file": _pdf("c.pdf")}, multipart=True),
    Row(API + "/assignments/{fresh}/evidence/{fresh_file}", "DELETE"),
    Row(API + "/assignments/{done}/answers/A-1/comments", "POST", payload=lambda o: {"body": "確認します"}),
    Row(API + "/assignments/{fresh}/submit", "POST"),
    Row(API + "/assignments/{done}/accept", "POST"),
    Row(API + "/assignments/{done}/return", "POST", payload=lambda o: {"message": "直してください"}),
    Row(API + "/assignments/{done}/reopen", "POST"),
    Row(API + "/assignments/{done}/answers/A-1/review", "POST", payload=lambda o: {"state": "accepted"}),
    Row(API + "/assignments/{done}/follow-ups", "POST", payload=lambda o: {"question_refs": ["A-1"]}),
    Row(API + "/declarations/{declaration}/accept", "POST", payload=lambda o: {}),
    Row(API + "/declarations/{declaration}/reject", "POST", payload=lambda o: {"note": "x"}),
    Row(API + "/follow-ups/{follow_up}", "PUT", payload=lambda o: {**FOLLOW_UP, "organisation_id": o["party"].pk}),
    Row(API + "/follow-ups/{follow_up}", "PATCH", payload=lambda o: FOLLOW_UP),
    Row(API + "/follow-ups/{follow_up}", "DELETE"),
    Row(API + "/follow-ups/{follow_up}/messages", "POST", payload=lambda o: {"body": "連絡"}),
]
CREATES = [
    Row(API + "/frameworks", "POST", payload=_yaml, multipart=True),
    Row(API + "/campaigns", "POST", payload=lambda o: {"name": "新規", "framework_id": o["shared"].pk, "due_date": _due().isoformat()}),
    Row(API + "/assignments", "POST", payload=lambda o: {"organisation_id": o["party"].pk, "framework_id": o["shared"].pk,
                                           "due_date": _due().isoformat(), "invite": False}),
    Row(API + "/follow-ups", "POST", payload=lambda o: {"organisation_id": o["party"].pk, "title": "新規"}),
]
ALL_ROWS = OBJECT_READS + LISTS + OBJECT_WRITES + CREATES


def snapshot() -> dict[str, Any]:
    """Everything the writes above could change."""
    return {
        "frameworks": sorted(Framework.objects.values_list("pk", "is_active", "group_company_id")),
        "overrides": AssuranceOverride.objects.count(),
        "policies": AssessmentPolicy.objects.count(),
        "campaigns": sorted(Campaign.objects.values_list("pk", "name", "status", "due_date")),
        "campaign_parties": sorted(Campaign.parties.through.objects.values_list("campaign_id", "organisation_id")),
        "assignments": sorted(Assignment.objects.values_list("pk", "status")),
        "answers": sorted(Answer.objects.values_list("pk", "value", "version", "review_state", "carried_over")),
        "comments": ReviewComment.objects.count(),
        "evidence": sorted(Evidence.objects.values_list("pk", "name")),
        "declarations": sorted(SubcontractorDeclaration.objects.values_list("pk", "status")),
        "follow_ups": sorted(FollowUp.objects.values_list("pk", "title", "status", "severity")),
        "messages": FollowUpMessage.objects.count(),
    }


# The own company's objects, built once for the module.
_shared_objects, objects = module_objects(lambda: build(own_company(), "own"))


def test_anonymous_gets_401_everywhere(client: Client, objects: Objects) -> None:
    before = snapshot()
    for row in ALL_ROWS:
        assert_login_required(client, row, objects)
    assert snapshot() == before


def test_viewer_reads_but_every_write_is_403(viewer: Any, objects: Objects) -> None:
    _token, raw = api_token_create(user=viewer, name="viewer", days=1)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    before = snapshot()
    for row in OBJECT_READS + LISTS:
        assert request(client, row, objects).status_code == 200, row.id()
    for row in OBJECT_WRITES + CREATES:
        assert_refused(client, row, objects)
    assert snapshot() == before


def test_viewer_session_writes_are_403_too(viewer_client: Client, objects: Objects) -> None:
    before = snapshot()
    for row in (OBJECT_WRITES[5], OBJECT_WRITES[11], CREATES[0]):
        assert_refused(viewer_client, row, objects)
    assert snapshot() == before


def test_limited_user_gets_404_on_the_own_company_and_does_not_see_it_in_lists(
    client: Client, limited_analyst: Any, subsidiary: Any, objects: Objects
) -> None:
    build(subsidiary, "sub")
    client.force_login(limited_analyst)
    before = snapshot()
    for row in OBJECT_READS + OBJECT_WRITES:
        assert_not_found(client, row, objects)
    assert snapshot() == before

    def listed(path: str, key: str = "id") -> set[Any]:
        body = client.get(API + path).json()
        return {item[key] for item in (body["items"] if isinstance(body, dict) else body)}

    assert objects["framework"].pk not in listed("/frameworks") and objects["shared"].pk in listed("/frameworks")
    assert listed("/parties", "organisation_id") and objects["party"].pk not in listed("/parties", "organisation_id")
    assert listed("/policies", "group_company_id") == {subsidiary.pk}
    campaigns = listed("/campaigns")
    assert campaigns and not campaigns & {objects["draft"].pk, objects["running"].pk}
    assignments = listed("/assignments")
    assert assignments and not assignments & {objects["fresh"].pk, objects["done"].pk}
    follow_ups = listed("/follow-ups")
    assert follow_ups and objects["follow_up"].pk not in follow_ups

    # The whole group's frameworks are visible to everybody but only an unlimited user changes them.
    shared = objects["shared"]
    Assignment.objects.filter(framework=shared).delete()  # unused, so deleting would otherwise succeed
    Campaign.objects.filter(framework=shared).delete()
    retire = client.post(f"{API}/frameworks/{shared.pk}/active", {"active": False}, content_type="application/json")
    assert retire.status_code == 403 and client.delete(f"{API}/frameworks/{shared.pk}").status_code == 403
    shared.refresh_from_db()
    assert shared.is_active


def test_limited_user_cannot_name_the_own_company_in_payloads(
    client: Client, limited_analyst: Any, subsidiary: Any, objects: Objects
) -> None:
    sub = build(subsidiary, "sub")
    client.force_login(limited_analyst)
    own_party, own_framework = objects["party"].pk, objects["framework"].pk
    due = _due().isoformat()

    def post(method: str, path: str, body: dict[str, Any]) -> Any:
        return getattr(client, method)(API + path, body, content_type="application/json")

    before = snapshot()
    cases = [
        (post("post", "/assignments", {"organisation_id": own_party, "framework_id": sub["shared"].pk, "due_date": due}),
         "organisation_id"),
        (post("post", "/campaigns", {"name": "x", "framework_id": own_framework, "due_date": due}), "framework_id"),
        (post("post", "/campaigns", {"name": "x", "framework_id": sub["shared"].pk, "due_date": due,
                                     "group_company_id": objects["company"].pk}), "group_company_id"),
        (post("put", f"/campaigns/{sub['draft'].pk}/parties", {"organisation_ids": [sub["party"].pk, own_party]}),
         "organisation_ids.1"),
        (post("post", "/follow-ups", {"organisation_id": own_party, "title": "x"}), "organisation_id"),
        (post("patch", f"/follow-ups/{sub['follow_up'].pk}", {"assignment_id": objects["done"].pk}), "assignment_id"),
        (post("post", f"/declarations/{sub['declaration'].pk}/accept", {"organisation_id": own_party}), "organisation_id"),
        (client.post(f"{API}/frameworks", {**_yaml(objects), "group_company_id": str(objects["company"].pk)}),
         "group_company_id"),
    ]
    for response, field in cases:
        assert response.status_code == 400, (field, response.content)
        assert field in [e.get("field") for e in response.json()["errors"]], (field, response.json())
    assert snapshot() == before

    # Without a group company, a limited user's framework becomes their company's, not the group's.
    uploaded = client.post(f"{API}/frameworks", _yaml(objects))
    assert uploaded.status_code == 201 and uploaded.json()["group_company_id"] == subsidiary.pk
    created = post("post", "/campaigns", {"name": "子会社点検", "framework_id": sub["shared"].pk, "due_date": due})
    assert created.status_code == 201 and created.json()["group_company_id"] == subsidiary.pk


def test_every_endpoint_is_guarded_by_this_table(analyst_client: Client) -> None:
    paths = analyst_client.get("/api/v1/openapi.json").json()["paths"]
    endpoints = {
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(API + "/")
        for method in operations
    }
    covered = {(r.method.lower(), r.target.removeprefix(API)) for r in ALL_ROWS}
    placeholders = {
        "framework": "pk", "party": "org_id", "company": "company_id", "draft": "pk", "running": "pk", "fresh": "pk",
        "done": "pk", "declaration": "pk", "follow_up": "pk", "fresh_file": "evidence_id",
    }
    normalised = set()
    for method, path in covered:
        for name, param in placeholders.items():
            path = path.replace("{" + name + "}", "{" + param + "}")
        normalised.add((method, path.replace("/A-1", "/{question_ref}")))
    missing = endpoints - normalised
    assert not missing, f"endpoints without a row here: {sorted(missing)}"
