"""Assessments in the demo data set: a running campaign with parties in every state, last year's
cycle to carry answers from, an overdue quick check, self-assessments of the own company, follow-up
items and a declared subcontractor. Built through the services, like a person would.

A few dates are moved into the past directly in the database (last year's cycle, an overdue
campaign): the services rightly refuse due dates in the past, and a demo needs history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from renkei.accounts.models import User
from renkei.accounts.services import portal_link_issue
from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.followups import services as followup_services
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.models import (
    Answer,
    AssessmentPolicy,
    Assignment,
    Campaign,
    FollowUp,
    FollowUpOwner,
    Framework,
    ReviewState,
)
from renkei.assessments.notifications import link_expiry, portal_url
from renkei.assessments.review import services as review_services
from renkei.registry.models import Organisation

BASELINE = "renkei-supplier-baseline"
QUICK_CHECK = "quick-check"
SCS = "scs-readiness"
MANAGEMENT = "management-self-assessment"
CAMPAIGN_NAME = "2026年度 取引先セキュリティ点検（基本チェック）"
PORTAL_PARTY_KEY = "aozora"  # the party whose portal link the demo prints

# Answers that differ from "yes", per party key (baseline question IDs).
GAPS: dict[str, dict[str, str]] = {
    "aozora": {"DAT-07": "partly", "SW-01": "no", "INC-04": "partly"},
    "hibari": {"ACC-03": "partly", "VUL-03": "no", "EDU-02": "partly"},
    "hokuto": {"DAT-06": "no", "DAT-07": "no", "ACC-03": "no", "VUL-03": "partly", "INC-03": "unknown"},
    "kamome": {"ACC-03": "no", "VUL-04": "partly", "BCP-02": "no"},
    "michinoku": {"VUL-03": "no", "INC-04": "no"},
}
RESPONDENTS = {
    "aozora": "青空 陽介（情報セキュリティ室）",
    "hibari": "日野 ひばり（品質管理部）",
    "hokuto": "北斗 一郎（システム部）",
    "kamome": "鴎 直樹（セキュリティ運用）",
    "michinoku": "陸奥 由紀（総務部）",
    "yamabiko": "山彦 健（総務）",
}


@dataclass
class AssessmentDemo:
    counts: dict[str, int] = field(default_factory=dict)
    portal_links: list[tuple[str, str]] = field(default_factory=list)


def _framework(key: str) -> Framework:
    framework = Framework.objects.filter(key=key, is_active=True).order_by("-version").first()
    if framework is None:
        framework_services.frameworks_install_builtin()
        framework = Framework.objects.get(key=key, is_active=True)
    return framework


def _answer(assignment: Assignment, respondent: answering.Respondent, gaps: Mapping[str, str], notes: Mapping[str, str] | None = None) -> None:
    values: dict[str, tuple[Any, str | None]] = {}
    for question in assignment.framework.questions.order_by("order"):
        if question.answer_type == "yesno":
            values[question.ref] = (gaps.get(question.ref, "yes"), (notes or {}).get(question.ref))
        elif question.answer_type == "maturity":
            values[question.ref] = (gaps.get(question.ref, "3"), None)
    answering.answers_save_many(respondent=respondent, assignment=assignment, values=values)


def _backdate(assignment: Assignment, *, days: int) -> None:
    """Move a finished assessment `days` into the past (history for the demo)."""
    moved = timezone.now() - dt.timedelta(days=days)
    Assignment.objects.filter(pk=assignment.pk).update(
        created_at=moved - dt.timedelta(days=30),
        due_date=(moved - dt.timedelta(days=5)).date(),
        submitted_at=moved - dt.timedelta(days=7) if assignment.submitted_at else None,
        accepted_at=moved if assignment.accepted_at else None,
    )


def load_assessment_demo(*, orgs: Mapping[str, Organisation], today: dt.date) -> AssessmentDemo:
    """Build the assessments part of the demo; returns counts and the printed portal link."""
    demo = AssessmentDemo()
    own = orgs["own"]
    analyst = User.objects.filter(username="demo-analyst").first()
    baseline = _framework(BASELINE)

    campaign_services.policy_save(user=None, policy=AssessmentPolicy(group_company=own))
    campaign_services.assurance_override_set(
        user=None,
        organisation=orgs["sakurano"],
        level="scs4",
        reason="2027年度から会員データのバックアップを委託する予定のため、前倒しで★4を求める。",
    )

    # Last year's cycle of two parties, accepted about 13 months ago: due again now.
    for key in ("aozora", "hibari"):
        last = campaign_services.assignments_create(organisations=[orgs[key]], framework=baseline, due_date=today + dt.timedelta(days=30))[0]
        respondent = answering.Respondent(name=RESPONDENTS[key])
        _answer(last, respondent, {**GAPS[key], "SW-02": "partly"})
        answering.assignment_submit(respondent=respondent, assignment=last)
        # The accepted copy: `last` still has no acceptance time, which _backdate would keep.
        last = review_services.assignment_accept(user=analyst, assignment=last)
        _backdate(last, days=395)

    campaign = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(
            name=CAMPAIGN_NAME,
            framework=baseline,
            group_company=own,
            due_date=today + dt.timedelta(days=21),
            message="毎年の定期点検です。昨年度の回答がある項目は、内容を確認のうえ確定してください。",
            created_by=analyst,
        ),
    )
    keys = ("aozora", "hibari", "hokuto", "kamome", "michinoku", "isaribi", "akebono", "soyokaze", "stratus", "sakurano")
    campaign_services.campaign_set_parties(
        user=None, campaign=campaign, organisations=[orgs[k] for k in keys], party_filter={"criticality": ["critical", "high"]}
    )
    campaign_services.campaign_launch(user=analyst, campaign=campaign)
    campaign_services.campaign_launch_run(campaign_id=campaign.pk, notify=False)
    by_key = {k: Assignment.objects.get(campaign=campaign, organisation=orgs[k]) for k in keys}

    # aozora (cycle 2): still working: most of last year's answers confirmed, two changed.
    aozora = by_key["aozora"]
    respondent = answering.Respondent(name=RESPONDENTS["aozora"])
    questions = list(aozora.framework.questions.order_by("order"))
    answering.answers_confirm_carried(respondent=respondent, assignment=aozora, question_ids=[q.pk for q in questions[:30]])
    answering.answers_save_many(respondent=respondent, assignment=aozora, values={"SW-01": ("partly", "主要製品のみSBOMを提供開始"), "SW-02": ("yes", None)})

    # hibari (cycle 2): submitted with changes since last year, waiting for review.
    hibari = by_key["hibari"]
    respondent = answering.Respondent(name=RESPONDENTS["hibari"])
    answering.answers_confirm_carried(respondent=respondent, assignment=hibari)
    answering.answers_save_many(respondent=respondent, assignment=hibari, values={"VUL-03": ("partly", "2027年3月までにWindows 10端末を更新予定"), "SW-02": ("yes", None)})
    answering.assignment_submit(respondent=respondent, assignment=hibari)

    # hokuto: submitted with gaps, and declares a subcontractor that handles our customer data.
    hokuto = by_key["hokuto"]
    respondent = answering.Respondent(name=RESPONDENTS["hokuto"])
    _answer(hokuto, respondent, GAPS["hokuto"], {"DAT-07": "再委託先の一覧は作成中です。"})
    shared = list(answering.assets_choices(hokuto))
    answering.declaration_add(
        respondent=respondent,
        assignment=hokuto,
        name="株式会社はまかぜ入力センター",
        service="問い合わせ記録のデータ入力",
        asset_ids=[a.pk for a in shared[:1]],
    )
    answering.comment_add(respondent=respondent, assignment=hokuto, body="ACC-03 は来期に棚卸の仕組みを導入する予定です。",
                          question_id=hokuto.framework.questions.get(ref="ACC-03").pk)
    answering.assignment_submit(respondent=respondent, assignment=hokuto)

    # kamome: accepted; its gaps became follow-up items, one of them already overdue.
    kamome = by_key["kamome"]
    respondent = answering.Respondent(name=RESPONDENTS["kamome"])
    _answer(kamome, respondent, GAPS["kamome"])
    answering.assignment_submit(respondent=respondent, assignment=kamome)
    review_services.assignment_accept(user=analyst, assignment=kamome)
    items = followup_services.followups_from_answers(
        user=None,
        assignment=kamome,
        question_ids=list(kamome.framework.questions.filter(ref__in=GAPS["kamome"]).values_list("pk", flat=True)),
        owner_user=analyst,
    )
    if items:
        FollowUp.objects.filter(pk=items[0].pk).update(due_date=today - dt.timedelta(days=3))
        followup_services.followup_message_add(
            follow_up=items[-1], body="バックアップの復元テストを来月実施します。", party_name=RESPONDENTS["kamome"], status="in_progress"
        )

    # michinoku: submitted, then returned with a change request.
    michinoku = by_key["michinoku"]
    respondent = answering.Respondent(name=RESPONDENTS["michinoku"])
    _answer(michinoku, respondent, GAPS["michinoku"])
    michinoku = answering.assignment_submit(respondent=respondent, assignment=michinoku)
    answer = Answer.objects.select_related("assignment", "question").get(assignment=michinoku, question__ref="INC-04")
    review_services.answer_review(
        user=analyst, answer=answer, state=ReviewState.CHANGE_REQUESTED,
        comment="連絡窓口（夜間・休日を含む）を取り決めた文書の写しを証跡として添付してください。",
    )
    review_services.assignment_return(user=analyst, assignment=michinoku, message="INC-04 の証跡をお願いします。")

    # akebono: started (a few answers).
    answering.answers_save_many(
        respondent=answering.Respondent(name="曙 印刷（情報システム課）"),
        assignment=by_key["akebono"],
        values={"CON-01": ("yes", None), "CON-02": ("partly", "契約更新時に追記予定"), "DAT-01": ("yes", None)},
    )

    # An earlier quick check whose due date has passed: one party never answered (overdue).
    quick = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(
            name="2026年度上期 小規模取引先クイックチェック",
            framework=_framework(QUICK_CHECK),
            group_company=own,
            due_date=today + dt.timedelta(days=1),
            message="5分程度で回答できる簡易チェックです。",
            created_by=analyst,
        ),
    )
    campaign_services.campaign_set_parties(user=None, campaign=quick, organisations=[orgs["yamabiko"], orgs["koharu"]])
    campaign_services.campaign_launch(user=analyst, campaign=quick)
    campaign_services.campaign_launch_run(campaign_id=quick.pk, notify=False)
    yamabiko = Assignment.objects.get(campaign=quick, organisation=orgs["yamabiko"])
    respondent = answering.Respondent(name=RESPONDENTS["yamabiko"])
    _answer(yamabiko, respondent, {"Q03": "partly", "Q12": "no", "Q20": "unknown"})
    answering.assignment_submit(respondent=respondent, assignment=yamabiko)
    review_services.assignment_accept(user=analyst, assignment=yamabiko)
    Campaign.objects.filter(pk=quick.pk).update(due_date=today - dt.timedelta(days=10))
    Assignment.objects.filter(campaign=quick).update(due_date=today - dt.timedelta(days=10))

    # Our own company: the management self-assessment (accepted) and the SCS readiness check (open).
    management = campaign_services.assignment_create(
        user=None, organisation=own, framework=_framework(MANAGEMENT), due_date=today + dt.timedelta(days=14), invite=False
    )
    staff = answering.Respondent(name="高橋 真理", user=None, from_party=False)
    _answer(management, staff, {"D01-1": "4", "D01-2": "4", "D02-1": "3", "D03-1": "2", "D03-2": "2", "D04-1": "3",
                                 "D05-1": "2", "D06-1": "1", "D07-1": "4", "D08-1": "2", "D09-1": "1", "D09-2": "2", "D10-1": "2"})
    answering.assignment_submit(respondent=staff, assignment=management)
    review_services.assignment_accept(user=None, assignment=management)
    scs = campaign_services.assignment_create(
        user=None, organisation=own, framework=_framework(SCS), due_date=today + dt.timedelta(days=45), invite=False
    )
    answering.answers_save_many(
        respondent=staff, assignment=scs,
        values={q.ref: ("yes" if i % 4 else "partly", None) for i, q in enumerate(scs.framework.questions.order_by("order")[:20])},
    )

    # A follow-up item of ours, from a contract review.
    followup_services.followup_save(
        user=None,
        follow_up=FollowUp(
            organisation=orgs["isaribi"],
            title="再委託先（いさり火データ）との契約にインシデント通知期限を明記する",
            description="北斗システムサービス経由の再委託。通知期限の定めがない。",
            severity="high",
            owner=FollowUpOwner.US,
            owner_user=analyst,
            due_date=today + dt.timedelta(days=30),
        ),
    )

    party = orgs[PORTAL_PARTY_KEY]
    _link, raw = portal_link_issue(
        user=None, organisation=party, expires_at=link_expiry(campaign.due_date), purpose=CAMPAIGN_NAME + "（デモ）"
    )
    demo.portal_links.append((party.name, portal_url(raw)))
    demo.counts.update(
        campaigns=Campaign.objects.count(),
        assessments=Assignment.objects.count(),
        follow_ups=FollowUp.objects.count(),
    )
    return demo
