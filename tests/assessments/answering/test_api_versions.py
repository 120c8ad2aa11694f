"""No lost edits in the answering API (issue 13 §3): one answer's PATCH takes `If-Match` as well as
`base_version` and answers the answer's version as `ETag`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renkei.assessments.models import Answer
from renkei.core.concurrency import etag
from tests.assessments.api_helpers import API
from tests.assessments.factories import assignment

pytestmark = pytest.mark.django_db


def _patch(client: Client, url: str, body: dict[str, Any], tag: str | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": tag} if tag is not None else {}
    return client.patch(url, body, content_type="application/json", **headers)


def test_answer_patch_honours_if_match(token_client: Client, own: Any) -> None:
    a = assignment()
    url = f"{API}/assignments/{a.pk}/answers/A-1"

    def row() -> Any:
        return Answer.objects.filter(assignment=a, question__ref="A-1").values_list("value", "note", "version").first()

    # Not saved yet: version 0, as the list shows it.
    listed = next(i for i in token_client.get(f"{API}/assignments/{a.pk}/answers").json() if i["question"] == "A-1")
    first = _patch(token_client, url, {"value": "yes"}, etag(listed["version"]))
    assert first.status_code == 200 and first.json()["version"] == 1 and first["ETag"] == etag(1)

    saved = _patch(token_client, url, {"value": "no", "note": "一人目"}, first["ETag"])
    assert saved.status_code == 200 and saved["ETag"] == etag(2)
    before = row()
    stale = _patch(token_client, url, {"value": "partly", "note": "二人目"}, first["ETag"])
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2 and stale["ETag"] == etag(2)
    assert row() == before == ("no", "一人目", 2)
    # The header wins over a body version, as everywhere.
    assert _patch(token_client, url, {"value": "partly", "base_version": 2}, etag(1)).status_code == 409
    assert row() == before

    unversioned = _patch(token_client, url, {"value": "partly", "note": "版なし"})
    assert unversioned.status_code == 200 and unversioned["ETag"] == etag(3)
    assert row() == ("partly", "版なし", 3)
