"""Choosing a campaign's parties in Chromium, on the demo data set: type part of a name and add two
parties from the search-as-you-type results, add more by a filter, remove one, look at the
invitation e-mail one party will receive, and launch from that preview."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import Campaign, CampaignStatus, Framework
from renkei.registry.models import Organisation, OrganisationKind
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import demo_login, login, text

pytestmark = pytest.mark.browser


def test_choose_parties_by_name_and_filter_preview_and_launch(page: Any, demo: Any) -> None:
    own = Organisation.objects.get(kind=OrganisationKind.OWN)
    campaign = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(
            name="臨時点検（ブラウザ試験）", framework=Framework.objects.filter(is_active=True).order_by("pk").first(),
            group_company=own, due_date=timezone.localdate() + dt.timedelta(days=20), message="至急ご回答ください。",
        ),
    )
    login(page, *demo_login(demo))
    page.goto(f"/assessments/campaigns/{campaign.pk}/parties/")

    # Search as you type: part of a name shows the matches without leaving the page.
    for part, name in (("はまなす", "株式会社はまなす物産"), ("つむぎ", "つむぎ監査法人")):
        page.fill("#party-search", "")
        page.type("#party-search", part)
        result = page.locator(f'#party-search-results li:has(.name:text-is("{name}"))')
        result.locator("button.add-party").click()
        page.wait_for_selector(f'#chosen-parties td a:text-is("{name}")')
    assert page.input_value("#party-search") == "つむぎ"  # the search stays where it was
    assert page.locator('#party-search-results li:has(.name:text-is("つむぎ監査法人")) .badge').count() == 1

    # Add more by a filter: they join the two chosen by name.
    page.check('#party-filter input[name="criticality"][value="critical"]')
    page.click('#party-filter button[type="submit"]')
    page.click("#use-button")
    page.wait_for_selector('#chosen-parties td a:text-is("株式会社かもめマネージドサービス")')
    chosen = {text(page, f"#chosen-parties tr:nth-child({i}) td:first-child") for i in range(1, 6)}
    assert {"株式会社はまなす物産", "つむぎ監査法人", "株式会社かもめマネージドサービス", "あおぞらクラウド株式会社"} <= chosen
    assert len(chosen) == 5

    # Remove one.
    page.locator('#chosen-parties tr:has(a:text-is("株式会社かもめマネージドサービス")) button.remove-party').click()
    page.wait_for_selector('#chosen-parties td a:text-is("株式会社かもめマネージドサービス")', state="detached")
    assert set(campaign.parties.values_list("name", flat=True)) == chosen - {"株式会社かもめマネージドサービス"}

    # The preview: the real e-mail for one chosen party, Japanese first.
    page.locator('#chosen-parties tr:has(a:text-is("つむぎ監査法人")) a.preview-mail').click()
    page.wait_for_selector("#invitation-preview")
    body = page.text_content("#preview-body") or ""
    assert body.index("つむぎ監査法人") < body.index("To the security contact")
    assert "至急ご回答ください。" in body and "{" not in body and "/portal/t/" in body
    assert "@" in text(page, "#preview-to")
    assert page.console_errors == []  # type: ignore[attr-defined]

    # Launch from the preview.
    page.click("#confirm-button")
    page.wait_for_url(f"**/assessments/campaigns/{campaign.pk}/")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == CampaignStatus.RUNNING:
            break
        time.sleep(0.1)
    assert campaign.status == CampaignStatus.RUNNING and campaign.assignments.count() == 4
    invited = {to for message in mail.outbox for to in message.to}
    tsumugi = Organisation.objects.get(name="つむぎ監査法人")
    assert set(tsumugi.contacts.exclude(email="").values_list("email", flat=True)) <= invited
