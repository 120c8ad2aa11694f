"""Rate limits count in the database (shared by every web process), and the client address is
REMOTE_ADDR unless a trusted reverse proxy is configured (issue 13 §4)."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.context import auditlog_value
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from renkei.core.middleware import AuditActorMiddleware
from renkei.core.network import client_address
from renkei.core.ratelimit import rate_limit_hit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SPOOFED = {"HTTP_X_FORWARDED_FOR": "203.0.113.77"}


def request_from(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.RENKEI_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.RENKEI_TRUSTED_PROXIES = "10.0.0.0/8, 127.0.0.1"
    return settings


# --- the count is shared -------------------------------------------------------------------------


def test_the_count_survives_another_process_cache() -> None:
    for _ in range(3):
        assert not rate_limit_hit(bucket="t", client="192.0.2.1", limit=3, window_seconds=60)
    # A second web process has its own (empty) local-memory cache: the count must not start over.
    cache.clear()
    assert rate_limit_hit(bucket="t", client="192.0.2.1", limit=3, window_seconds=60)
    # Another address and another bucket have their own allowance.
    assert not rate_limit_hit(bucket="t", client="192.0.2.2", limit=3, window_seconds=60)
    assert not rate_limit_hit(bucket="other", client="192.0.2.1", limit=3, window_seconds=60)


def test_receipt_code_lookups_stay_limited_across_processes(client: Client, own: Any, settings: Any) -> None:
    settings.RENKEI_INTAKE_RATE_LIMITS = {"lookup": (2, 3600)}
    for _ in range(2):
        assert client.post(reverse("intake:status"), {"code": "WRONG-CODE"}).status_code == 400
    cache.clear()
    response = client.post(reverse("intake:status"), {"code": "WRONG-CODE"}, **SPOOFED)
    assert response.status_code == 429
    assert 'id="rate-limited"' in response.content.decode()


def test_portal_links_are_rate_limited(client: Client, settings: Any) -> None:
    settings.RENKEI_PORTAL_ENTRY_RATE_LIMIT = (2, 3600)
    url = reverse("portal:enter", args=["rp_not-a-real-token"])
    assert [client.get(url).status_code for _ in range(2)] == [404, 404]
    cache.clear()
    response = client.get(url, **SPOOFED)  # a made-up forwarded address does not open a new bucket
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert 'data-state="rate_limited"' in response.content.decode()


def test_login_lock_ignores_a_spoofed_forwarded_address(client: Client, analyst: Any, settings: Any) -> None:
    settings.AXES_ENABLED = True
    login = reverse("accounts:login")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        forged = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        client.post(login, {"username": analyst.username, "password": "wrong-password"}, **forged)
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.250"}
    response = client.post(login, {"username": analyst.username, "password": "wrong-password"}, **forged)
    assert response.status_code == 429
    response = client.post(login, {"username": analyst.username, "password": PASSWORD}, **SPOOFED)
    assert response.status_code == 429


# --- the client address --------------------------------------------------------------------------


def test_forwarded_header_is_ignored_without_a_configured_proxy() -> None:
    assert client_address(request_from("192.0.2.9", forwarded="203.0.113.77")) == "192.0.2.9"


def test_trusted_proxy_gives_the_right_most_untrusted_address(behind_proxy: Any) -> None:
    # The client wrote "203.0.113.77" itself; our proxies appended 198.51.100.5 and 10.1.2.3.
    request = request_from("127.0.0.1", forwarded="203.0.113.77, 198.51.100.5, 10.1.2.3")
    assert client_address(request) == "198.51.100.5"


def test_forwarded_header_from_an_untrusted_peer_is_ignored(behind_proxy: Any) -> None:
    assert client_address(request_from("192.0.2.9", forwarded="203.0.113.77")) == "192.0.2.9"


def test_garbage_in_the_header_stops_at_the_last_trusted_hop(behind_proxy: Any) -> None:
    assert client_address(request_from("127.0.0.1", forwarded="not-an-address, 10.1.2.3")) == "10.1.2.3"
    assert client_address(request_from("127.0.0.1")) == "127.0.0.1"


def test_a_number_of_proxies(settings: Any) -> None:
    settings.RENKEI_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.RENKEI_TRUSTED_PROXIES = "2"
    request = request_from("10.0.0.2", forwarded="203.0.113.77, 198.51.100.5, 10.0.0.1")
    assert client_address(request) == "198.51.100.5"
    assert client_address(request_from("10.0.0.2", forwarded="198.51.100.5")) == "10.0.0.2"


def test_rate_limits_behind_the_proxy_count_per_real_client(
    client: Client, own: Any, settings: Any, behind_proxy: Any
) -> None:
    settings.RENKEI_INTAKE_RATE_LIMITS = {"lookup": (1, 3600)}
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.5"}
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.6"}
    url = reverse("intake:status")
    assert client.post(url, {"code": "WRONG-CODE"}, **first).status_code == 400
    assert client.post(url, {"code": "WRONG-CODE"}, **first).status_code == 429
    assert client.post(url, {"code": "WRONG-CODE"}, **second).status_code == 400


def test_audit_entries_name_the_client_address(behind_proxy: Any) -> None:
    seen: dict[str, Any] = {}

    def view(request: Any) -> HttpResponse:
        seen.update(auditlog_value.get())
        return HttpResponse()

    request = request_from("10.0.0.1", forwarded="198.51.100.5")
    request.user = None
    AuditActorMiddleware(view)(request)
    assert seen["remote_addr"] == "198.51.100.5"


def test_no_address_is_none_not_a_made_up_value(behind_proxy: Any) -> None:
    # Audit rows and the login lock-out keep the address in an IP-address column (PostgreSQL `inet`).
    request = request_from("")
    assert client_address(request) is None
    request = request_from("not-an-address", forwarded="198.51.100.5")
    assert client_address(request) is None
