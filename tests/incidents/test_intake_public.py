"""Issue 11 §5: the public form names the company and the purpose of use; the reporter never sees
our triage states; the incident and intake lists show Japan time in one format."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from renkei.incidents.intake import services
from renkei.incidents.intake.models import IntakeReport
from renkei.incidents.response.models import Incident
from tests.incidents.test_intake import open_status, receipt_code, submit

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_public_form_names_the_company_and_the_purpose_of_use(client: Client, own: Any, settings: Any) -> None:
    settings.RENKEI_INQUIRY_CONTACT = "個人情報相談窓口 privacy@example.jp"
    html = client.get(reverse("intake:form")).content.decode()
    assert f"この窓口は{own.name}が運営しています。" in html
    assert "個人情報の利用目的" in html
    assert f"{own.name}は、このフォームでご提供いただく個人情報" in html
    assert "ご報告内容の確認と調査、これに関するご連絡とご回答のためにのみ利用します" in html
    assert "ご本人の同意なく第三者に提供することはありません" in html
    assert "個人情報相談窓口 privacy@example.jp" in html


@pytest.mark.parametrize(
    ("status", "shown"),
    [("new", "受け付けました"), ("triaged", "確認しています"), ("linked", "確認しています"), ("closed", "対応を終了しました")],
)
def test_reporter_sees_plain_stages_never_our_triage_states(
    client: Client, own: Any, csirt_user: Any, status: str, shown: str
) -> None:
    submit(client)
    code = receipt_code(client)
    report = IntakeReport.objects.get()
    IntakeReport.objects.filter(pk=report.pk).update(status=status)
    html = open_status(client, code).content.decode()
    assert f'<span class="badge" id="report-status">{shown}</span>' in html
    for internal in ("新規", "トリアージ", "インシデントに関連付け済み"):
        assert internal not in html, internal


def test_reporter_status_page_shows_japan_time(client: Client, own: Any) -> None:
    submit(client)
    code = receipt_code(client)
    IntakeReport.objects.update(created_at=dt.datetime(2026, 12, 7, 9, 37, 17, 96498, tzinfo=dt.UTC))
    html = open_status(client, code).content.decode()
    assert "2026/12/07 18:37" in html
    assert "+00:00" not in html


def test_incident_and_intake_lists_show_japan_time(client: Client, own: Any, csirt_user: Any) -> None:
    Incident.objects.create(
        group_company=own, title="時刻の確認", learned_at=dt.datetime(2026, 12, 7, 9, 37, 17, 96498, tzinfo=dt.UTC),
        source="own_detection", category="leak",
    )
    report, _code = services.intake_submit(kind="tip", message="情報提供です", anonymous=True)
    IntakeReport.objects.filter(pk=report.pk).update(
        created_at=dt.datetime(2026, 12, 7, 9, 37, 17, 96498, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC),
    )
    client.force_login(csirt_user)
    for url in (reverse("incidents:incident_list"), reverse("incidents:intake_list")):
        html = client.get(url).content.decode()
        assert "2026/12/07 18:37" in html, url
        assert "+00:00" not in html and "09:37:17" not in html, url
    assert "2026/12/08 00:00" in client.get(reverse("incidents:intake_list")).content.decode()


def test_intake_detail_shows_japan_time(client: Client, own: Any, csirt_user: Any) -> None:
    report, _code = services.intake_submit(kind="tip", message="情報提供です", anonymous=True)
    IntakeReport.objects.filter(pk=report.pk).update(created_at=dt.datetime(2026, 12, 7, 9, 37, tzinfo=dt.UTC))
    services.intake_reply(user=csirt_user, report=report, text="ありがとうございます。")
    client.force_login(csirt_user)
    html = client.get(reverse("incidents:intake_detail", args=[report.pk])).content.decode()
    assert "2026/12/07 18:37" in html
    assert "+00:00" not in html
