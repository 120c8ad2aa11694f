"""The drafts page and the form "報告・通知用の記載": warnings, help, audit, optimistic concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from renkei.core.permissions import Role
from renkei.incidents.response.models import Incident, TimelineEntry
from tests import factories as f

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(own: Any) -> Incident:
    return Incident.objects.create(
        group_company=own, title="配送委託先からの漏えい", learned_at=dt.datetime(2026, 4, 10, 9, 0, tzinfo=TOKYO),
        source="partner_report", category="leak", description="社内メモ：調査担当は佐藤。",
        report_summary="委託先サーバへの不正アクセスにより、お客様の配送先情報が流出したおそれがあります。",
    )


def _edit_url(incident: Incident) -> str:
    return reverse("incidents:incident_report_fields", args=[incident.pk])


def _drafts_url(incident: Incident) -> str:
    return reverse("incidents:incident_drafts", args=[incident.pk])


def test_drafts_page_lists_what_is_missing_and_warns_about_the_contact(
    client: Client, csirt_user: Any, incident: Incident, settings: Any
) -> None:
    settings.RENKEI_INQUIRY_CONTACT = ""
    client.force_login(csirt_user)
    html = client.get(_drafts_url(incident)).content.decode()
    assert 'id="contact-missing"' in html
    assert "お問い合わせ窓口が設定されていません" in html
    assert "報告書で未記入の項目： 漏えい等が発生し又は発生したおそれがある個人データの項目、発生原因" in html
    assert "通知で未記入の項目：" in html
    assert incident.report_summary in html
    assert "社内メモ" not in html  # the internal description is not part of the drafts
    for anchor in ("drafts-report-pdf", "drafts-final-docx", "drafts-notice-pdf", "edit-report-fields"):
        assert f'id="{anchor}"' in html


def test_drafts_page_shows_the_configured_contact(
    client: Client, csirt_user: Any, incident: Incident, settings: Any
) -> None:
    settings.RENKEI_INQUIRY_CONTACT = "お客様相談窓口\n0120-000-000"
    client.force_login(csirt_user)
    html = client.get(_drafts_url(incident)).content.decode()
    assert 'id="contact-missing"' not in html
    assert "お客様相談窓口\n0120-000-000" in html


def test_edit_form_explains_each_item(client: Client, csirt_user: Any, incident: Incident) -> None:
    client.force_login(csirt_user)
    html = client.get(_edit_url(incident)).content.decode()
    assert "<h1>報告・通知用の記載</h1>" in html
    assert "再発防止のための措置" in html
    assert "文章で記載します（タスク一覧ではありません）" in html
    assert "報告者の文面や社内メモを貼り付けないでください" in html
    assert f'name="edit_version" value="{incident.edit_version}"' in html


def _post(client: Client, incident: Incident, version: int, **fields: str) -> Any:
    data = {name: getattr(incident, name) for name in (
        "report_summary", "report_data_items", "report_cause", "report_secondary_damage",
        "report_response_to_persons", "report_publication", "report_prevention", "report_other")}
    data.update(fields)
    data["edit_version"] = str(version)
    return client.post(_edit_url(incident), data)


def test_saving_the_wording_is_audited_and_on_the_timeline(client: Client, csirt_user: Any, incident: Incident) -> None:
    client.force_login(csirt_user)
    response = _post(client, incident, incident.edit_version, report_cause="委託先サーバの脆弱性",
                     report_prevention="委託先の監査を年2回に増やす。")
    assert response.status_code == 302
    assert response.url == _drafts_url(incident)
    incident.refresh_from_db()
    assert (incident.report_cause, incident.report_prevention) == ("委託先サーバの脆弱性", "委託先の監査を年2回に増やす。")
    entry = TimelineEntry.objects.filter(incident=incident).latest("pk")
    assert entry.text == "報告・通知用の記載を変更しました：原因、再発防止策"
    log = LogEntry.objects.get_for_object(incident).latest("pk")
    assert log.actor == csirt_user
    assert "report_cause" in log.changes_dict


def test_a_concurrent_change_is_not_overwritten(client: Client, csirt_user: Any, incident: Incident) -> None:
    client.force_login(csirt_user)
    loaded = incident.edit_version
    other = Incident.objects.get(pk=incident.pk)
    other.report_cause = "同僚が書いた原因"
    other.save()
    response = _post(client, incident, loaded, report_cause="私が書いた原因")
    assert response.status_code == 409
    html = response.content.decode()
    assert "編集中に他の人がこの記録を保存しました" in html
    assert "同僚が書いた原因" in html and "私が書いた原因" in html
    incident.refresh_from_db()
    assert incident.report_cause == "同僚が書いた原因"


def test_viewer_may_read_nothing_and_other_companies_get_404(
    client: Client, viewer: Any, subsidiary: Any, incident: Incident
) -> None:
    client.force_login(viewer)
    assert client.get(_edit_url(incident)).status_code == 403
    client.force_login(f.UserFactory(role=Role.CSIRT, companies=[subsidiary]))
    assert client.get(_edit_url(incident)).status_code == 404
    assert client.get(_drafts_url(incident)).status_code == 404
