"""The dashboard's "overdue for assessment" figure and the parties page agree: one selector, one
meaning (`assurance.is_party_overdue`), and the figure links to exactly those parties."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renkei.accounts.models import User
from renkei.assessments.models import Assignment, AssignmentStatus
from renkei.demo.loader import load_demo_data
from renkei.registry.models import Criticality, OrganisationStatus
from tests.assessments.factories import assignment, party, small_framework


def dashboard_figure(client: Client) -> int:
    html = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse("assessments:party_list")}?overdue=on"' in html
    match = re.search(r'id="card-overdue-parties">(\d+)<', html)
    assert match, "the dashboard shows the overdue figure"
    return int(match.group(1))


def overdue_list(client: Client) -> tuple[int, set[int]]:
    response = client.get(reverse("assessments:party_list"), {"overdue": "on"})
    assert response.status_code == 200
    return response.context["paginator"].count, {row.organisation.pk for row in response.context["rows"]}


def accepted(org: Any, *, days_ago: int, framework: Any) -> Assignment:
    done = assignment(org, framework)
    when = timezone.now() - dt.timedelta(days=days_ago)
    Assignment.objects.filter(pk=done.pk).update(status=AssignmentStatus.ACCEPTED, submitted_at=when, accepted_at=when)
    return done


@pytest.mark.django_db
def test_factory_case_dashboard_and_parties_page_agree(analyst_client: Client, own: Any) -> None:
    framework = small_framework()
    never = party(name="未点検商事", criticality=Criticality.LOW)
    fresh = party(name="点検済み商事", criticality=Criticality.HIGH)
    accepted(fresh, days_ago=30, framework=framework)
    lapsed = party(name="周期切れ商事", criticality=Criticality.HIGH)  # 12-month cycle, last accepted 400 days ago
    accepted(lapsed, days_ago=400, framework=framework)
    late = party(name="回答遅れ商事")
    late_assignment = assignment(late, framework)
    Assignment.objects.filter(pk=late_assignment.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    renewing = party(name="再点検中商事", criticality=Criticality.HIGH)  # cycle lapsed, reassessment under way on time
    accepted(renewing, days_ago=400, framework=framework)
    assignment(renewing, framework, days=20)
    waiting = party(name="審査待ち商事")
    submitted = assignment(waiting, framework)
    Assignment.objects.filter(pk=submitted.pk).update(status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now())
    party(name="取引終了商事", status=OrganisationStatus.OFFBOARDED)  # never assessed, but not listed

    count, ids = overdue_list(analyst_client)
    assert ids == {never.pk, lapsed.pk, late.pk}
    # The rows' flag (party page, API) agrees with the bulk selector (list filter, dashboard).
    from renkei.assessments.campaigns import selectors as campaign_selectors

    everyone = list(campaign_selectors.active_parties(User.objects.get(pk=analyst_client.session["_auth_user_id"])))
    assert {r.organisation.pk for r in campaign_selectors.assurance_rows(everyone) if r.overdue} == ids
    assert dashboard_figure(analyst_client) == count == 3
    page = analyst_client.get(reverse("assessments:party_list"), {"overdue": "on"}).content.decode()
    dashboard = analyst_client.get(reverse("core:dashboard")).content.decode()
    # The same name on both pages.
    assert "点検期限切れ" in page and "点検期限切れ" in dashboard


@pytest.mark.django_db
def test_limited_user_counts_only_their_parties(client: Client, own: Any, subsidiary: Any, limited_analyst: User) -> None:
    party(name="本社の取引先")
    theirs = party(name="子会社の取引先", group_company=subsidiary)
    client.force_login(limited_analyst)
    count, ids = overdue_list(client)
    assert ids == {theirs.pk}
    assert dashboard_figure(client) == count == 1


@pytest.mark.django_db
def test_demo_dashboard_and_parties_page_agree(client: Client) -> None:
    load_demo_data()
    client.force_login(User.objects.get(username="demo-analyst"))
    count, _ids = overdue_list(client)
    assert count > 0
    assert dashboard_figure(client) == count
    # A party being reassessed on time is not overdue, though its 12-month cycle has lapsed.
    response = client.get(reverse("assessments:party_list"), {"q": "あおぞらクラウド"})
    (row,) = response.context["rows"]
    assert row.last_assessed is not None and not row.overdue
