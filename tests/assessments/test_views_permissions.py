"""Permissions of the staff pages, every page the same way: anonymous users go to the login page;
a viewer reads everything of its scope, sees no write buttons and gets 403 on every write (and
nothing changes); a user limited to the subsidiary gets 404 on every object of the own company,
does not see them in lists and cannot name them in a form."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_issue
from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.followups import services as followup_services
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.models import (
    Answer,
    AssuranceOverride,
    Campaign,
    Evidence,
    FollowUp,
    FollowUpMessage,
    Framework,
    FrameworkOrigin,
    ReviewComment,
    SubcontractorDeclaration,
)
from tests.assessments.factories import SMALL_FRAMEWORK, assignment, party, small_spec
from tests.assessments.test_views_helpers import PARTNER, logged_in, submit, url
from tests.factories import own_company
from tests.idor import Row, assert_login_required, assert_not_found, assert_refused, module_objects, request
from tests.software.factories import FindingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("objects")]

WRITE_MARKERS = (
    'id="create-button"', 'id="upload-button"', 'id="start-assessment"', 'id="override-form"', 'id="edit-button"',
    'id="delete-button"', 'id="launch-button"', 'id="accept-assessment"', 'class="review-form"', 'id="message-form"',
    'id="issue-link-form"', 'id="policy-form"', 'id="retire-button"', 'id="proposal-form"', 'id="resend-button"',
    'class="declaration-accept"', 'id="close-button"', 'id="parties-button"',
)


def _build() -> dict[str, Any]:
    """One of everything, all of the own company (built once for the module)."""
    own = own_company()
    framework, _ = framework_services.framework_install(user=None, spec=small_spec(key="own-only"), origin=FrameworkOrigin.UPLOADED, group_company=own)
    org = party(name="本社の委託先")
    submitted = assignment(org, framework)
    declaration = answering.declaration_add(respondent=PARTNER, assignment=submitted, name="申告された再委託先")
    submitted = submit(submitted, {"A-1": "no"})
    fresh = assignment(party(name="本社の別の委託先"), framework)
    draft = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(name="本社の下書き", framework=framework, group_company=own, due_date=timezone.localdate() + dt.timedelta(days=9)),
    )
    campaign_services.campaign_set_parties(user=None, campaign=draft, organisations=[org])
    running = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(name="本社の実施中", framework=framework, group_company=own, due_date=timezone.localdate() + dt.timedelta(days=9)),
    )
    campaign_services.campaign_set_parties(user=None, campaign=running, organisations=[org])
    campaign_services.campaign_launch(user=None, campaign=running)
    campaign_services.campaign_launch_run(campaign_id=running.pk, notify=False)
    link, _raw = portal_link_issue(user=None, organisation=org, expires_at=timezone.now() + dt.timedelta(days=3))
    follow_up = followup_services.followup_save(
        user=None, follow_up=FollowUp(organisation=org, title="本社の指摘", due_date=timezone.localdate())
    )
    campaign_services.assurance_override_set(user=None, organisation=org, level="scs4", reason="理由")
    b1 = fresh.framework.questions.get(ref="B-1")
    fresh_evidence = answering.evidence_add(
        respondent=PARTNER, assignment=fresh, question_id=b1.pk, upload=SimpleUploadedFile("e.pdf", b"%PDF-1.4 e")
    )
    # A software finding of the party's delivery: asking the party to respond adds a follow-up item.
    finding = FindingFactory(component__sbom__release__product__supplier=org)
    return {
        "finding": finding,
        "fresh_question": b1, "fresh_section": b1.section, "fresh_evidence": fresh_evidence,
        "framework": framework, "org": org, "assignment": submitted, "question": submitted.framework.questions.get(ref="A-1"),
        "declaration": declaration, "fresh": fresh, "draft": draft, "running": running, "link": link, "follow_up": follow_up,
    }


_shared_objects, objects = module_objects(_build)


def _due() -> str:
    return (timezone.localdate() + dt.timedelta(days=20)).isoformat()


READS = [
    Row("assessments:party_list", args=lambda o: ()),
    Row("assessments:party_assurance", args=lambda o: (o["org"].pk,)),
    Row("assessments:party_links", args=lambda o: (o["org"].pk,)),
    Row("assessments:policy", args=lambda o: ()),
    Row("assessments:framework_list", args=lambda o: ()),
    Row("assessments:framework_detail", args=lambda o: (o["framework"].pk,)),
    Row("assessments:framework_download", args=lambda o: (o["framework"].pk,)),
    Row("assessments:campaign_list", args=lambda o: ()),
    Row("assessments:campaign_detail", args=lambda o: (o["running"].pk,)),
    Row("assessments:campaign_detail", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_progress", args=lambda o: (o["running"].pk,)),
    Row("assessments:assignment_list", args=lambda o: ()),
    Row("assessments:assignment_detail", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_detail", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:followup_list", args=lambda o: ()),
    Row("assessments:followup_detail", args=lambda o: (o["follow_up"].pk,)),
    Row("assessments:evidence_download", args=lambda o: (o["fresh_evidence"].pk,)),
    Row("assessments:assignment_excel_export", args=lambda o: (o["assignment"].pk,)),
]

WRITES = [
    Row("assessments:party_override", args=lambda o: (o["org"].pk,)),
    Row("assessments:party_override", "POST", args=lambda o: (o["org"].pk,), payload=lambda o: {"level": "scs3", "reason": "変更"}),
    Row("assessments:party_override_clear", "POST", args=lambda o: (o["org"].pk,)),
    Row("assessments:party_link_issue", "POST", args=lambda o: (o["org"].pk,), payload=lambda o: {"days": 5}),
    Row("assessments:link_revoke", args=lambda o: (o["link"].pk,)),
    Row("assessments:link_revoke", "POST", args=lambda o: (o["link"].pk,)),
    Row("assessments:assignment_create", args=lambda o: (o["org"].pk,)),
    Row("assessments:assignment_create", "POST", args=lambda o: (o["org"].pk,), payload=lambda o: {"framework": o["framework"].pk, "due_date": _due(), "language": "ja"}),
    Row("assessments:policy", "POST", args=lambda o: (), payload=lambda o: {"months_critical": 1, "months_high": 1, "months_medium": 1, "months_low": 1,
                                                    "reminder_days_before": 1, "overdue_reminder_days": 1}),
    Row("assessments:framework_upload", args=lambda o: ()),
    Row("assessments:framework_upload", "POST", args=lambda o: (), payload=lambda o: {"file": SimpleUploadedFile("x.yaml", SMALL_FRAMEWORK.encode())}),
    Row("assessments:framework_active", "POST", args=lambda o: (o["framework"].pk,), payload=lambda o: {"active": "0"}),
    Row("assessments:framework_delete", args=lambda o: (o["framework"].pk,)),
    Row("assessments:framework_delete", "POST", args=lambda o: (o["framework"].pk,)),
    Row("assessments:campaign_create", args=lambda o: ()),
    Row("assessments:campaign_create", "POST", args=lambda o: (), payload=lambda o: {"name": "新規", "framework": o["framework"].pk, "group_company": o["framework"].group_company_id, "due_date": _due()}),
    Row("assessments:campaign_update", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_update", "POST", args=lambda o: (o["draft"].pk,), payload=lambda o: {"name": "改名", "framework": o["framework"].pk, "group_company": o["framework"].group_company_id, "due_date": _due()}),
    Row("assessments:campaign_parties", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_parties", "POST", args=lambda o: (o["draft"].pk,), payload=lambda o: {"criticality": ["low"]}),
    Row("assessments:campaign_party_remove", "POST", args=lambda o: (o["draft"].pk, o["org"].pk)),
    Row("assessments:campaign_party_search", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_party_add", "POST", args=lambda o: (o["draft"].pk,), payload=lambda o: {"party": o["org"].pk}),
    Row("assessments:campaign_launch", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_launch", "POST", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_close", args=lambda o: (o["running"].pk,)),
    Row("assessments:campaign_close", "POST", args=lambda o: (o["running"].pk,)),
    Row("assessments:campaign_delete", args=lambda o: (o["draft"].pk,)),
    Row("assessments:campaign_delete", "POST", args=lambda o: (o["draft"].pk,)),
    Row("assessments:answer_review", "POST", args=lambda o: (o["assignment"].pk, o["question"].pk), payload=lambda o: {"state": "accepted"}),
    Row("assessments:assignment_accept_pending", "POST", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_accept", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_accept", "POST", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_return", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_return", "POST", args=lambda o: (o["assignment"].pk,), payload=lambda o: {"message": "直して"}),
    Row("assessments:assignment_reopen", args=lambda o: (o["assignment"].pk,)),
    Row("assessments:assignment_followups", "POST", args=lambda o: (o["assignment"].pk,), payload=lambda o: {"question": [o["question"].pk]}),
    Row("assessments:assignment_resend", "POST", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:assignment_delete", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:assignment_delete", "POST", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:declaration_accept", "POST", args=lambda o: (o["declaration"].pk,), payload=lambda o: {"organisation": ""}),
    Row("assessments:declaration_reject", "POST", args=lambda o: (o["declaration"].pk,), payload=lambda o: {"note": "x"}),
    Row("assessments:followup_create", args=lambda o: ()),
    Row("assessments:followup_create", "POST", args=lambda o: (), payload=lambda o: {"organisation": o["org"].pk, "title": "新規", "severity": "low", "owner": "party", "due_date": _due(), "status": "open"}),
    Row("assessments:followup_update", args=lambda o: (o["follow_up"].pk,)),
    Row("assessments:followup_update", "POST", args=lambda o: (o["follow_up"].pk,), payload=lambda o: {"organisation": o["org"].pk, "title": "改題", "severity": "low", "owner": "party", "due_date": _due(), "status": "open"}),
    Row("assessments:followup_message", "POST", args=lambda o: (o["follow_up"].pk,), payload=lambda o: {"body": "連絡", "status": "resolved"}),
    Row("assessments:followup_delete", args=lambda o: (o["follow_up"].pk,)),
    Row("assessments:followup_delete", "POST", args=lambda o: (o["follow_up"].pk,)),
    Row("assessments:followup_from_finding", "POST", args=lambda o: (o["finding"].pk,)),
    # Answering on the party's behalf or for our own company (the shared questionnaire screen).
    Row("assessments:assignment_answer", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:answer_save", "POST", args=lambda o: (o["fresh"].pk, o["fresh_question"].pk), payload=lambda o: {"value": "yes"}),
    Row("assessments:answer_evidence_add", "POST", args=lambda o: (o["fresh"].pk, o["fresh_question"].pk), payload=lambda o: {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")}),
    Row("assessments:answer_comment_add", "POST", args=lambda o: (o["fresh"].pk, o["fresh_question"].pk), payload=lambda o: {"body": "質問"}),
    Row("assessments:answer_confirm", "POST", args=lambda o: (o["fresh"].pk, o["fresh_question"].pk)),
    Row("assessments:answer_section_save", "POST", args=lambda o: (o["fresh"].pk, o["fresh_section"].pk), payload=lambda o: {f"q{o['fresh_question'].pk}": "no", f"q{o['fresh_question'].pk}-version": "0"}),
    Row("assessments:answer_evidence_delete", "POST", args=lambda o: (o["fresh"].pk, o["fresh_evidence"].pk)),
    Row("assessments:answer_confirm_all", "POST", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:answer_comment", "POST", args=lambda o: (o["fresh"].pk,), payload=lambda o: {"body": "全体への質問"}),
    Row("assessments:assignment_submit", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:assignment_submit", "POST", args=lambda o: (o["fresh"].pk,)),
    # Excel: check sheets as frameworks, answers from a workbook.
    Row("assessments:framework_excel_import", args=lambda o: ()),
    Row("assessments:framework_excel_import", "POST", args=lambda o: (), payload=lambda o: {"file": SimpleUploadedFile("s.xlsx", b"PK\x03\x04")}),
    Row("assessments:framework_excel_import_sheet", args=lambda o: ()),
    Row("assessments:framework_excel_import_columns", args=lambda o: ()),
    Row("assessments:framework_excel_import_create", "POST", args=lambda o: ()),
    Row("assessments:assignment_excel_import", args=lambda o: (o["fresh"].pk,)),
    Row("assessments:assignment_excel_import", "POST", args=lambda o: (o["fresh"].pk,), payload=lambda o: {"file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04")}),
]


def snapshot(objects: dict[str, Any]) -> tuple[Any, ...]:
    """Everything the writes above could change."""
    return (
        Framework.objects.count(),
        Framework.objects.get(pk=objects["framework"].pk).is_active,
        list(Campaign.objects.order_by("pk").values_list("name", "status")),
        objects["draft"].parties.count(),
        list(objects["assignment"].__class__.objects.order_by("pk").values_list("pk", "status")),
        list(Answer.objects.order_by("pk").values_list("review_state", flat=True)),
        list(FollowUp.objects.order_by("pk").values_list("title", "status")),
        FollowUpMessage.objects.count(),
        list(AssuranceOverride.objects.values_list("level", "reason")),
        list(PortalLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(SubcontractorDeclaration.objects.values_list("status", flat=True)),
        objects["org"].__class__.objects.count(),
        list(Answer.objects.order_by("pk").values_list("pk", "value", "version")),
        list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        ReviewComment.objects.count(),
        list(objects["finding"].__class__.objects.values_list("response_requested_at", flat=True)),
    )


def test_anonymous_users_go_to_the_login_page(objects):
    client = Client()
    for row in READS + WRITES:
        assert_login_required(client, row, objects)


def test_viewer_reads_without_write_buttons(objects, viewer):
    client = logged_in(viewer)
    for row in READS:
        response = request(client, row, objects)
        assert response.status_code == 200, row
        if response.streaming:
            continue  # a file download, no page
        body = response.content.decode(errors="replace")
        for marker in WRITE_MARKERS:
            assert marker not in body, (row, marker)


def test_viewer_gets_403_on_every_write(objects, viewer):
    client = logged_in(viewer)
    before = snapshot(objects)
    for row in WRITES:
        assert_refused(client, row, objects)
    assert snapshot(objects) == before


def test_limited_user_gets_404_on_the_own_companys_objects(objects, limited_analyst, own):
    client = logged_in(limited_analyst)
    before = snapshot(objects)
    for row in READS + WRITES:
        if not row.args(objects):
            continue  # lists and create pages: below
        assert_not_found(client, row, objects)
    assert client.get(url("policy") + f"?company={own.pk}").status_code == 404
    assert client.post(url("policy"), {"company": own.pk, "months_critical": 1}).status_code == 404
    assert snapshot(objects) == before


def test_limited_user_lists_leave_out_the_own_companys_objects(objects, limited_analyst, subsidiary):
    client = logged_in(limited_analyst)
    for name in ("party_list", "framework_list", "campaign_list", "assignment_list", "followup_list"):
        body = client.get(url(name) + ("?status=all" if name == "followup_list" else "")).content.decode()
        for text in ("本社の委託先", "本社の下書き", "本社の実施中", "本社の指摘", "own-only"):
            assert text not in body, (name, text)
    policy = client.get(url("policy"))
    assert policy.context["company"] == subsidiary


def test_limited_user_cannot_name_the_own_companys_objects(objects, limited_analyst, own):
    client = logged_in(limited_analyst)
    before = snapshot(objects)
    org = objects["org"]
    response = client.post(
        url("followup_create"),
        {"organisation": org.pk, "title": "x", "severity": "low", "owner": "party", "due_date": _due(), "status": "open"},
    )
    assert response.status_code == 400
    response = client.post(
        url("campaign_create"),
        {"name": "x", "framework": objects["framework"].pk, "group_company": own.pk, "due_date": _due()},
    )
    assert response.status_code == 400
    assert snapshot(objects) == before


def test_analyst_reads_every_page(objects, analyst):
    client = logged_in(analyst)
    for row in READS:
        assert request(client, row, objects).status_code == 200, row


def test_every_staff_page_is_in_the_table(db):
    """A new page of the app cannot skip the checks above: every URL name must have a row."""
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {
        name
        for name in resolver.reverse_dict.keys()  # noqa: SIM118 - reverse_dict is not a plain dict
        if isinstance(name, str)
    }
    namespace = resolver.namespace_dict["assessments"][1]
    staff_names = {n for n in namespace.reverse_dict.keys() if isinstance(n, str)}  # noqa: SIM118
    assert staff_names, names
    assert {f"assessments:{n}" for n in staff_names} == {row.target for row in READS + WRITES}
