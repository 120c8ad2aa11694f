"""The one check that an API write endpoint honours record versions (issue 13 §3, core.concurrency).

Each app's API tests call `assert_versioned_write` with the endpoint, three bodies and how to read
the stored row, so every endpoint is held to the same behaviour as the CRUD router:
  - a current `If-Match` saves and answers the new version as `ETag`;
  - a stale one (the same tag again) answers 409 with the current `edit_version` and ETag, and the
    row is exactly as before; so does a stale `edit_version` in the body, where the body takes one;
  - a write with no version is accepted, as for clients written before versions existed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from renkei.core.concurrency import etag


def _write(client: Client, method: str, url: str, body: dict[str, Any], tag: str | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": tag} if tag is not None else {}
    return getattr(client, method)(url, body, content_type="application/json", **headers)


def assert_versioned_write(
    client: Client,
    method: str,
    url: str,
    *,
    tag: str,
    bodies: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    row: Callable[[], Any],
    version: Callable[[], int],
    body_version: bool = True,
) -> None:
    """`tag`: the ETag as read before; `row()` the stored values the write changes; `version()` the
    stored version. The three bodies must each change something."""
    current, stale, unversioned = bodies
    loaded = version()
    assert tag == etag(loaded)

    saved = _write(client, method, url, current, tag)
    assert saved.status_code == 200, saved.content
    assert version() == loaded + 1 and saved["ETag"] == etag(version())

    before = row()
    refused = _write(client, method, url, stale, tag)
    assert refused.status_code == 409, refused.content
    assert refused.json()["current"]["edit_version"] == version() == loaded + 1
    assert refused["ETag"] == etag(version())
    assert refused.json()["message"]
    assert row() == before
    if body_version:
        refused = _write(client, method, url, {**stale, "edit_version": loaded})
        assert refused.status_code == 409, refused.content
        assert row() == before and version() == loaded + 1

    accepted = _write(client, method, url, unversioned)
    assert accepted.status_code == 200, accepted.content
    assert row() != before and accepted["ETag"] == etag(version()) and version() == loaded + 2
