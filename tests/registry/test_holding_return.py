"""Holdings past their return or erasure date: 「返却・消去期限切れ」 with the date and the days
overdue (Japan time) on the party page, a dashboard count that links to exactly those holdings."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db


def dashboard_count(client: Client) -> int:
    html = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse("registry:holding_list")}?return_state=overdue"' in html
    match = re.search(r'id="card-return-overdue">(\d+)<', html)
    assert match
    return int(match.group(1))


def test_flag_on_party_page_dashboard_and_list(analyst_client: Client, own: Any) -> None:
    today = timezone.localdate()
    holder = f.OrganisationFactory(name="旧委託先株式会社")
    late = f.DataHoldingFactory(holder=holder, asset=f.InformationAssetFactory(name="旧顧客名簿"), return_due=today - dt.timedelta(days=7))
    f.DataHoldingFactory(holder=holder, asset=f.InformationAssetFactory(name="今日まで"), return_due=today)
    f.DataHoldingFactory(holder=holder, asset=f.InformationAssetFactory(name="来月まで"), return_due=today + dt.timedelta(days=30))
    f.DataHoldingFactory(holder=holder, asset=f.InformationAssetFactory(name="期限なし"), return_due=None)

    page = analyst_client.get(holder.get_absolute_url()).content.decode()
    due = late.return_due
    flag = f"返却・消去期限切れ（期限 {due.year}年{due.month}月{due.day}日、7日超過）"
    assert 'id="return-overdue"' in page and flag in page
    assert page.count("日超過") == 2  # the warning and the row of the late holding only

    assert dashboard_count(analyst_client) == 1
    listing = analyst_client.get(reverse("registry:holding_list"), {"return_state": "overdue"})
    assert [h.pk for h in listing.context["object_list"]] == [late.pk]
    assert flag in listing.content.decode()


def test_days_are_counted_in_japan_time(analyst_client: Client, own: Any) -> None:
    # 16:00 UTC on 7 Dec is 01:00 on 8 Dec in Tokyo: a holding due on 7 Dec is one day overdue.
    moment = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
    holding = f.DataHoldingFactory(return_due=dt.date(2026, 12, 7))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert holding.return_overdue_days() == 1
        assert dashboard_count(analyst_client) == 1
    with mock.patch("django.utils.timezone.now", return_value=moment - dt.timedelta(hours=2)):  # 23:00 in Tokyo
        assert holding.return_overdue_days() is None
        assert dashboard_count(analyst_client) == 0


def test_limited_user_counts_only_their_holdings(client: Client, own: Any, subsidiary: Any, limited_analyst: Any) -> None:
    past = timezone.localdate() - dt.timedelta(days=3)
    f.DataHoldingFactory(return_due=past)
    asset = f.InformationAssetFactory(group_company=subsidiary)
    f.DataHoldingFactory(asset=asset, holder=f.OrganisationFactory(group_company=subsidiary), return_due=past)
    client.force_login(limited_analyst)
    assert dashboard_count(client) == 1
