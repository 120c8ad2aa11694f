"""Issue 11, sections 1–2: the APPI clock is the one source of the incident's dates. Tasks, the
notification plan and the dashboard follow it when the answers or the learned date change; dates a
user edited stay as edited and are marked; every change writes a timeline entry."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from renkei.demo import data as demo
from renkei.demo.loader import load_demo_data
from renkei.incidents.response import deadlines as d
from renkei.incidents.response import notification_plan as plan
from renkei.incidents.response import notification_services, selectors, services
from renkei.incidents.response.models import Incident, IncidentTask, NotificationEntry
from renkei.registry.models import Organisation, OrganisationKind
from tests.incidents.incident_helpers import logged_in, open_incident

JST = ZoneInfo("Asia/Tokyo")
LEARNED = dt.datetime(2024, 4, 10, 9, 30, tzinfo=JST)


def eod(y: int, m: int, day: int) -> dt.datetime:
    return dt.datetime(y, m, day, 23, 59, 59, tzinfo=JST)


def task(incident: Incident, key: str) -> IncidentTask:
    return incident.tasks.get(deadline_key=key)


def entry(incident: Incident, key: str) -> NotificationEntry:
    return incident.notifications.get(generated_key=key)


def last_system_text(incident: Incident) -> str:
    return incident.timeline.filter(kind="system").order_by("-at", "-pk").values_list("text", flat=True)[0]


def update(incident: Incident, user: object = None, **fields: object) -> Incident:
    for name, value in fields.items():
        setattr(incident, name, value)
    return services.incident_update(user=user, incident=incident)


def test_an_incident_opened_with_nothing_answered_runs_every_deadline_provisionally(own) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED)
    assert incident.appi_decision == d.UNDETERMINED and incident.appi_decided_at is not None
    # The plan lists the PPC and the persons from the start (provisional), as the clock says.
    assert entry(incident, "ppc:preliminary").deadline == eod(2024, 4, 14)
    assert entry(incident, "ppc:final").deadline == eod(2024, 5, 9)
    assert entry(incident, "individuals").deadline == eod(2024, 4, 14)
    assert "暫定" in entry(incident, "ppc:final").reason
    # The tasks that follow a legal deadline have the clock's dates, not "learned + N hours".
    assert task(incident, "ppc:preliminary").due_at == eod(2024, 4, 14)
    assert task(incident, "ppc:final").due_at == eod(2024, 5, 9)
    assert task(incident, "individuals").due_at == eod(2024, 4, 14)


def test_final_report_task_and_plan_follow_a_wrongful_purpose_to_60_days(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    # Issue 11: the 確報 task said 30 days while the clock said 60.
    incident = open_incident(own, learned_at=LEARNED)
    update(incident, csirt_user, appi_wrongful_purpose=True)
    assert task(incident, "ppc:final").due_at == eod(2024, 6, 8)
    assert entry(incident, "ppc:final").deadline == eod(2024, 6, 8)
    assert "60" in entry(incident, "ppc:final").reason and "2024-06-10" in entry(incident, "ppc:final").reason
    text = last_system_text(incident)
    assert "2024/05/09 23:59 → 2024/06/08 23:59" in text
    assert "判定未了（報告が必要となる可能性があります） → 個人情報保護委員会への報告（漏えい等報告）が必要です。" in text
    incident.refresh_from_db()
    assert (incident.appi_decision, incident.appi_decided_by) == (d.REQUIRED, csirt_user)
    countdowns = {c.key: c for c in selectors.countdowns(incident)}
    assert countdowns["ppc:final"].deadline == eod(2024, 6, 8) and countdowns["ppc:final"].latest == eod(2024, 6, 10)


def test_changing_the_learned_date_moves_tasks_plan_and_dashboard(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED, appi_sensitive=True)
    update(incident, csirt_user, learned_at=dt.datetime(2024, 4, 4, 10, 0, tzinfo=JST))
    # Day 30 is 3 May 2024 (憲法記念日): the strict day is the target, 7 May the latest.
    assert task(incident, "ppc:final").due_at == eod(2024, 5, 3)
    assert entry(incident, "ppc:final").deadline == eod(2024, 5, 3)
    assert "2024-05-07" in entry(incident, "ppc:final").reason
    assert "2024/04/14 23:59 → 2024/04/08 23:59" in last_system_text(incident)
    # The other tasks (due some hours after learning) move with the learned date too.
    first = incident.tasks.order_by("order").first()
    assert first is not None and first.due_at == dt.datetime(2024, 4, 4, 11, 0, tzinfo=JST)
    now = dt.datetime(2024, 4, 5, 12, 0, tzinfo=JST)
    card = selectors.dashboard_incidents(user=csirt_user, now=now)
    assert card["rows"][0]["countdown"].deadline == eod(2024, 4, 8)


def test_a_task_date_edited_by_hand_stays_and_clearing_it_hands_it_back(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED)
    final = task(incident, "ppc:final")
    final.due_at = eod(2024, 5, 1)
    services.task_save(user=csirt_user, task=final)
    assert final.due_edited
    update(incident, csirt_user, appi_wrongful_purpose=True)
    final.refresh_from_db()
    assert final.due_at == eod(2024, 5, 1)
    body = logged_in(csirt_user).get(reverse("incidents:incident_tasks", args=[incident.pk])).content.decode()
    assert "手動で変更" in body and "個人情報保護法の期限では2024/06/08 23:59です。" in body
    final.due_at = None
    services.task_save(user=csirt_user, task=final)
    final.refresh_from_db()
    assert not final.due_edited and final.due_at == eod(2024, 6, 8)


def test_a_plan_entry_edited_by_hand_stays_and_is_marked(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED)
    final = entry(incident, "ppc:final")
    final.deadline = eod(2024, 5, 2)
    notification_services.notification_save(user=csirt_user, entry=final)
    update(incident, csirt_user, appi_wrongful_purpose=True)
    final.refresh_from_db()
    assert final.deadline == eod(2024, 5, 2) and final.edited
    body = logged_in(csirt_user).get(reverse("incidents:incident_notifications", args=[incident.pk])).content.decode()
    assert "手動で変更" in body and "個人情報保護法の期限では2024/06/08 23:59です。" in body


def test_not_required_removes_the_untouched_deadlines_and_says_so(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED)
    update(incident, csirt_user, appi_sensitive=False, appi_financial_risk=False, appi_wrongful_purpose=False,
           persons_estimate=12)
    assert not incident.notifications.filter(generated_key__in=["ppc:preliminary", "ppc:final", "individuals"]).exists()
    assert task(incident, "ppc:final").due_at is None
    text = last_system_text(incident)
    assert "個人情報保護委員会への報告は不要です。" in text and "通知計画から削除" in text
    assert selectors.countdowns(incident) == []
    # Undoing an answer brings the provisional deadlines back.
    update(incident, csirt_user, appi_sensitive=None)
    assert entry(incident, "ppc:final").deadline == eod(2024, 5, 9)
    assert task(incident, "ppc:final").due_at == eod(2024, 5, 9)


def test_encryption_exempts_only_with_the_key_safe(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=LEARNED, appi_sensitive=True, appi_encrypted=True)
    assert selectors.assessment_for(incident).state == d.REQUIRED
    update(incident, csirt_user, appi_key_leaked=False)
    assert selectors.assessment_for(incident).state == d.NOT_REQUIRED
    assert not incident.notifications.filter(generated_key="ppc:final").exists()


def test_the_dashboard_shows_the_provisional_deadline_of_an_undetermined_incident(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    open_incident(own, title="判定前の事案")
    body = logged_in(csirt_user).get(reverse("core:dashboard")).content.decode()
    assert "判定前の事案" in body and "速報（暫定）" in body


def test_persons_confirmation_is_refused_when_negative(own) -> None:  # type: ignore[no-untyped-def]
    from renkei.core.errors import RenkeiError

    incident = open_incident(own)
    with pytest.raises(RenkeiError):
        services.incident_persons_confirm(user=None, incident=incident, persons=-1)


def test_a_breached_group_company_is_not_told_it_uses_itself() -> None:
    company = plan.AffectedCompany(plan.Party(5, "物流子会社"), owns_exposed_data=True, uses_breached_party=True,
                                   is_breached=True)
    data = plan.PlanInput(
        learned_at=LEARNED,
        assessment=d.appi_assessment(sensitive=None, financial_risk=None, wrongful_purpose=None, persons=None),
        deadlines=d.appi_deadlines(learned_at=LEARNED, wrongful_purpose=None),
        group_companies=(company,),
    )
    with translation.override("en"):
        entries = plan.build_plan(data)
    group = next(e for e in entries if e.key == "group:5")
    assert group.reason == (
        "This group company is the breached party: ask for its incident report and keep it informed."
    )
    # Undetermined: the PPC and the persons are on the plan (provisionally).
    assert {"ppc:preliminary", "ppc:final", "individuals"} <= {e.key for e in entries}


@pytest.fixture
def demo_group(db):  # type: ignore[no-untyped-def]
    load_demo_data()
    return Organisation.objects.get(kind=OrganisationKind.OWN)


def test_breach_at_the_logistics_affiliate_on_the_demo(demo_group) -> None:  # type: ignore[no-untyped-def]
    logistics = Organisation.objects.get(name=demo.LOGISTICS_COMPANY_NAME)
    incident = open_incident(demo_group, parties=[logistics])
    groups = {e.recipient: e.reason for e in incident.notifications.filter(category="group_company")}
    assert demo.LOGISTICS_COMPANY_NAME in groups
    assert "漏えい等の発生元" in groups[demo.LOGISTICS_COMPANY_NAME]
    assert "侵害を受けた組織を" not in groups[demo.LOGISTICS_COMPANY_NAME]
    keys = set(incident.notifications.values_list("generated_key", flat=True))
    assert {"ppc:preliminary", "ppc:final", "individuals"} <= keys


def test_the_report_draft_names_an_undetermined_decision_in_words(own) -> None:  # type: ignore[no-untyped-def]
    from renkei.incidents.documents.drafts import REASON_LABELS

    incident = open_incident(own)
    for code in selectors.assessment_for(incident).reasons:
        assert code in REASON_LABELS, code  # no internal code in the draft
