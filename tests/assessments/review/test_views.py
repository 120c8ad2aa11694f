"""The assessment list and the review page: header, scores and readiness, the radar chart, answers
with last cycle's and the "changed only" filter, per-answer review (htmx and plain form),
accepting, returning and reopening, proposed follow-ups, declared subcontractors, resending the
invitation and deleting."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    DeclarationStatus,
    FollowUp,
    Framework,
    ReviewComment,
    ReviewState,
)
from renkei.assessments.review import services as review_services
from renkei.registry.models import DataHolding, Organisation, Relationship
from tests import factories as f
from tests.assessments.factories import assignment, party, small_framework
from tests.assessments.test_views_helpers import PARTNER, answer, count_queries, logged_in, page, submit, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_c(analyst):  # type: ignore[no-untyped-def]
    return logged_in(analyst)


def q(a: Assignment, ref: str):  # type: ignore[no-untyped-def]
    return a.framework.questions.get(ref=ref)


def second_cycle(analyst) -> tuple[Assignment, Assignment]:  # type: ignore[no-untyped-def]
    """Last year's accepted cycle (B-1 no) and this year's submitted one (B-1 yes, A-2 partly)."""
    org = party(name="二年目の委託先")
    framework = small_framework()
    first = assignment(org, framework)
    submit(first, {"B-1": "no"})
    review_services.assignment_accept(user=analyst, assignment=first)
    second = assignment(org, framework)
    assert second.previous_id == first.pk
    answer(second, "B-1", "yes", note="全社で導入済み")
    submit(second, {"A-2": "partly", "B-1": "yes"})
    return first, second


def test_review_page_shows_everything(own, analyst, analyst_c):
    first, second = second_cycle(analyst)
    upload = SimpleUploadedFile("mfa.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    Assignment.objects.filter(pk=second.pk).update(status="in_progress")
    second.refresh_from_db()
    answering.evidence_add(respondent=PARTNER, assignment=second, question_id=q(second, "B-1").pk, upload=upload)
    answering.comment_add(respondent=PARTNER, assignment=second, question_id=q(second, "B-1").pk, body="設定画面を添付します")
    answering.assignment_submit(respondent=PARTNER, assignment=second)
    response = analyst_c.get(url("assignment_detail", second.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "二年目の委託先" in body and 'id="previous-cycle"' in body and first.get_absolute_url() in body
    assert "山田 太郎" in body  # submitted by
    # Scores (percent) and level readiness with the gap.
    assert 'id="overall-score"' in body and response.context["summary"].overall.percent is not None
    readiness = {r.level: r for r in response.context["summary"].readiness}
    assert readiness["★3"].ready and not readiness["★4"].ready and readiness["★4"].gaps == ["A-2"]
    # Answers with last cycle's, the changed marker, the note, evidence and the thread.
    assert "全社で導入済み" in body and "mfa.pdf" in body and "設定画面を添付します" in body
    assert response.context["changed_count"] == 2  # B-1 (no → yes) and A-2 (yes → partly)
    changed = analyst_c.get(url("assignment_detail", second.pk) + "?changed=1")
    refs = [i.question.ref for s in changed.context["sections"] for i in s.items]
    assert sorted(refs) == ["A-2", "B-1"]
    evidence = second.evidence.get()
    assert f"/assessments/evidence/{evidence.pk}/" in body
    # Review controls are there for a submitted assessment.
    assert 'class="review-form"' in body and 'id="accept-assessment"' in body and 'id="accept-pending"' in body
    assert "radar-chart" not in body


def test_review_one_answer_plain_and_htmx(own, analyst, analyst_c):
    a = assignment()
    submit(a)
    question = q(a, "A-1")
    response = analyst_c.post(url("answer_review", a.pk, question.pk), {"state": "accepted"})
    assert response.status_code == 302 and response.url.endswith(f"#q-{question.pk}")
    assert Answer.objects.get(assignment=a, question=question).review_state == ReviewState.ACCEPTED
    # Asking for a change needs a comment.
    other = q(a, "B-1")
    response = analyst_c.post(url("answer_review", a.pk, other.pk), {"state": "change_requested", "comment": ""})
    assert response.status_code == 302
    assert Answer.objects.get(assignment=a, question=other).review_state == ReviewState.PENDING
    # With htmx the block of the answer comes back, with the comment in its thread.
    response = analyst_c.post(
        url("answer_review", a.pk, other.pk), {"state": "change_requested", "comment": "証跡を追加してください"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<article class="rv-item') and f'id="q-{other.pk}"' in body
    assert "証跡を追加してください" in body and "<html" not in body
    assert Answer.objects.get(assignment=a, question=other).review_state == ReviewState.CHANGE_REQUESTED
    error = analyst_c.post(url("answer_review", a.pk, other.pk), {"state": "change_requested"}, HTTP_HX_REQUEST="true")
    assert error.status_code == 200 and 'class="error"' in error.content.decode()
    # An unanswered question has nothing to review.
    assert analyst_c.post(url("answer_review", a.pk, q(a, "B-2").pk), {"state": "accepted"}).status_code == 404


def test_accept_pending_and_accept_assessment(own, analyst, analyst_c):
    a = assignment()
    submit(a)
    assert analyst_c.post(url("assignment_accept_pending", a.pk)).status_code == 302
    assert not a.answers.filter(review_state=ReviewState.PENDING).exists()
    confirm = page(analyst_c, "assignment_accept", a.pk)
    assert 'id="confirm-button"' in confirm
    assert analyst_c.post(url("assignment_accept", a.pk)).status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED and a.reviewed_by == analyst and a.score
    body = page(analyst_c, "assignment_detail", a.pk)
    assert 'id="reopen-assessment"' in body and 'class="review-form"' not in body
    assert analyst_c.post(url("assignment_reopen", a.pk)).status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED


def test_accept_blocked_by_a_change_request(own, analyst, analyst_c):
    a = submit(assignment())
    review_services.answer_review(user=analyst, answer=a.answers.get(question__ref="A-1"), state="change_requested", comment="x")
    response = analyst_c.post(url("assignment_accept", a.pk))
    assert response.status_code == 409 and 'class="error"' in response.content.decode()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED


def test_return_to_the_party(own, analyst_c):
    a = assignment()
    submit(a)
    mail.outbox.clear()
    response = analyst_c.post(url("assignment_return", a.pk), {"message": ""})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED
    assert 'name="message"' in page(analyst_c, "assignment_return", a.pk)
    response = analyst_c.post(url("assignment_return", a.pk), {"message": "B-3 の根拠を記載してください"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.CHANGES_REQUESTED
    assert ReviewComment.objects.filter(assignment=a, question=None, body__contains="B-3").exists()
    assert len(mail.outbox) == 1


def test_proposed_follow_ups_become_items(own, analyst, analyst_c):
    a = assignment()
    submit(a, {"A-1": "no", "B-1": "partly"})
    body = page(analyst_c, "assignment_detail", a.pk)
    assert 'id="proposal-form"' in body
    response = analyst_c.post(url("assignment_followups", a.pk), {"question": [q(a, "A-1").pk]})
    assert response.status_code == 302
    item = FollowUp.objects.get()
    assert item.question.ref == "A-1" and item.severity == "high" and item.owner_user == analyst
    proposals = analyst_c.get(url("assignment_detail", a.pk)).context["proposals"]
    assert [p.question.ref for p in proposals] == ["B-1"]
    # Nothing ticked: a clear message, nothing created.
    response = analyst_c.post(url("assignment_followups", a.pk), {}, follow=True)
    assert FollowUp.objects.count() == 1 and "error" in response.content.decode()


def test_declared_subcontractors_accept_and_reject(own, analyst_c):
    a = assignment()
    asset = f.InformationAssetFactory(name="顧客名簿")
    f.DataHoldingFactory(asset=asset, holder=a.organisation, received_from=own)
    new = answering.declaration_add(
        respondent=PARTNER, assignment=a, name="再委託データセンター", service="サーバー保守", asset_ids=[asset.pk]
    )
    existing_org = f.OrganisationFactory(name="既存の運送会社")
    known = answering.declaration_add(respondent=PARTNER, assignment=a, name="運送会社（表記ゆれ）")
    rejected = answering.declaration_add(respondent=PARTNER, assignment=a, name="不要な申告")
    body = page(analyst_c, "assignment_detail", a.pk)
    assert "再委託データセンター" in body and 'class="declaration-accept"' in body and "既存の運送会社" in body
    assert analyst_c.post(url("declaration_accept", new.pk), {"organisation": ""}).status_code == 302
    new.refresh_from_db()
    assert new.status == DeclarationStatus.ACCEPTED and new.organisation.name == "再委託データセンター"
    assert Relationship.objects.filter(client=a.organisation, provider=new.organisation).exists()
    assert DataHolding.objects.filter(asset=asset, holder=new.organisation, received_from=a.organisation).exists()
    analyst_c.post(url("declaration_accept", known.pk), {"organisation": existing_org.pk})
    known.refresh_from_db()
    assert known.organisation == existing_org
    analyst_c.post(url("declaration_reject", rejected.pk), {"note": "取引なし"})
    rejected.refresh_from_db()
    assert rejected.status == DeclarationStatus.REJECTED and rejected.decision_note == "取引なし"
    # Deciding twice is refused.
    response = analyst_c.post(url("declaration_reject", new.pk), {"note": ""}, follow=True)
    new.refresh_from_db()
    assert new.status == DeclarationStatus.ACCEPTED and 'class="error"' in response.content.decode()


def test_declaration_cannot_be_matched_to_another_companys_record(own, analyst_c):
    a = assignment()
    declaration = answering.declaration_add(respondent=PARTNER, assignment=a, name="子会社の委託先")
    foreign = f.OrganisationFactory(group_company=f.group_company(name="子会社"))
    analyst_c.post(url("declaration_accept", declaration.pk), {"organisation": foreign.pk})
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PROPOSED


def test_resend_invitation(own, analyst_c):
    a = assignment()
    mail.outbox.clear()
    response = analyst_c.post(url("assignment_resend", a.pk))
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert mail.outbox[0].to == [f"security@{a.organisation_id}.example.jp"]
    silent = assignment(f.OrganisationFactory(name="連絡先なし"))
    body = page(analyst_c, "assignment_detail", silent.pk)
    assert 'id="no-contact"' in body
    response = analyst_c.post(url("assignment_resend", silent.pk), follow=True)
    assert len(mail.outbox) == 1 and url("party_links", silent.organisation_id) in response.content.decode()


def test_delete_only_when_not_started(own, analyst_c):
    a = assignment()
    assert 'id="confirm-delete"' in page(analyst_c, "assignment_delete", a.pk)
    response = analyst_c.post(url("assignment_delete", a.pk))
    assert response.status_code == 302 and response.url == url("party_assurance", a.organisation_id)
    assert not Assignment.objects.filter(pk=a.pk).exists()
    started = assignment()
    answer(started, "A-1", "yes")
    assert analyst_c.post(url("assignment_delete", started.pk)).status_code == 409
    assert Assignment.objects.filter(pk=started.pk).exists()


def test_self_assessment_with_a_maturity_framework_draws_the_radar(own, analyst_c):
    framework = Framework.objects.get(key="management-self-assessment", is_active=True)
    a = campaign_services.assignment_create(
        user=None, organisation=own, framework=framework, due_date=timezone.localdate() + dt.timedelta(days=10)
    )
    for i, question in enumerate(framework.questions.order_by("order")[:12]):
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=question.pk, value=str(i % 6))
    response = analyst_c.get(url("assignment_detail", a.pk))
    body = response.content.decode()
    assert 'id="radar-chart"' in body and "<svg" in body and "<polygon" in body
    assert len(response.context["radar"].axes) == framework.sections.count()
    assert "D01" in body and " / 5" in body  # maturity averages
    assert 'id="answer-link"' in body and 'id="resend-button"' not in body


def test_points_framework_shows_points(own, analyst_c):
    framework = Framework.objects.get(key="quick-check", is_active=True)
    a = assignment(framework=framework)
    for question in framework.questions.order_by("order")[:3]:
        answering.answer_save(respondent=PARTNER, assignment=a, question_id=question.pk, value="yes")
    response = analyst_c.get(url("assignment_detail", a.pk))
    assert response.context["overall_text"] == "12 / 100"


def test_assignment_list_filters(own, analyst_c):
    framework = small_framework()
    done = assignment(party(name="提出済み"), framework)
    submit(done)
    late = assignment(party(name="期限切れ"), framework)
    Assignment.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    waiting = assignment(party(name="未着手"), framework)

    def names(query: str) -> set[str]:
        response = analyst_c.get(url("assignment_list") + query)
        assert response.status_code == 200
        return {a.organisation.name for a in response.context["object_list"]}

    assert names("") == {"提出済み", "期限切れ", "未着手"}
    assert names("?status=overdue") == {"期限切れ"}
    assert names("?status=not_started") == {"未着手"}  # the overdue one shows as overdue
    assert names("?status=open") == {"期限切れ", "未着手"}
    assert names("?party=提出") == {"提出済み"}
    assert names(f"?framework={framework.pk}") == {"提出済み", "期限切れ", "未着手"}
    assert waiting.get_absolute_url() in page(analyst_c, "assignment_list")


def test_review_page_queries_do_not_grow_with_answers(own, analyst_c):
    a = assignment()
    for ref in ("A-1", "A-2"):
        answer(a, ref, "yes")
    first = count_queries(analyst_c, url("assignment_detail", a.pk))
    for ref, value in (("B-1", "no"), ("B-2", 3), ("B-3", "full")):
        answer(a, ref, value)
    answering.comment_add(respondent=PARTNER, assignment=a, question_id=q(a, "B-1").pk, body="補足")
    assert count_queries(analyst_c, url("assignment_detail", a.pk)) == first


def test_escapes_party_text(own, analyst_c):
    a = assignment(party(name="<script>alert(1)</script>"))
    answer(a, "A-1", "yes", note="<b>太字</b>")
    body = page(analyst_c, "assignment_detail", a.pk)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body and "<b>太字</b>" not in body
    assert Organisation.objects.filter(name__startswith="<script>").exists()
