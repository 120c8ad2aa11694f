"""Incident services: opening with a playbook, timeline entries on every change, tasks, drills,
roles, costs, attachments, reminders and the report's nine items."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from renkei.core.errors import RenkeiError
from renkei.incidents.response import (
    notification_services,
    playbooks,
    selectors,
    services,
    setup_services,
    timeline,
)
from renkei.incidents.response.models import (
    CostEntry,
    Incident,
    IncidentStatus,
    IncidentTask,
    NotificationEntry,
    Playbook,
    PlaybookStep,
    PlaybookTask,
    ResponseRole,
    Severity,
    TaskStatus,
    TimelineEntry,
)
from tests import factories as f
from tests.incidents.incident_helpers import confirm_all_proposals, open_incident


def system_texts(incident: Incident) -> list[str]:
    return list(incident.timeline.filter(kind="system").values_list("text", flat=True))


# --- playbooks and opening ------------------------------------------------------------------------


def test_default_playbook_has_the_five_steps(own) -> None:  # type: ignore[no-untyped-def]
    playbook = setup_services.playbook_ensure_default(group_company=own)
    steps = list(playbook.steps.order_by("order").values_list("name", flat=True))
    assert steps == ["発見報告", "初動", "調査・対応", "復旧", "最終報告"]
    assert PlaybookTask.objects.filter(step__playbook=playbook).count() == sum(len(s.tasks) for s in playbooks.DEFAULT_STEPS)
    # Idempotent: a second call returns the same playbook.
    assert setup_services.playbook_ensure_default(group_company=own) == playbook
    assert Playbook.objects.count() == 1


def test_opening_instantiates_the_default_playbook(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    learned = timezone.now() - dt.timedelta(hours=2)
    incident = open_incident(own, user=csirt_user, learned_at=learned)
    tasks = list(incident.tasks.order_by("order"))
    assert len(tasks) == sum(len(s.tasks) for s in playbooks.DEFAULT_STEPS)
    first = playbooks.DEFAULT_STEPS[0].tasks[0]
    assert (tasks[0].step_name, tasks[0].title) == ("発見報告", first.title)
    assert tasks[0].due_at == learned + dt.timedelta(hours=first.due_hours)
    assert tasks[-1].step_name == "最終報告"
    entry = incident.timeline.get(kind="system")
    assert entry.author == csirt_user and "18" in entry.text
    assert incident.notifications.exists()


def test_opening_with_a_chosen_playbook(own) -> None:  # type: ignore[no-untyped-def]
    playbook = Playbook.objects.create(group_company=own, name="ランサムウェア対応")
    step = PlaybookStep.objects.create(playbook=playbook, order=1, name="隔離")
    PlaybookTask.objects.create(step=step, title="端末をネットワークから外す", owner_kind="csirt", due_hours=1)
    incident = services.incident_open(
        user=None,
        incident=Incident(group_company=own, title="暗号化被害", learned_at=timezone.now(), source="own_detection",
                          category="ransomware"),
        playbook=playbook,
    )
    assert list(incident.tasks.values_list("title", flat=True)) == ["端末をネットワークから外す"]


def test_playbook_of_another_company_is_refused(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    playbook = setup_services.playbook_ensure_default(group_company=subsidiary)
    with pytest.raises(RenkeiError):
        services.incident_open(
            user=None,
            incident=Incident(group_company=own, title="x", learned_at=timezone.now(), source="own_detection",
                              category="other"),
            playbook=playbook,
        )
    assert not Incident.objects.exists()


def test_opening_proposes_assets_and_the_user_confirms_them(own) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 §2 changed this test: opening no longer adds the assets by itself; it proposes what
    the parties hold and the confirmed ones carry records and persons (persons scaled by records)."""
    from renkei.incidents.response import asset_proposals

    contractor = f.OrganisationFactory(name="委託先")
    f.RelationshipFactory(client=own, provider=contractor)
    asset = f.InformationAssetFactory(record_count=5000, person_count=4000, has_personal_info=True)
    f.DataHoldingFactory(asset=asset, holder=contractor, received_from=own, record_count=2500)
    incident = open_incident(own, parties=[contractor])
    assert not incident.assets.exists() and incident.persons_estimate is None
    assert any("proposed from the registry" in t or "提案" in t for t in system_texts(incident))
    (proposal,) = asset_proposals.asset_proposals(incident)
    assert (proposal.asset_id, proposal.records, proposal.persons, proposal.selected) == (asset.pk, 2500, 2000, True)
    asset_proposals.incident_assets_confirm(user=None, incident=incident, asset_ids=[asset.pk])
    item = incident.assets.get()
    assert (item.asset, item.records, item.persons) == (asset, 2500, 2000)
    assert asset_proposals.asset_proposals(incident) == []  # listed: not proposed again
    # Issue 11: the persons count is only proposed (2,000 persons, not the 2,500 records); the user confirms it.
    incident.refresh_from_db()
    assert incident.persons_estimate is None
    assert selectors.persons_proposal(incident).at_least == 2000
    services.incident_persons_confirm(user=None, incident=incident, persons=2000)
    incident.refresh_from_db()
    assert incident.persons_estimate == 2000
    assert selectors.assessment_for(incident).reasons == ["over_1000_persons"]
    # A given estimate is kept.
    other = open_incident(own, parties=[contractor], persons_estimate=12)
    asset_proposals.incident_assets_confirm(user=None, incident=other, asset_ids=[asset.pk])
    other.refresh_from_db()
    assert other.persons_estimate == 12


