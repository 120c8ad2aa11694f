"""No lost edits in the findings API (issue 13 §3): triage honours the finding's version; bulk
triage takes none (see the endpoint) but moves each finding's version on."""

from __future__ import annotations

import pytest
from django.test import Client

from renkei.core.concurrency import etag
from renkei.software.models import Finding
from tests.api_versions import assert_versioned_write
from tests.software.factories import FindingFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/software"


def _row(pk: int) -> tuple[str, str, str]:
    return Finding.objects.values_list("state", "justification", "comment").get(pk=pk)


def _version(pk: int) -> int:
    return Finding.objects.values_list("edit_version", flat=True).get(pk=pk)


def test_triage_honours_if_match_and_the_body_version(analyst_client: Client) -> None:
    finding = FindingFactory()
    url = f"{API}/findings/{finding.pk}"
    got = analyst_client.get(url)
    assert got.json()["edit_version"] == _version(finding.pk) and got["ETag"] == etag(_version(finding.pk))
    assert_versioned_write(
        analyst_client, "patch", url, tag=got["ETag"],
        bodies=({"state": "affected", "comment": "一人目"}, {"state": "fixed", "comment": "二人目"},
                {"state": "under_investigation", "comment": "版なし"}),
        row=lambda: _row(finding.pk), version=lambda: _version(finding.pk),
    )
    assert analyst_client.get(url).json()["edit_version"] == _version(finding.pk)


def test_a_bulk_triage_moves_each_version_so_a_single_triage_read_before_is_refused(analyst_client: Client) -> None:
    finding = FindingFactory()
    url = f"{API}/findings/{finding.pk}"
    tag = analyst_client.get(url)["ETag"]
    bulk = analyst_client.post(f"{API}/findings/bulk-triage", {"ids": [finding.pk], "state": "affected"},
                               content_type="application/json")
    assert bulk.status_code == 200 and bulk.json()["changed"] == 1
    stale = analyst_client.patch(url, {"state": "fixed"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 409 and _row(finding.pk)[0] == "affected"
