"""Campaign pages: create and edit, choosing parties by filter, launching (with the progress
partial), the per-party table, closing and deleting; bad input and query counts."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import Assignment, AssuranceOverride, Campaign, CampaignStatus
from renkei.registry.models import Criticality, Tag
from tests import factories as f
from tests.assessments.factories import party, small_framework
from tests.assessments.test_views_helpers import answer, count_queries, logged_in, page, submit, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_c(analyst):  # type: ignore[no-untyped-def]
    return logged_in(analyst)


def due(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def draft(own, framework=None, **kwargs) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = Campaign(
        name=kwargs.pop("name", "2026年度 点検"),
        framework=framework or small_framework(),
        group_company=own,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        **kwargs,
    )
    return campaign_services.campaign_save(user=None, campaign=campaign)


def launched(own, parties, framework=None) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = draft(own, framework)
    campaign_services.campaign_set_parties(user=None, campaign=campaign, organisations=parties)
    campaign_services.campaign_launch(user=None, campaign=campaign)
    return campaign_services.campaign_launch_run(campaign_id=campaign.pk)


def confirmed(client, campaign: Campaign) -> str:  # type: ignore[no-untyped-def]
    """The fingerprint the launch page's form carries."""
    return client.get(url("campaign_launch", campaign.pk)).context["form"].initial["confirmed"]


