"""Incident pages: opening through the form, the detail page with its APPI panel, the board, the
plan, inquiries, costs, attachments, roles, playbooks, drills, the dashboard card and permissions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from renkei.incidents.response import services, setup_services
from renkei.incidents.response.models import (
    Attachment,
    Incident,
    IncidentTask,
    Inquiry,
    NotificationEntry,
    Playbook,
    ReplyTemplate,
    ResponseRole,
)
from tests import factories as f
from tests.incidents.incident_helpers import logged_in, open_incident


@pytest.fixture
def csirt(csirt_user):  # type: ignore[no-untyped-def]
    return logged_in(csirt_user)


def page(client, name: str, *args: object, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse(f"incidents:{name}", args=args))
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_open_an_incident_through_the_form(own, csirt) -> None:  # type: ignore[no-untyped-def]
    contractor = f.OrganisationFactory(name="一次委託先")
    f.RelationshipFactory(client=own, provider=contractor)
    asset = f.InformationAssetFactory(name="顧客台帳", record_count=2000, person_count=1500, has_personal_info=True)
    f.DataHoldingFactory(asset=asset, holder=contractor, received_from=own, record_count=2000)
    form = page(csirt, "incident_create")
    assert 'name="learned_at"' in form and 'name="playbook"' in form
    response = csirt.post(
        reverse("incidents:incident_create"),
        {"title": "委託先でのランサムウェア被害", "learned_at": "2024-04-10T09:30", "source": "partner_report",
         "category": "ransomware", "severity": "high", "parties": [contractor.pk], "our_role": "data_owner"},
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    assert timezone.localtime(incident.learned_at).strftime("%Y-%m-%d %H:%M") == "2024-04-10 09:30"
    # Issue 11: the held asset is proposed, ticked; the user confirms it (it is not added unasked), and
    # persons are then proposed from it (1,500 persons, not 2,000 records), not set.
    assert not incident.assets.exists()
    proposals = page(csirt, "assets_prefill", incident.pk)
    assert f'value="{asset.pk}" id="proposal-{asset.pk}" checked' in proposals
    csirt.post(reverse("incidents:assets_prefill", args=[incident.pk]), {"asset_ids": [asset.pk]})
    incident.refresh_from_db()
    assert incident.assets.get().asset == asset and incident.persons_estimate is None
    body = page(csirt, "incident_detail", incident.pk)
    assert "顧客台帳" in body and 'id="appi-panel"' in body and 'id="timeline"' in body
    assert 'id="appi-persons-proposal"' in body and "1,500" in body
    # Nothing answered: undetermined, never "not required"; the deadlines run provisionally, the day
    # of learning (10 April) being day 1: 速報 by 14 April, 確報 by 9 May (30) or 8 June (60).
    assert "判定未了（報告が必要となる可能性があります）" in body and "報告は不要" not in body
    assert 'id="appi-deadlines"' in body and "2024/04/14 23:59" in body and "2024/05/09 23:59" in body
    assert 'id="appi-finals"' in body and "2024年6月8日" in body
    # Confirming the proposed persons answers the >1,000 question: a report is required.
    response = csirt.post(reverse("incidents:incident_persons_confirm", args=[incident.pk]), {"persons": 1500})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.persons_estimate == 1500
    body = page(csirt, "incident_detail", incident.pk)
    assert "個人情報保護委員会への報告（漏えい等報告）が必要です。" in body and 'id="appi-persons-proposal"' not in body


def test_bad_input_shows_errors_and_saves_nothing(own, csirt) -> None:  # type: ignore[no-untyped-def]
    response = csirt.post(reverse("incidents:incident_create"), {"title": "", "learned_at": "not a date"})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Incident.objects.exists()


def test_detail_shows_fields_and_escapes_text(own, csirt) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, title="<script>alert(1)</script>", description="<b>x</b>")
    body = page(csirt, "incident_detail", incident.pk)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_status_change_and_timeline_entry(own, csirt, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    response = csirt.post(reverse("incidents:incident_status", args=[incident.pk]), {"status": "contained", "note": "遮断済み"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "contained"
    csirt.post(reverse("incidents:timeline_add", args=[incident.pk]), {"text": "委託先から続報"})
    assert incident.timeline.filter(kind="manual", text="委託先から続報", author=csirt_user).exists()
    body = page(csirt, "incident_detail", incident.pk)
    assert "遮断済み" in body and "委託先から続報" in body
    # Bad input: an unknown status changes nothing.
    csirt.post(reverse("incidents:incident_status", args=[incident.pk]), {"status": "gone"})
    incident.refresh_from_db()
    assert incident.status == "contained"


def test_appi_form_changes_the_decision(own, csirt, csirt_user) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, persons_estimate=10)
    # Three questions open: undetermined with provisional deadlines (issue 11), never "not required".
    body = page(csirt, "incident_detail", incident.pk)
    assert "appi-deadlines" in body and "判定未了" in body and "不要" not in body
    assert 'id="appi-unanswered"' in body and "要配慮個人情報が含まれていますか" in body
    # Everything answered "no": not required, with who decided and when; no deadlines.
    response = csirt.post(
        reverse("incidents:incident_appi", args=[incident.pk]),
        {"appi_sensitive": "false", "appi_financial_risk": "false", "appi_wrongful_purpose": "false",
         "persons_estimate": "10", "our_role": "data_owner", "prelim_start_days": "3", "appi_key_leaked": "unknown"},
    )
    assert response.status_code == 302
    body = page(csirt, "incident_detail", incident.pk)
    assert "個人情報保護委員会への報告は不要です。" in body and "appi-deadlines" not in body
    assert 'id="appi-decided"' in body and str(csirt_user) in body
    page(csirt, "incident_appi", incident.pk)
    response = csirt.post(
        reverse("incidents:incident_appi", args=[incident.pk]),
        {"appi_sensitive": "true", "appi_financial_risk": "unknown", "appi_wrongful_purpose": "false",
         "persons_estimate": "10", "our_role": "data_owner", "prelim_start_days": "3"},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.appi_sensitive, incident.appi_financial_risk, incident.appi_wrongful_purpose) == (True, None, False)
    assert "appi-deadlines" in page(csirt, "incident_detail", incident.pk)


def test_contractor_case_on_the_page(own, csirt) -> None:  # type: ignore[no-untyped-def]
    principal = f.OrganisationFactory(name="委託元商事")
    incident = open_incident(own, our_role="contractor", principal=principal, appi_sensitive=True)
    body = page(csirt, "incident_detail", incident.pk)
    assert 'id="appi-contractor"' in body and "委託元商事" in body
    assert "委託元商事" in page(csirt, "incident_notifications", incident.pk)


def test_task_board_and_moving_a_task(own, csirt) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, learned_at=timezone.now() - dt.timedelta(days=2))
    body = page(csirt, "incident_tasks", incident.pk)
    assert 'id="column-todo"' in body and 'id="column-doing"' in body and 'id="column-done"' in body
    assert "task overdue" in body
    task = incident.tasks.order_by("order").first()
    assert task is not None
    csirt.post(reverse("incidents:task_move", args=[task.pk]), {"status": "doing"})
    task.refresh_from_db()
    assert task.status == "doing"
    page(csirt, "task_create", incident.pk)
    response = csirt.post(reverse("incidents:task_create", args=[incident.pk]),
                          {"title": "記者会見の準備", "owner_kind": "ciso", "status": "todo",
                           "due_at": "2030-01-01T10:00"})
    assert response.status_code == 302
    assert IncidentTask.objects.filter(incident=incident, title="記者会見の準備").exists()


def test_notification_plan_page_edit_and_regenerate(own, csirt) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, appi_sensitive=True)
    body = page(csirt, "incident_notifications", incident.pk)
    assert 'id="notification-plan"' in body
    entry = incident.notifications.get(generated_key="ppc:preliminary")
    page(csirt, "notification_update", entry.pk)
    response = csirt.post(
        reverse("incidents:notification_update", args=[entry.pk]),
        {"category": entry.category, "recipient": entry.recipient, "status": "sent", "what_sent": "速報を提出",
         "reason": entry.reason, "deadline": timezone.localtime(entry.deadline).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "sent" and entry.edited and entry.sent_at
    csirt.post(reverse("incidents:notifications_generate", args=[incident.pk]))
    assert NotificationEntry.objects.get(pk=entry.pk).what_sent == "速報を提出"
    response = csirt.post(reverse("incidents:notification_create", args=[incident.pk]),
                          {"category": "internal", "recipient": "取締役会", "status": "pending"})
    assert response.status_code == 302
    assert incident.notifications.filter(recipient="取締役会", edited=True).exists()


def test_inquiry_with_a_reply_template(own, csirt) -> None:  # type: ignore[no-untyped-def]
    template = ReplyTemplate.objects.create(group_company=own, name="お詫び", body="このたびはご迷惑をおかけし…")
    incident = open_incident(own)
    page(csirt, "inquiry_create", incident.pk)
    response = csirt.post(reverse("incidents:inquiry_create", args=[incident.pk]),
                          {"received_at": "2024-04-11T10:00", "channel": "電話", "requester": "会員B",
                           "question": "情報は漏れましたか", "template": template.pk})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.answer == template.body and inquiry.answered_at
    assert "会員B" in page(csirt, "incident_inquiries", incident.pk)


def test_costs_page_with_totals(own, csirt) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    for kind, amount in (("cost", "1200000"), ("compensation_paid", "500"), ("compensation_paid", "500")):
        response = csirt.post(reverse("incidents:cost_create", args=[incident.pk]),
                              {"kind": kind, "amount": amount, "currency": "JPY", "date": "2024-04-20"})
        assert response.status_code == 302
    body = page(csirt, "incident_costs", incident.pk)
    assert "1,200,000" in body and "1,000" in body
    response = csirt.post(reverse("incidents:cost_create", args=[incident.pk]),
                          {"kind": "cost", "amount": "-5", "currency": "JPY", "date": "2024-04-20"})
    assert response.status_code == 400
    assert incident.costs.count() == 3


def test_attachment_upload_download_and_limit(own, csirt, settings) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    url = reverse("incidents:attachment_create", args=[incident.pk])
    response = csirt.post(url, {"file": SimpleUploadedFile("報告書.pdf", b"%PDF-1.4 report")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = csirt.get(reverse("incidents:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 report"
    settings.RENKEI_MAX_UPLOAD_BYTES = 5
    response = csirt.post(url, {"file": SimpleUploadedFile("big.bin", b"0123456789")})
    assert response.status_code == 400
    assert Attachment.objects.count() == 1


def test_roles_page_and_seeding_public_bodies(own, csirt) -> None:  # type: ignore[no-untyped-def]
    page(csirt, "role_list")
    page(csirt, "roles_seed")
    assert csirt.post(reverse("incidents:roles_seed")).status_code == 302
    assert set(ResponseRole.objects.values_list("kind", flat=True)) == {"ppc", "ipa", "jpcert", "police"}
    body = page(csirt, "role_list")
    assert "JPCERT" in body
    response = csirt.post(reverse("incidents:role_create"),
                          {"kind": "csirt", "name": "山田 太郎", "email": "yamada@example.jp", "escalation_level": 0})
    assert response.status_code == 302 and response.url == reverse("incidents:role_list")


def test_playbook_pages_and_drill(own, csirt) -> None:  # type: ignore[no-untyped-def]
    page(csirt, "playbook_list")
    page(csirt, "playbook_default")
    response = csirt.post(reverse("incidents:playbook_default"))
    playbook = Playbook.objects.get()
    assert response.status_code == 302 and response.url == playbook.get_absolute_url()
    body = page(csirt, "playbook_detail", playbook.pk)
    assert "発見報告" in body and "最終報告" in body
    step = playbook.steps.order_by("order").first()
    assert step is not None
    response = csirt.post(reverse("incidents:playbook_task_create", args=[step.pk]),
                          {"title": "広報へ連絡", "owner_kind": "other", "due_hours": 3})
    assert response.status_code == 302 and step.tasks.filter(title="広報へ連絡").exists()
    page(csirt, "playbook_drill", playbook.pk)
    response = csirt.post(reverse("incidents:playbook_drill", args=[playbook.pk]), {"title": "机上訓練 2024"})
    drill = Incident.objects.get(is_drill=True)
    assert response.status_code == 302 and response.url == drill.get_absolute_url()
    assert "drill-banner" in page(csirt, "incident_detail", drill.pk)
    # Drills are not on the incident list, only on the drills list.
    assert "机上訓練 2024" not in page(csirt, "incident_list")
    assert "机上訓練 2024" in csirt.get(reverse("incidents:incident_list") + "?show=drills").content.decode()
    # The after-action note is edited on the drill's form.
    form = page(csirt, "incident_update", drill.pk)
    assert 'name="after_action_note"' in form


def test_dashboard_card_shows_the_nearest_deadline_and_no_drills(own, csirt, csirt_user) -> None:  # type: ignore[no-untyped-def]
    open_incident(own, title="遠い期限", appi_sensitive=True, learned_at=timezone.now() - dt.timedelta(hours=1))
    open_incident(own, title="近い期限", appi_sensitive=True, learned_at=timezone.now() - dt.timedelta(days=4))
    services.drill_start(user=csirt_user, playbook=setup_services.playbook_ensure_default(group_company=own), title="訓練X")
    body = csirt.get(reverse("core:dashboard")).content.decode()
    assert 'id="incident-card"' in body
    assert body.index("近い期限") < body.index("遠い期限")
    assert "訓練X" not in body


# --- permissions --------------------------------------------------------------------------------------


def test_viewer_sees_the_list_but_not_details(own, viewer) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, title="一覧に出る事案")
    client = logged_in(viewer)
    assert "一覧に出る事案" in page(client, "incident_list")
    for name in ("incident_detail", "incident_tasks", "incident_notifications", "incident_inquiries", "incident_costs"):
        page(client, name, incident.pk, status=403)
    page(client, "role_list", status=403)
    response = client.post(reverse("incidents:incident_status", args=[incident.pk]), {"status": "closed"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "open"
    # The dashboard card lists it without a link to the details.
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "一覧に出る事案" in body and incident.get_absolute_url() not in body


def test_analyst_may_read_the_list_but_not_write(own, analyst) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    client = logged_in(analyst)
    page(client, "incident_list")
    page(client, "incident_create", status=403)
    response = client.post(reverse("incidents:incident_create"),
                           {"title": "x", "learned_at": "2024-04-10T09:30", "source": "own_detection", "category": "other"})
    assert response.status_code == 403
    response = client.post(reverse("incidents:timeline_add", args=[incident.pk]), {"text": "x"})
    assert response.status_code == 403
    assert Incident.objects.count() == 1 and not incident.timeline.filter(kind="manual").exists()


def test_limited_csirt_gets_404_for_other_companies(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    theirs = open_incident(own, title="本社の事案")
    mine = open_incident(subsidiary, title="子会社の事案")
    client = logged_in(f.UserFactory(role="csirt", companies=[subsidiary]))
    body = page(client, "incident_list")
    assert "子会社の事案" in body and "本社の事案" not in body
    page(client, "incident_detail", theirs.pk, status=404)
    page(client, "incident_detail", mine.pk)
    task = theirs.tasks.first()
    assert task is not None
    assert client.post(reverse("incidents:task_move", args=[task.pk]), {"status": "done"}).status_code == 404
    task.refresh_from_db()
    assert task.status == "todo"


def test_anonymous_is_sent_to_login(own, client) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    response = client.get(reverse("incidents:incident_detail", args=[incident.pk]))
    assert response.status_code == 302 and "/accounts/login" in response.url


def test_limited_csirt_cannot_name_another_companys_records(own, subsidiary) -> None:  # type: ignore[no-untyped-def]
    mine = open_incident(subsidiary)
    hidden_asset = f.InformationAssetFactory(group_company=own)
    hidden_party = f.OrganisationFactory(group_company=own)
    client = logged_in(f.UserFactory(role="csirt", companies=[subsidiary]))
    response = client.post(reverse("incidents:asset_create", args=[mine.pk]), {"asset": hidden_asset.pk})
    assert response.status_code == 400 and not mine.assets.exists()
    response = client.post(reverse("incidents:cost_create", args=[mine.pk]),
                           {"kind": "cost", "party": hidden_party.pk, "amount": 1, "currency": "JPY",
                            "date": "2024-04-20"})
    assert response.status_code == 400 and not mine.costs.exists()
