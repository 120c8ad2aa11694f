"""No lost edits in the incidents API (issue 13 §3): the incident and its tasks honour their versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renkei.core.concurrency import etag
from renkei.incidents.response.models import Incident, IncidentTask
from tests.api_versions import assert_versioned_write
from tests.incidents.incident_helpers import logged_in, open_incident

pytestmark = pytest.mark.django_db

BASE = "/api/v1/incidents"


def test_task_patch_honours_if_match_and_the_body_version(own: Any, csirt_user: Any) -> None:
    client: Client = logged_in(csirt_user)
    incident = open_incident(own)
    listed = client.get(f"{BASE}/{incident.pk}/tasks").json()[0]
    pk = listed["id"]

    def version() -> int:
        return IncidentTask.objects.values_list("edit_version", flat=True).get(pk=pk)

    assert listed["edit_version"] == version()
    assert_versioned_write(
        client, "patch", f"{BASE}/tasks/{pk}", tag=etag(listed["edit_version"]),
        bodies=({"title": "一人目の題", "status": "doing"}, {"title": "二人目の題", "status": "done"}, {"title": "版なし"}),
        row=lambda: IncidentTask.objects.values_list("title", "status", "done_at").get(pk=pk), version=version,
    )


def test_incident_patch_takes_the_version_in_the_body_too(own: Any, csirt_user: Any) -> None:
    client: Client = logged_in(csirt_user)
    pk = open_incident(own).pk
    got = client.get(f"{BASE}/{pk}")
    assert got["ETag"] == etag(got.json()["edit_version"])
    assert_versioned_write(
        client, "patch", f"{BASE}/{pk}", tag=got["ETag"],
        bodies=({"title": "一人目"}, {"title": "二人目"}, {"title": "版なし"}),
        row=lambda: Incident.objects.values_list("title", flat=True).get(pk=pk),
        version=lambda: Incident.objects.values_list("edit_version", flat=True).get(pk=pk),
    )