def test_create_and_edit_a_campaign(own, analyst_c):
    framework = small_framework()
    body = page(analyst_c, "campaign_create")
    assert 'name="framework"' in body and str(framework) in body
    response = analyst_c.post(
        url("campaign_create"),
        {"name": "取引先点検", "framework": framework.pk, "group_company": own.pk, "due_date": due(), "message": "よろしく"},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert campaign.status == CampaignStatus.DRAFT and campaign.message == "よろしく"
    body = page(analyst_c, "campaign_detail", campaign.pk)
    assert "取引先点検" in body and 'id="parties-button"' in body and 'id="launch-button"' not in body
    response = analyst_c.post(
        url("campaign_update", campaign.pk),
        {"name": "取引先点検（改）", "framework": framework.pk, "group_company": own.pk, "due_date": due(40), "message": ""},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "取引先点検（改）"
    assert "取引先点検（改）" in page(analyst_c, "campaign_list")


def test_campaign_due_date_in_the_past_is_refused(own, analyst_c):
    framework = small_framework()
    response = analyst_c.post(
        url("campaign_create"),
        {"name": "過去", "framework": framework.pk, "group_company": own.pk, "due_date": due(-1)},
    )
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not Campaign.objects.exists()
    response = analyst_c.post(url("campaign_create"), {"name": "", "framework": "", "group_company": own.pk, "due_date": "x"})
    assert response.status_code == 400 and not Campaign.objects.exists()


def test_choose_parties_by_filter(own, analyst_c):
    campaign = draft(own)
    tag = Tag.objects.create(name="重要委託先")
    critical = party(name="重要な委託先", criticality=Criticality.CRITICAL)
    critical.tags.add(tag)
    high = party(name="高い委託先", criticality=Criticality.HIGH)
    low = party(name="低い委託先", criticality=Criticality.LOW)
    vendor = party(name="ソフト会社", kind="vendor", criticality=Criticality.HIGH)
    AssuranceOverride.objects.create(organisation=low, group_company=own, level="scs4", reason="判断")
    f.OrganisationFactory(name="別会社の委託先", group_company=f.group_company(name="子会社"))
    body = page(analyst_c, "campaign_parties", campaign.pk)
    assert 'id="party-filter"' in body and 'id="match-preview"' not in body

    def matches(query: str) -> set[str]:
        response = analyst_c.get(url("campaign_parties", campaign.pk) + "?filter=1&" + query)
        assert response.status_code == 200
        return {o.name for o in response.context["preview"]}

    assert matches("") == {critical.name, high.name, low.name, vendor.name}  # not the subsidiary's party
    assert matches("criticality=critical&criticality=high") == {critical.name, high.name, vendor.name}
    assert matches("kind=contractor&criticality=high") == {high.name}
    assert matches("tag=重要委託先") == {critical.name}
    assert matches("level=scs4") == {critical.name, low.name}
    assert matches("due=on&level=scs3") == {high.name, vendor.name}
    body = page(analyst_c, "campaign_parties", campaign.pk, query="?filter=1&criticality=critical&criticality=high")
    assert 'id="use-button"' in body
    response = analyst_c.post(url("campaign_parties", campaign.pk), {"criticality": ["critical", "high"], "kind": "", "tag": ""})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert set(campaign.parties.values_list("name", flat=True)) == {critical.name, high.name, vendor.name}
    assert campaign.party_filter == {"criticality": ["critical", "high"]}
    # Remove one party.
    assert analyst_c.post(url("campaign_party_remove", campaign.pk, vendor.pk)).status_code == 302
    assert set(campaign.parties.values_list("name", flat=True)) == {critical.name, high.name}
    campaign.refresh_from_db()
    assert campaign.party_filter["removed"] == [vendor.pk]
    # The stored filter fills the form again; the chosen parties are listed.
    response = analyst_c.get(url("campaign_parties", campaign.pk))
    assert response.context["form"].initial["criticality"] == ["critical", "high"]
    assert critical.name in response.content.decode() and 'class="link remove-party"' in response.content.decode()


def test_parties_with_level_filter_are_chosen(own, analyst_c):
    campaign = draft(own)
    a = party(criticality=Criticality.CRITICAL)
    party(criticality=Criticality.LOW)
    response = analyst_c.post(url("campaign_parties", campaign.pk), {"level": "scs4"})
    assert response.status_code == 302
    assert list(campaign.parties.all()) == [a]
    campaign.refresh_from_db()
    assert campaign.party_filter == {"level": "scs4"}


def test_launch_confirm_progress_and_table(own, analyst_c, run_on_commit):
    campaign = draft(own)
    parties = [party(name=f"委託先{i}") for i in range(3)]
    silent = f.OrganisationFactory(name="連絡先なし")
    campaign_services.campaign_set_parties(user=None, campaign=campaign, organisations=[*parties, silent])
    body = page(analyst_c, "campaign_detail", campaign.pk)
    assert 'id="launch-button"' in body
    confirm = page(analyst_c, "campaign_launch", campaign.pk)
    assert "4" in confirm and "1" in confirm and 'id="confirm-button"' in confirm
    # Launching is only accepted from the page with the preview (it carries the selection's fingerprint).
    unconfirmed = analyst_c.post(url("campaign_launch", campaign.pk))
    assert unconfirmed.status_code == 400 and "案内メールの確認画面から開始してください" in unconfirmed.content.decode()
    response = analyst_c.post(url("campaign_launch", campaign.pk), {"confirmed": confirmed(analyst_c, campaign)})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHING
    # While launching: the progress partial polls itself.
    partial = analyst_c.get(url("campaign_progress", campaign.pk), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in partial.content.decode()
    assert 'hx-trigger="every 2s"' in page(analyst_c, "campaign_detail", campaign.pk)
    run_on_commit()  # the worker (immediate backend) launches
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING and Assignment.objects.filter(campaign=campaign).count() == 4
    assert len(mail.outbox) == 3
    partial = analyst_c.get(url("campaign_progress", campaign.pk) + "?polling=1", HTTP_HX_REQUEST="true")
    assert "every 2s" not in partial.content.decode() and partial["HX-Refresh"] == "true"
    # Launching twice is refused with a clear message.
    again = analyst_c.post(url("campaign_launch", campaign.pk), {"confirmed": confirmed(analyst_c, campaign)})
    assert again.status_code == 409 and 'class="error"' in again.content.decode()
    # The per-party table with status, answers and score, and a status filter.
    first = Assignment.objects.get(campaign=campaign, organisation=parties[0])
    answer(first, "A-1", "yes")
    second = Assignment.objects.get(campaign=campaign, organisation=parties[1])
    submit(second, {"A-1": "no"})
    response = analyst_c.get(url("campaign_detail", campaign.pk))
    body = response.content.decode()
    assert response.context["progress"]["submitted"] == 1 and response.context["progress"]["in_progress"] == 1
    rows = {a.organisation_id: a for a in response.context["rows"]}
    assert rows[parties[0].pk].answered == 1 and rows[second.organisation_id].score_text.endswith("%")
    assert second.get_absolute_url() in body and "1 / 5" in body
    submitted = analyst_c.get(url("campaign_detail", campaign.pk) + "?status=submitted").context["rows"]
    assert [a.pk for a in submitted] == [second.pk]


def test_launch_error_is_shown(own, analyst_c):
    campaign = launched(own, [party()])
    Campaign.objects.filter(pk=campaign.pk).update(launch_error="SMTP server unreachable")
    assert "SMTP server unreachable" in page(analyst_c, "campaign_detail", campaign.pk)


def test_overdue_assignments_count_and_filter(own, analyst_c):
    campaign = launched(own, [party(), party()])
    late = campaign.assignments.first()
    Assignment.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    response = analyst_c.get(url("campaign_detail", campaign.pk))
    assert response.context["progress"]["overdue"] == 1
    assert [a.pk for a in analyst_c.get(url("campaign_detail", campaign.pk) + "?status=overdue").context["rows"]] == [late.pk]
    listing = analyst_c.get(url("campaign_list"))
    row = next(c for c in listing.context["object_list"] if c.pk == campaign.pk)
    assert row.total == 2 and row.overdue == 1 and row.done == 0


def test_launch_without_parties_is_refused(own, analyst_c):
    campaign = draft(own)
    response = analyst_c.post(url("campaign_launch", campaign.pk), {"confirmed": confirmed(analyst_c, campaign)})
    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_close_and_delete(own, analyst_c):
    running = launched(own, [party()])
    assert 'id="close-button"' in page(analyst_c, "campaign_detail", running.pk)
    assert analyst_c.post(url("campaign_close", running.pk)).status_code == 302
    running.refresh_from_db()
    assert running.status == CampaignStatus.CLOSED
    # A launched campaign cannot be deleted; a draft can.
    assert analyst_c.post(url("campaign_delete", running.pk)).status_code == 409
    plan = draft(own, name="下書き")
    assert 'id="confirm-delete"' in page(analyst_c, "campaign_delete", plan.pk)
    assert analyst_c.post(url("campaign_delete", plan.pk)).status_code == 302
    assert not Campaign.objects.filter(pk=plan.pk).exists()


def test_parties_of_a_launched_campaign_cannot_change(own, analyst_c):
    campaign = launched(own, [party()])
    response = analyst_c.get(url("campaign_parties", campaign.pk))
    assert response.status_code == 302
    response = analyst_c.post(url("campaign_parties", campaign.pk), {"criticality": ["low"]})
    assert response.status_code == 302 and campaign.parties.count() == 1


def _campaign_rows(campaign: Campaign, start: int, count: int) -> None:
    framework = campaign.framework
    for i in range(start, start + count):
        org = party(name=f"行{i:03d}")
        campaign.parties.add(org)
        (a,) = campaign_services.assignments_create(
            organisations=[org], framework=framework, due_date=campaign.due_date, campaign=campaign
        )
        if i % 3 == 0:
            submit(a)
        elif i % 3 == 1:
            answer(a, "A-1", "no")


def test_campaign_detail_queries_do_not_grow_with_rows(own, analyst_c):
    campaign = launched(own, [party(name="最初")])
    path = url("campaign_detail", campaign.pk)
    _campaign_rows(campaign, 0, 3)
    with_3 = count_queries(analyst_c, path)
    _campaign_rows(campaign, 3, 12)
    with_15 = count_queries(analyst_c, path)
    assert with_3 == with_15


def test_campaign_list_queries_do_not_grow_with_rows(own, analyst_c):
    framework = small_framework()
    for i in range(3):
        draft(own, framework, name=f"c{i}")
    with_3 = count_queries(analyst_c, url("campaign_list"))
    for i in range(3, 15):
        draft(own, framework, name=f"c{i}")
    assert count_queries(analyst_c, url("campaign_list")) == with_3
