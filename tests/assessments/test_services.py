"""Services of the assessments app: answering with conflict detection, submission, review,
declared subcontractors, follow-up items, campaign launch and reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renkei.accounts.models import PortalLink
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.followups import services as followup_services
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.models import (
    Answer,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    FollowUp,
    ReviewState,
)
from renkei.assessments.reminders import reminders_send
from renkei.assessments.review import selectors as review_selectors
from renkei.assessments.review import services as review_services
from renkei.core.errors import RenkeiError
from renkei.registry.models import DataHolding, Relationship
from tests import factories as f
from tests.assessments.factories import assignment, party, small_framework

PARTNER = answering.Respondent(name="山田 太郎")
OTHER = answering.Respondent(name="佐藤 花子")


def _q(a, ref):
    return a.framework.questions.get(ref=ref)


def _answer_all(a, value="yes"):
    for ref in ("A-1", "A-2", "B-1"):
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, ref).pk, value=value)
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "B-3").pk, value="full")


@pytest.mark.django_db
def test_answer_save_starts_the_assignment_and_counts_versions(own):
    a = assignment()
    saved = answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "A-1").pk, value="はい", base_version=0)
    a.refresh_from_db()
    assert saved.value == "yes" and saved.version == 1 and saved.updated_by_name == "山田 太郎"
    assert a.status == AssignmentStatus.IN_PROGRESS and a.started_at is not None


@pytest.mark.django_db
def test_concurrent_edit_is_a_conflict_not_an_overwrite(own):
    a = assignment()
    q = _q(a, "A-1")
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=q.pk, value="yes", base_version=0)
    # 佐藤 loaded the page before 山田 saved (version 0) and now saves "no".
    with pytest.raises(answering.AnswerConflict) as caught:
        answering.answer_save(respondent=OTHER, assignment=a, question_id=q.pk, value="no", base_version=0)
    assert caught.value.status == 409 and caught.value.current["value"] == "yes"
    assert "山田 太郎" in caught.value.message
    assert Answer.objects.get(assignment=a, question=q).value == "yes"
    # Having seen the conflict, 佐藤 keeps theirs on purpose.
    kept = answering.answer_save(respondent=OTHER, assignment=a, question_id=q.pk, value="no", base_version=caught.value.current["version"])
    assert kept.value == "no" and kept.version == 2


@pytest.mark.django_db
def test_bad_value_and_foreign_question_are_refused(own):
    a = assignment()
    with pytest.raises(RenkeiError):
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "B-2").pk, value="たくさん")
    other = small_framework(key="other-framework")
    with pytest.raises(RenkeiError) as caught:
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=other.questions.first().pk, value="yes")
    assert caught.value.status == 404
    assert not Answer.objects.filter(assignment=a).exists()


@pytest.mark.django_db
def test_save_many_is_all_or_nothing(own):
    a = assignment()
    with pytest.raises(RenkeiError) as caught:
        answering.answers_save_many(respondent=PARTNER, assignment=a, values={"A-1": ("yes", None), "B-2": ("abc", None), "Z-9": ("yes", None)})
    assert len(caught.value.items) == 2
    assert not Answer.objects.filter(assignment=a).exists()
    assert answering.answers_save_many(respondent=PARTNER, assignment=a, values={"A-1": ("yes", "責任者: 情報システム部長"), "B-2": ("12", None)}) == 2


@pytest.mark.django_db
def test_submit_needs_every_required_answer_then_is_read_only(own, analyst):
    a = assignment()
    with pytest.raises(RenkeiError) as caught:
        answering.assignment_submit(respondent=PARTNER, assignment=a)
    assert "A-1" in caught.value.message
    _answer_all(a)
    a = answering.assignment_submit(respondent=PARTNER, assignment=a)
    assert a.status == AssignmentStatus.SUBMITTED and a.score["overall"]["percent"] == 100.0
    with pytest.raises(RenkeiError) as caught:
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "A-1").pk, value="no")
    assert caught.value.status == 409


@pytest.mark.django_db
def test_evidence_type_and_size_are_checked(own, settings):
    a = assignment()
    q = _q(a, "B-1")
    pdf = SimpleUploadedFile("設定画面.pdf", b"%PDF-1.4 evidence")
    evidence = answering.evidence_add(respondent=PARTNER, assignment=a, question_id=q.pk, upload=pdf)
    assert evidence.name == "設定画面.pdf" and evidence.size == 17
    with pytest.raises(RenkeiError):
        answering.evidence_add(respondent=PARTNER, assignment=a, question_id=q.pk, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    with pytest.raises(RenkeiError):
        answering.evidence_add(respondent=PARTNER, assignment=a, question_id=q.pk, upload=SimpleUploadedFile("x.exe", b"MZ"))
    settings.RENKEI_MAX_EVIDENCE_BYTES = 10
    with pytest.raises(RenkeiError) as caught:
        answering.evidence_add(respondent=PARTNER, assignment=a, question_id=q.pk, upload=SimpleUploadedFile("big.txt", b"x" * 11))
    assert caught.value.status == 413


@pytest.mark.django_db
def test_review_change_request_return_and_accept(own, analyst):
    a = assignment()
    _answer_all(a)
    answering.assignment_submit(respondent=PARTNER, assignment=a)
    answer = Answer.objects.get(assignment=a, question__ref="B-1")
    with pytest.raises(RenkeiError):
        review_services.answer_review(user=analyst, answer=answer, state=ReviewState.CHANGE_REQUESTED, comment="")
    review_services.answer_review(user=analyst, answer=answer, state=ReviewState.CHANGE_REQUESTED, comment="設定画面を添付してください")
    with pytest.raises(RenkeiError) as caught:
        review_services.assignment_accept(user=analyst, assignment=a)
    assert caught.value.status == 409
    mail.outbox.clear()
    a = review_services.assignment_return(user=analyst, assignment=a)
    assert a.status == AssignmentStatus.CHANGES_REQUESTED
    assert len(mail.outbox) == 1 and "設定画面を添付してください" in mail.outbox[0].body and "/portal/t/rp_" in mail.outbox[0].body
    # The party changes the answer: it goes back to "not reviewed"; then submits again.
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=answer.question_id, value="partly")
    answer.refresh_from_db()
    assert answer.review_state == ReviewState.PENDING
    answering.assignment_submit(respondent=PARTNER, assignment=a)
    a = review_services.assignment_accept(user=analyst, assignment=a)
    assert a.status == AssignmentStatus.ACCEPTED and a.reviewed_by == analyst
    assert not a.answers.filter(review_state=ReviewState.PENDING).exists()


@pytest.mark.django_db
def test_viewer_and_other_company_cannot_review(own, viewer, limited_analyst):
    a = assignment()
    _answer_all(a)
    answering.assignment_submit(respondent=PARTNER, assignment=a)
    for user in (viewer, limited_analyst):
        with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or a 403 RenkeiError
            review_services.assignment_accept(user=user, assignment=a)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED


@pytest.mark.django_db
def test_declared_subcontractor_is_accepted_into_the_registry(own, analyst):
    org = party(name="委託先甲")
    f.RelationshipFactory(client=own, provider=org)
    asset = f.InformationAssetFactory(name="顧客名簿")
    f.DataHoldingFactory(asset=asset, holder=org, received_from=own)
    a = assignment(organisation=org)
    outsider_asset = f.InformationAssetFactory(name="人事情報")
    with pytest.raises(RenkeiError):
        answering.declaration_add(respondent=PARTNER, assignment=a, name="再委託先乙", asset_ids=[outsider_asset.pk])
    declaration = answering.declaration_add(
        respondent=PARTNER, assignment=a, name="再委託先乙", service="データ入力", asset_ids=[asset.pk]
    )
    assert declaration.status == "proposed"
    review_services.declaration_accept(user=analyst, declaration=declaration)
    declaration.refresh_from_db()
    sub = declaration.organisation
    assert sub.name == "再委託先乙" and sub.kind == "contractor"
    assert Relationship.objects.filter(client=org, provider=sub, type="redelegates_work").exists()
    assert DataHolding.objects.filter(asset=asset, holder=sub, received_from=org).exists()
    with pytest.raises(RenkeiError):
        review_services.declaration_accept(user=analyst, declaration=declaration)


@pytest.mark.django_db
def test_negative_answers_propose_follow_ups(own, analyst):
    a = assignment()
    _answer_all(a)
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "A-2").pk, value="no")
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=_q(a, "B-3").pk, value="partial")
    proposals = review_selectors.proposed_followups(a)
    assert {(p.question.ref, p.severity) for p in proposals} == {("A-2", "high"), ("B-3", "medium")}
    created = followup_services.followups_from_answers(user=analyst, assignment=a, question_ids=[p.question.pk for p in proposals])
    assert len(created) == 2 and all(c.owner == "party" for c in created)
    assert created[0].due_date > timezone.localdate()
    assert review_selectors.proposed_followups(a) == []


@pytest.mark.django_db
def test_party_replies_but_cannot_close_a_follow_up(own, analyst):
    org = party()
    item = followup_services.followup_save(
        user=analyst,
        follow_up=FollowUp(organisation=org, title="MFA を導入する", due_date=timezone.localdate() + dt.timedelta(days=10)),
    )
    followup_services.followup_message_add(follow_up=item, body="導入しました", party_name="山田", status="party_done")
    item.refresh_from_db()
    assert item.status == "party_done" and item.messages.count() == 1
    with pytest.raises(RenkeiError):
        followup_services.followup_message_add(follow_up=item, body="完了", party_name="山田", status="resolved")
    followup_services.followup_message_add(follow_up=item, body="確認しました", user=analyst, status="resolved")
    item.refresh_from_db()
    assert item.status == "resolved" and item.resolved_at is not None


@pytest.mark.django_db
def test_campaign_launch_creates_assignments_links_and_invitations(own, analyst, run_on_commit):
    framework = small_framework()
    parties = [party(name=f"取引先{i}") for i in range(3)]
    silent = f.OrganisationFactory(name="連絡先なし")
    campaign = campaign_services.campaign_save(
        user=analyst,
        campaign=Campaign(name="2026年度 点検", framework=framework, due_date=timezone.localdate() + dt.timedelta(days=30),
                          group_company=own, message="ご協力をお願いします。"),
    )
    campaign_services.campaign_set_parties(user=analyst, campaign=campaign, organisations=[*parties, silent])
    with pytest.raises(RenkeiError):
        campaign_services.campaign_set_parties(user=analyst, campaign=campaign, organisations=[own])
    mail.outbox.clear()
    campaign_services.campaign_launch(user=analyst, campaign=campaign)
    run_on_commit()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING and campaign.launch_done == 4
    assert campaign.assignments.count() == 4
    assert len(mail.outbox) == 3 and "ご協力をお願いします。" in mail.outbox[0].body
    assert PortalLink.objects.count() == 3
    assert campaign_selectors.campaign_progress(campaign)["not_started"] == 4
    with pytest.raises(RenkeiError):
        campaign_services.campaign_launch(user=analyst, campaign=campaign)


@pytest.mark.django_db
def test_reassessment_carries_last_cycle_answers_to_confirm(own, analyst):
    org = party()
    first = assignment(organisation=org)
    _answer_all(first)
    answering.assignment_submit(respondent=PARTNER, assignment=first)
    review_services.assignment_accept(user=analyst, assignment=first)
    second = campaign_services.assignment_create(
        user=analyst, organisation=org, framework=first.framework, due_date=timezone.localdate() + dt.timedelta(days=20)
    )
    assert second.cycle == 2 and second.previous == first
    carried = second.answers.filter(carried_over=True)
    assert carried.count() == 4
    with pytest.raises(RenkeiError):
        answering.assignment_submit(respondent=PARTNER, assignment=second)
    answering.answer_save(respondent=PARTNER, assignment=second, question_id=_q(second, "A-1").pk, value="no")
    assert answering.answers_confirm_carried(respondent=PARTNER, assignment=second) == 3
    page = answer_selectors.questionnaire(second)
    changed = {i.question.ref for s in page.sections for i in s.items if i.changed}
    assert changed == {"A-1"}


@pytest.mark.django_db
def test_reminders_before_due_when_overdue_and_only_once(own):
    a = assignment(days=3)
    mail.outbox.clear()
    assert reminders_send()["assignments"] == 1
    assert reminders_send()["assignments"] == 0
    assert "/portal/t/rp_" in mail.outbox[0].body
    assert reminders_send(today=a.due_date + dt.timedelta(days=1))["assignments"] == 1
    assert reminders_send(today=a.due_date + dt.timedelta(days=2))["assignments"] == 0
    assert reminders_send(today=a.due_date + dt.timedelta(days=8))["assignments"] == 1


@pytest.mark.django_db
def test_own_certification_expiry_is_reminded_once_per_threshold(own, analyst):
    cert = f.CertificationFactory(organisation=own, valid_until=timezone.localdate() + dt.timedelta(days=5))
    partner_cert = f.CertificationFactory(valid_until=timezone.localdate() + dt.timedelta(days=5))
    mail.outbox.clear()
    assert reminders_send()["certifications"] == 1
    assert analyst.email in mail.outbox[0].to and str(cert) in mail.outbox[0].subject
    assert reminders_send()["certifications"] == 0
    assert reminders_send(today=cert.valid_until)["certifications"] == 1
    assert partner_cert.pk


@pytest.mark.django_db
def test_moving_a_party_to_another_group_company_moves_its_assessment_records(own, subsidiary, admin_user, analyst):
    from renkei.registry import services as registry_services

    org = party()
    a = assignment(organisation=org)
    item = followup_services.followup_save(
        user=analyst, follow_up=FollowUp(organisation=org, title="対策", due_date=timezone.localdate())
    )
    campaign_services.assurance_override_set(user=analyst, organisation=org, level="scs4", reason="重要な委託先")
    org.group_company = subsidiary
    registry_services.organisation_save(user=admin_user, organisation=org)
    for record in (a, item, org.assurance_override):
        record.refresh_from_db()
        assert record.group_company_id == subsidiary.pk


@pytest.mark.django_db
def test_a_required_file_question_is_answered_by_its_evidence(own):
    from renkei.assessments.frameworks import loading as framework_loading
    from renkei.assessments.models import FrameworkOrigin

    text = """
schema: renkei-framework/1
key: file-check
version: "1"
name: 証跡の確認
sections:
  - id: S
    title: 証跡
    questions:
      - {id: F-1, text: 情報セキュリティ基本方針を添付してください, type: file}
"""
    framework, _ = framework_services.framework_install(
        user=None, spec=framework_loading.load_yaml(text.encode(), filename="f.yaml"), origin=FrameworkOrigin.UPLOADED
    )
    a = assignment(framework=framework)
    with pytest.raises(RenkeiError):
        answering.assignment_submit(respondent=PARTNER, assignment=a)
    answering.evidence_add(respondent=PARTNER, assignment=a, question_id=_q(a, "F-1").pk,
                           upload=SimpleUploadedFile("基本方針.pdf", b"%PDF-1.4 policy"))
    assert answering.assignment_submit(respondent=PARTNER, assignment=a).status == AssignmentStatus.SUBMITTED
