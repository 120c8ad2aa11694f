"""Choosing a campaign's parties by name and by filter (each adds to the selection), removing, the
search endpoint, the preview of the invitation e-mail and launching only from the preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from renkei.accounts.models import PortalLink
from renkei.assessments import notifications
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import Assignment, AssignmentStatus, Campaign, CampaignStatus
from renkei.core.errors import RenkeiError
from renkei.registry.models import Criticality, OrganisationStatus
from tests import factories as f
from tests.assessments.factories import assignment, party, small_framework
from tests.assessments.test_views_helpers import count_queries, logged_in, url

pytestmark = pytest.mark.django_db


def draft(own: Any, **kwargs: Any) -> Campaign:
    campaign = Campaign(
        name="2026年度 取引先点検", framework=small_framework(), group_company=own,
        due_date=timezone.localdate() + dt.timedelta(days=30), message="昨年度の回答を確認してください。", **kwargs,
    )
    return campaign_services.campaign_save(user=None, campaign=campaign)


def names(campaign: Campaign) -> set[str]:
    return set(campaign.parties.values_list("name", flat=True))


# --- services --------------------------------------------------------------------------------------


def test_adding_by_name_and_by_filter_adds_to_the_selection(own: Any, analyst: Any) -> None:
    campaign = draft(own)
    aozora = party(name="あおぞら運輸", criticality=Criticality.LOW)
    hibari = party(name="ひばり印刷", criticality=Criticality.LOW)
    critical = party(name="重要委託先", criticality=Criticality.CRITICAL)
    high = party(name="高い委託先", criticality=Criticality.HIGH)

    assert campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[aozora]) == 1
    assert campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[hibari, aozora]) == 1
    assert names(campaign) == {aozora.name, hibari.name}
    # A filter adds its matches to those chosen by name; it does not replace them.
    added = campaign_services.campaign_add_parties(
        user=analyst, campaign=campaign, organisations=[critical, high], party_filter={"criticality": ["critical", "high"]}
    )
    assert added == 2 and names(campaign) == {aozora.name, hibari.name, critical.name, high.name}
    campaign.refresh_from_db()
    assert campaign.party_filter["criticality"] == ["critical", "high"] and campaign.party_filter["added"] == sorted([aozora.pk, hibari.pk])

    # Removed by hand: a filter added again keeps it out; adding it by name brings it back.
    campaign_services.campaign_remove_parties(user=analyst, campaign=campaign, organisations=[high])
    assert high.name not in names(campaign)
    campaign_services.campaign_add_parties(
        user=analyst, campaign=campaign, organisations=[critical, high], party_filter={"criticality": ["critical", "high"]}
    )
    assert high.name not in names(campaign)
    campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[high])
    assert high.name in names(campaign)
    campaign.refresh_from_db()
    assert high.pk not in campaign.party_filter.get("removed", [])


def test_adding_refuses_other_companies_ours_and_launched_campaigns(own: Any, analyst: Any) -> None:
    campaign = draft(own)
    keep = party(name="残る委託先")
    campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[keep])
    elsewhere = f.OrganisationFactory(name="子会社の委託先", group_company=f.group_company(name="子会社"))
    with pytest.raises(RenkeiError, match="子会社の委託先"):
        campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[elsewhere])
    with pytest.raises(RenkeiError):
        campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[own])
    assert names(campaign) == {keep.name}  # nothing half-added
    campaign_services.campaign_launch(user=analyst, campaign=campaign)
    with pytest.raises(RenkeiError) as refused:
        campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[party()])
    assert refused.value.status == 409
    with pytest.raises(RenkeiError):
        campaign_services.campaign_remove_parties(user=analyst, campaign=campaign, organisations=[keep])


def test_search_offers_only_candidates_limited_and_says_when_there_are_more(own: Any, analyst: Any) -> None:
    campaign = draft(own)
    for i in range(25):
        party(name=f"検索対象{i:02d}商事")
    reading = party(name="株式会社暁", name_reading="あかつき")
    party(name="検索対象 取引終了", status=OrganisationStatus.OFFBOARDED)
    f.OrganisationFactory(name="検索対象 子会社の取引先", group_company=f.group_company(name="子会社"))
    found, more = campaign_selectors.party_search(campaign=campaign, user=analyst, query="検索対象")
    assert len(found) == campaign_selectors.SEARCH_LIMIT and more
    assert all("商事" in m.organisation.name for m in found)
    found, more = campaign_selectors.party_search(campaign=campaign, user=analyst, query="あかつき")
    assert [m.organisation for m in found] == [reading] and not more
    assert campaign_selectors.party_search(campaign=campaign, user=analyst, query="  ") == ([], False)


def test_preview_renders_the_real_invitation_without_side_effects(own: Any) -> None:
    campaign = draft(own)
    org = party(name="あおぞらクラウド株式会社")
    links, assignments = PortalLink.objects.count(), Assignment.objects.count()
    preview = notifications.invitation_preview(campaign=campaign, organisation=org)
    assert preview.recipients == [f"security@{org.pk}.example.jp"]
    japanese, english = preview.body.split("-" * 60)
    assert "あおぞらクラウド株式会社" in japanese and "あおぞらクラウド株式会社" in english
    assert japanese.index("あおぞらクラウド株式会社") < len(japanese) and "To the security contact" in english
    assert "昨年度の回答を確認してください。" in preview.body and f"{campaign.due_date.year}年{campaign.due_date.month}月{campaign.due_date.day}日" in japanese
    assert preview.link.startswith(settings.RENKEI_BASE_URL + "/portal/t/") and preview.link in preview.body
    assert "{" not in preview.body and "}" not in preview.body and "{" not in preview.subject
    assert own.name in preview.subject
    # It is the same text the launch sends (only the link differs).
    (sent,) = campaign_services.assignments_create(organisations=[org], framework=campaign.framework, due_date=campaign.due_date, campaign=campaign)
    assert PortalLink.objects.count() == links and Assignment.objects.count() == assignments + 1
    message = notifications.invitation(assignment=sent, user=None)
    assert message is not None
    real_link = next(word for word in message.body.split() if "/portal/t/" in word)
    assert message.body == preview.body.replace(preview.link, real_link)


def test_preview_mentions_last_cycle_answers(own: Any) -> None:
    campaign = draft(own)
    org = party(name="前回あり株式会社")
    before = assignment(org, campaign.framework)
    Assignment.objects.filter(pk=before.pk).update(status=AssignmentStatus.ACCEPTED, accepted_at=timezone.now())
    previous = campaign_services.previous_assignments(organisation_ids=[org.pk], framework_key=campaign.framework.key)
    preview = notifications.invitation_preview(campaign=campaign, organisation=org, previous=previous[org.pk])
    assert "前回" in preview.body or "昨年" in preview.body or "last cycle" in preview.body


def test_launch_refuses_a_stale_preview(own: Any, analyst: Any) -> None:
    campaign = draft(own)
    campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[party()])
    seen = campaign_selectors.campaign_fingerprint(campaign)
    campaign_services.campaign_add_parties(user=analyst, campaign=campaign, organisations=[party()])
    with pytest.raises(RenkeiError) as refused:
        campaign_services.campaign_launch(user=analyst, campaign=campaign, confirmed=seen)
    assert refused.value.status == 409
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


# --- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def analyst_c(analyst: Any) -> Client:
    return logged_in(analyst)


def test_search_endpoint_json_and_query_count(own: Any, analyst_c: Client) -> None:
    campaign = draft(own)
    chosen = party(name="検索 選択済み")
    campaign_services.campaign_add_parties(user=None, campaign=campaign, organisations=[chosen])
    party(name="検索 <b>太字</b> 商事")
    response = analyst_c.get(url("campaign_party_search", campaign.pk), {"q": "検索"})
    data = response.json()
    assert response["Content-Type"].startswith("application/json")
    assert [(r["name"], r["chosen"]) for r in data["results"]] == [("検索 <b>太字</b> 商事", False), ("検索 選択済み", True)]
    assert data["more"] is False
    search = url("campaign_party_search", campaign.pk) + "?q=%E6%A4%9C%E7%B4%A2"
    few = count_queries(analyst_c, search)
    for i in range(30):
        party(name=f"検索 追加{i}")
    assert count_queries(analyst_c, search) == few
    # Without JavaScript the page renders the same results, escaped.
    body = analyst_c.get(url("campaign_parties", campaign.pk), {"q": "太字"}).content.decode()
    assert "&lt;b&gt;太字&lt;/b&gt;" in body and 'class="link add-party"' in body


def test_pages_add_by_name_and_filter_remove_preview_and_launch(own: Any, analyst_c: Client, run_on_commit: Any) -> None:
    campaign = draft(own)
    aozora = party(name="あおぞらクラウド株式会社", criticality=Criticality.LOW)
    hibari = party(name="ひばり印刷株式会社", criticality=Criticality.LOW)
    critical = party(name="重要な委託先", criticality=Criticality.CRITICAL)
    response = analyst_c.post(url("campaign_party_add", campaign.pk), {"party": aozora.pk, "q": "あおぞら"})
    assert response.status_code == 302 and response.url.endswith("?q=%E3%81%82%E3%81%8A%E3%81%9E%E3%82%89")
    analyst_c.post(url("campaign_party_add", campaign.pk), {"party": hibari.pk})
    analyst_c.post(url("campaign_parties", campaign.pk), {"criticality": ["critical"]})
    assert names(campaign) == {aozora.name, hibari.name, critical.name}
    analyst_c.post(url("campaign_party_remove", campaign.pk, hibari.pk))
    assert names(campaign) == {aozora.name, critical.name}
    # A party of another group company cannot be named.
    other = f.OrganisationFactory(name="子会社の委託先", group_company=f.group_company(name="子会社"))
    assert analyst_c.post(url("campaign_party_add", campaign.pk), {"party": other.pk}).status_code == 404
    # The launch page shows the real invitation for one chosen party (the first, or the one picked).
    page = analyst_c.get(url("campaign_launch", campaign.pk), {"party": critical.pk})
    preview = page.context["mail_preview"]
    assert preview.organisation == critical and "重要な委託先" in page.content.decode()
    assert 'id="preview-body"' in page.content.decode() and "重要な委託先" in preview.body
    fingerprint = page.context["form"].initial["confirmed"]
    assert analyst_c.post(url("campaign_launch", campaign.pk), {"confirmed": fingerprint}).status_code == 302
    run_on_commit()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert {m.to[0] for m in mail.outbox} == {f"security@{aozora.pk}.example.jp", f"security@{critical.pk}.example.jp"}
