"""No lost edits in the campaign, required-level and policy API (issue 13 §3): each write honours
`If-Match` (or the body's `edit_version`) like the CRUD router."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from renkei.assessments.models import AssessmentPolicy, AssuranceOverride, Campaign
from renkei.core.concurrency import etag
from tests.api_versions import assert_versioned_write
from tests.assessments.api_helpers import API, send, today
from tests.assessments.factories import party, small_framework

pytestmark = pytest.mark.django_db


def _campaign(client: Client) -> int:
    due = (today() + dt.timedelta(days=30)).isoformat()
    created = send(client, "post", f"{API}/campaigns", {"name": "委託先点検", "framework_id": small_framework().pk, "due_date": due})
    assert created.status_code == 201, created.content
    return int(created.json()["id"])


def _campaign_version(pk: int) -> int:
    return Campaign.objects.values_list("edit_version", flat=True).get(pk=pk)


def test_choosing_parties_honours_the_campaign_version(analyst_client: Client, own: Any) -> None:
    a, b, c = party(name="委託先A"), party(name="委託先B"), party(name="委託先C")
    pk = _campaign(analyst_client)
    got = analyst_client.get(f"{API}/campaigns/{pk}")
    assert got.json()["edit_version"] == _campaign_version(pk) and got["ETag"] == etag(_campaign_version(pk))
    assert_versioned_write(
        analyst_client, "put", f"{API}/campaigns/{pk}/parties", tag=got["ETag"],
        bodies=({"organisation_ids": [a.pk]}, {"organisation_ids": [b.pk]}, {"organisation_ids": [a.pk, c.pk]}),
        row=lambda: sorted(Campaign.objects.get(pk=pk).parties.values_list("name", flat=True)),
        version=lambda: _campaign_version(pk),
    )
    assert sorted(Campaign.objects.get(pk=pk).parties.values_list("name", flat=True)) == ["委託先A", "委託先C"]


def test_campaign_patch_answers_its_etag_and_takes_the_version_in_the_body(analyst_client: Client, own: Any) -> None:
    pk = _campaign(analyst_client)
    assert_versioned_write(
        analyst_client, "patch", f"{API}/campaigns/{pk}", tag=analyst_client.get(f"{API}/campaigns/{pk}")["ETag"],
        bodies=({"name": "一人目"}, {"name": "二人目"}, {"name": "版なし"}),
        row=lambda: Campaign.objects.values_list("name", "message", "due_date").get(pk=pk),
        version=lambda: _campaign_version(pk),
    )


def test_override_honours_its_version(token_client: Client, own: Any) -> None:
    org = party(name="一般取引先")
    url = f"{API}/parties/{org.pk}/override"
    first = send(token_client, "put", url, {"level": "scs4", "reason": "最初の判断"})
    assert first.status_code == 200 and first["ETag"] == etag(first.json()["override_edit_version"])

    def row() -> Any:
        return AssuranceOverride.objects.filter(organisation=org).values_list("level", "reason").first()

    def version() -> int:
        return AssuranceOverride.objects.values_list("edit_version", flat=True).get(organisation=org)

    got = token_client.get(f"{API}/parties/{org.pk}")
    assert_versioned_write(
        token_client, "put", url, tag=got["ETag"],
        bodies=({"level": "scs3", "reason": "一人目"}, {"level": "scs4", "reason": "二人目"}, {"level": "scs4", "reason": "版なし"}),
        row=row, version=version,
    )
    # Cleared since it was read: the tag names a version of a record no longer there.
    tag = token_client.get(f"{API}/parties/{org.pk}")["ETag"]
    assert send(token_client, "delete", url).status_code == 200
    assert token_client.get(f"{API}/parties/{org.pk}").get("ETag") is None
    gone = token_client.put(url, {"level": "scs4", "reason": "古い画面から"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert gone.status_code == 409 and gone.json()["current"]["edit_version"] is None
    assert row() is None


def test_policy_save_honours_its_version(analyst_client: Client, own: Any) -> None:
    url = f"{API}/policies/{own.pk}"
    default = analyst_client.get(url)
    assert default.get("ETag") is None and default.json()["edit_version"] is None
    first = send(analyst_client, "put", url, {"months_critical": 6})
    assert first.status_code == 200 and first.json()["edit_version"] == 1 and first["ETag"] == etag(1)

    def row() -> Any:
        return AssessmentPolicy.objects.values_list("months_critical", "months_high").get(group_company=own)

    assert_versioned_write(
        analyst_client, "put", url, tag=analyst_client.get(url)["ETag"],
        bodies=({"months_critical": 3}, {"months_critical": 9}, {"months_high": 6}),
        row=row, version=lambda: AssessmentPolicy.objects.values_list("edit_version", flat=True).get(group_company=own),
    )