def test_invalid_incident_is_refused_and_nothing_saved(own) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RenkeiError) as exc:
        open_incident(own, title="", category="nonsense")
    assert exc.value.field_name in {"title", "category"}
    assert not Incident.objects.exists() and not IncidentTask.objects.exists()


def test_analyst_and_viewer_may_not_open(own, analyst, viewer) -> None:  # type: ignore[no-untyped-def]
    for user in (analyst, viewer):
        with pytest.raises(PermissionDenied):
            open_incident(own, user=user)
    assert not Incident.objects.exists()


def test_limited_user_may_not_write_another_companys_incident(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    limited = f.UserFactory(role="csirt", companies=[subsidiary])
    incident = open_incident(own)
    with pytest.raises(RenkeiError) as exc:
        timeline.timeline_add(user=limited, incident=incident, text="x")
    assert exc.value.status == 403
    # A new incident goes to the user's own company.
    mine = open_incident(user=limited)
    assert mine.group_company == subsidiary


# --- timeline ------------------------------------------------------------------------------------------


def test_every_change_writes_a_system_entry(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, user=csirt_user)
    incident.severity = "critical"
    incident.appi_sensitive = True
    services.incident_update(user=csirt_user, incident=incident)
    texts = system_texts(incident)
    assert any(str(Severity.CRITICAL.label) in t and str(Severity.MEDIUM.label) in t for t in texts)

    services.incident_set_status(user=csirt_user, incident=incident, status="investigating", note="調査開始")
    assert any(str(IncidentStatus.INVESTIGATING.label) in t for t in system_texts(incident))
    assert incident.timeline.filter(kind="manual", text="調査開始").exists()

    party = f.OrganisationFactory(name="関係先")
    services.incident_update(user=csirt_user, incident=incident, parties=[party])
    assert any("関係先" in t for t in system_texts(incident))

    before = incident.timeline.count()
    services.incident_update(user=csirt_user, incident=incident)  # nothing changed
    assert incident.timeline.count() == before


def test_closing_records_when(own) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    services.incident_set_status(user=None, incident=incident, status="closed")
    assert incident.closed_at is not None
    services.incident_set_status(user=None, incident=incident, status="recovered")
    assert incident.closed_at is None
    with pytest.raises(RenkeiError):
        services.incident_set_status(user=None, incident=incident, status="done")


def test_manual_entry_needs_text(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    with pytest.raises(RenkeiError):
        timeline.timeline_add(user=csirt_user, incident=incident, text="   ")
    entry = timeline.timeline_add(user=csirt_user, incident=incident, text="委託先に電話")
    assert (entry.kind, entry.author) == ("manual", csirt_user)


# --- tasks, inquiries, costs, attachments -------------------------------------------------------------


def test_task_moves_and_overdue(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=timezone.now() - dt.timedelta(days=40))
    task = incident.tasks.order_by("order").first()
    assert task is not None
    services.task_set_status(user=csirt_user, task=task, status="done")
    assert task.done_at is not None
    board = {c["status"]: c["items"] for c in selectors.task_board(incident)}
    assert [i["task"] for i in board["done"]] == [task]
    assert board["todo"] and all(i["overdue"] for i in board["todo"])
    assert any(str(TaskStatus.DONE.label) in t for t in system_texts(incident))
    services.task_set_status(user=csirt_user, task=task, status="doing")
    assert task.done_at is None


def test_inquiry_and_cost(own) -> None:  # type: ignore[no-untyped-def]
    from renkei.incidents.response.models import Inquiry

    incident = open_incident(own)
    inquiry = services.inquiry_save(
        user=None, inquiry=Inquiry(incident=incident, requester="会員A", question="私の情報は漏れましたか", answer="調査中です")
    )
    assert inquiry.answered_at is not None and inquiry.received_at is not None
    cost = services.cost_save(
        user=None,
        cost=CostEntry(incident=incident, kind="compensation_paid", amount=Decimal(500), currency="jpy",
                       date=timezone.localdate()),
    )
    assert cost.currency == "JPY"
    with pytest.raises(RenkeiError):
        services.cost_save(user=None, cost=CostEntry(incident=incident, amount=Decimal(-1), date=timezone.localdate()))
    assert CostEntry.objects.count() == 1


def test_attachment_size_limit(own, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RENKEI_MAX_UPLOAD_BYTES = 10
    incident = open_incident(own)
    with pytest.raises(RenkeiError) as exc:
        services.attachment_add(user=None, incident=incident, upload=SimpleUploadedFile("big.txt", b"x" * 11))
    assert exc.value.status == 413
    with pytest.raises(RenkeiError):
        services.attachment_add(user=None, incident=incident, upload=SimpleUploadedFile("empty.txt", b""))
    assert not incident.attachments.exists()
    att = services.attachment_add(user=None, incident=incident, upload=SimpleUploadedFile("../../log.txt", b"ok"))
    assert att.name == "log.txt" and att.size == 2
    assert att.file.read() == b"ok"


# --- drills ------------------------------------------------------------------------------------------


def test_drill_is_left_out_of_counts_and_the_dashboard(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    playbook = setup_services.playbook_ensure_default(group_company=own)
    real = open_incident(own)
    drill = services.drill_start(user=csirt_user, playbook=playbook)
    assert drill.is_drill and drill.tasks.exists()
    assert playbook.name in drill.timeline.get(kind="system").text
    assert list(selectors.incidents(user=csirt_user)) == [real]
    assert selectors.open_incident_count(user=csirt_user) == 1
    card = selectors.dashboard_incidents(user=csirt_user)
    assert [r["incident"] for r in card["rows"]] == [real] and card["count"] == 1
    assert list(selectors.incidents(user=csirt_user, drills=True)) == [drill]


# --- roles ------------------------------------------------------------------------------------------


def test_public_bodies_are_seeded_once(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    created = setup_services.response_roles_seed_defaults(user=csirt_user)
    assert {r.kind for r in created} == {"ppc", "ipa", "jpcert", "police"}
    assert all(r.group_company == own for r in created)
    assert setup_services.response_roles_seed_defaults(user=csirt_user) == []
    assert ResponseRole.objects.count() == 4


def test_public_bodies_fall_back_to_the_own_companys(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    setup_services.response_roles_seed_defaults(user=None)
    incident = open_incident(subsidiary, appi_sensitive=True)
    assert incident.notifications.filter(generated_key="ppc:preliminary", role__kind="ppc").exists()


# --- APPI, countdowns and the report --------------------------------------------------------------------


def test_appi_panel_and_countdowns(own) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, appi_financial_risk=True, persons_estimate=10)
    panel = selectors.appi_panel(incident)
    assert panel["assessment"].report_required
    assert [c.key for c in panel["countdowns"]] == ["ppc:preliminary", "ppc:final"]
    assert not panel["countdowns"][0].left.overdue
    entry = incident.notifications.get(generated_key="ppc:preliminary")
    entry.status = "sent"
    notification_services.notification_save(user=None, entry=entry)
    assert entry.sent_at is not None
    assert [c.done for c in selectors.countdowns(incident)] == [True, False]


def test_contractor_panel_shows_the_principal_duty(own) -> None:  # type: ignore[no-untyped-def]
    principal = f.OrganisationFactory(name="委託元")
    incident = open_incident(own, our_role="contractor", principal=principal, appi_sensitive=True)
    with translation.override("en"):
        panel = selectors.appi_panel(incident)
    assert panel["is_contractor"] and "principal" in panel["decision"]
    assert [c.key for c in panel["countdowns"]] == ["principal"]


def test_report_data_takes_the_report_fields_and_the_clock_never_the_internal_description(own) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 §3 changed this test: the report's items come from the wording written for it, not
    from the description, the assets or the task titles; the persons and deadlines from the clock."""
    from renkei.incidents.documents.selectors import report_data

    contractor = f.OrganisationFactory(name="再委託先")
    f.RelationshipFactory(client=own, provider=contractor)
    asset = f.InformationAssetFactory(name="会員情報", record_count=3000, person_count=3000, description="氏名・住所")
    f.DataHoldingFactory(asset=asset, holder=contractor, received_from=own, record_count=3000)
    incident = open_incident(own, parties=[contractor], description="不正アクセスにより流出", appi_wrongful_purpose=True)
    confirm_all_proposals(incident)  # issue 11 §2: proposed assets are added once confirmed
    services.incident_persons_confirm(user=None, incident=incident, persons=3000)
    incident.report_summary = "会員情報が外部から閲覧可能な状態にありました。"
    incident.save(update_fields=["report_summary"])
    data = report_data(incident)
    assert data.summary == "会員情報が外部から閲覧可能な状態にありました。"
    assert data.data_items == "" and data.cause == ""  # not written yet: the draft flags them
    assert "不正アクセスにより流出" not in str(data) and "会員情報（氏名・住所）" not in str(data)
    assert data.persons == 3000
    # Day 60, the day of learning being day 1.
    learned = timezone.localtime(data.learned_at).date()
    assert timezone.localtime(data.final_due).date() - learned == dt.timedelta(days=59)


# --- reminders --------------------------------------------------------------------------------------------


def test_reminders_email_task_owners_and_the_csirt_once(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=timezone.now() - dt.timedelta(hours=3), appi_sensitive=True)
    task = incident.tasks.order_by("order").first()
    assert task is not None
    task.owner = csirt_user
    task.save()
    sent = notification_services.reminders_send()
    assert sent["tasks"] >= 1
    assert any(csirt_user.email in m.to and task.title in m.body for m in mail.outbox)
    # The PPC deadlines are days away: not yet; the chain notices within 24 h are.
    assert not incident.notifications.get(generated_key="ppc:final").reminded_at
    count = len(mail.outbox)
    assert notification_services.reminders_send() == {"tasks": 0, "notifications": 0}
    assert len(mail.outbox) == count
    later = timezone.now() + dt.timedelta(days=5)
    assert notification_services.reminders_send(now=later)["notifications"] >= 1
    assert incident.notifications.get(generated_key="ppc:preliminary").reminded_at is not None


def test_no_reminders_for_closed_incidents_or_drill_plans(own, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=timezone.now() - dt.timedelta(days=3), status="closed")
    assert incident.tasks.exists()
    assert notification_services.reminders_send(now=timezone.now() + dt.timedelta(days=90)) == {"tasks": 0, "notifications": 0}
    assert not NotificationEntry.objects.exclude(reminded_at=None).exists()
    assert not TimelineEntry.objects.filter(text__contains="Reminder").exists()


def test_response_demo_loads(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    from renkei.incidents.demo_response import load_response_demo

    counts = load_response_demo(orgs={"own": own, "card": subsidiary}, today=timezone.localdate())
    assert counts["playbooks"] == 2 and counts["drills"] == 1
    assert ResponseRole.objects.filter(kind="csirt").count() == 2
    assert ResponseRole.objects.filter(kind="ppc").exists()
    drill = Incident.objects.get()
    assert drill.is_drill and drill.status == "closed" and drill.after_action_note
    assert not Incident.objects.filter(is_drill=False).exists()


def test_preliminary_window_start_cannot_pass_the_latest_day(own) -> None:  # type: ignore[no-untyped-def]
    for bad in (6, 0):  # day 0 no longer exists: the day of learning is day 1
        with pytest.raises(RenkeiError) as exc:
            open_incident(own, prelim_start_days=bad)
        assert exc.value.field_name == "prelim_start_days"
    incident = open_incident(own, prelim_start_days=1)
    d = selectors.deadlines_for(incident)
    assert d.prelim_from.date() == d.learned_at.date()
