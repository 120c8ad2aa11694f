"""A party with an accepted assessment shows it as its last assessment, on the parties list, the
party page and the organisation page's assurance panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.models import Assignment, AssignmentStatus
from tests.assessments.factories import assignment, party


@pytest.mark.django_db
@pytest.mark.parametrize("with_acceptance_time", [True, False])
def test_accepted_assessment_is_the_last_assessment(analyst_client: Client, own: Any, with_acceptance_time: bool) -> None:
    org = party(name="受入済み工業")
    done = assignment(org)
    submitted = timezone.now() - dt.timedelta(days=10)
    # Without an acceptance time (older data, imports), it still counts, from its submission.
    Assignment.objects.filter(pk=done.pk).update(
        status=AssignmentStatus.ACCEPTED, submitted_at=submitted, accepted_at=submitted + dt.timedelta(days=2) if with_acceptance_time else None
    )
    expected = timezone.localtime(submitted + dt.timedelta(days=2 if with_acceptance_time else 0)).date()
    (row,) = campaign_selectors.assurance_rows([org])
    assert row.last_assessed == expected and not row.overdue

    # Dense tables show 2026/11/30, detail pages 2026年11月30日 (core.display).
    in_table, in_prose = expected.strftime("%Y/%m/%d"), f"{expected.year}年{expected.month}月{expected.day}日"
    listing = analyst_client.get(reverse("assessments:party_list"), {"q": "受入済み"}).content.decode()
    assert in_table in listing and "未点検" not in listing
    page = analyst_client.get(reverse("assessments:party_assurance", args=[org.pk])).content.decode()
    assert in_prose in page and "未点検" not in page
    record = analyst_client.get(org.get_absolute_url()).content.decode()
    assert in_prose in record and "未点検" not in record


@pytest.mark.django_db
def test_only_accepted_assessments_count(own: Any) -> None:
    org = party()
    open_one = assignment(org)
    Assignment.objects.filter(pk=open_one.pk).update(status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now())
    (row,) = campaign_selectors.assurance_rows([org])
    assert row.last_assessed is None
