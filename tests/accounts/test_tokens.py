"""The API tokens page: created once, stored hashed, expiring, revocable; and using them on the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from renkei.accounts import services
from renkei.accounts.models import ApiToken
from renkei.core.tokens import hash_token
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/accounts/tokens/"


def _raw_from(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'id="raw-token">([^<]+)<', response.content.decode())
    assert match, "the raw token is on the creation page"
    return match.group(1)


def test_create_shows_the_raw_token_once(analyst_client, analyst):  # type: ignore[no-untyped-def]
    response = analyst_client.post(URL, {"name": "SIEM export", "days": "30"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    raw = _raw_from(response)
    token = ApiToken.objects.get(user=analyst)
    assert token.name == "SIEM export"
    assert token.token_hash == hash_token(raw)
    assert raw not in (token.token_hash, token.prefix)
    assert token.prefix == raw[:8]
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    # The list shows the prefix, never the token itself.
    listing = analyst_client.get(URL).content.decode()
    assert token.prefix in listing
    assert raw not in listing
    entry = LogEntry.objects.get(object_pk=str(token.pk), action=LogEntry.Action.CREATE, content_type__model="apitoken")
    assert entry.actor == analyst
    assert "token_hash" not in (entry.changes_dict or {})


@pytest.mark.parametrize("days", ["0", "-3", "366", "abc", ""])
def test_expiry_out_of_range_is_refused(analyst_client, analyst, days):  # type: ignore[no-untyped-def]
    response = analyst_client.post(URL, {"name": "x", "days": days})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert not ApiToken.objects.exists()


def test_expiry_cap_follows_the_setting(analyst_client, settings):  # type: ignore[no-untyped-def]
    settings.RENKEI_API_TOKEN_MAX_DAYS = 30
    assert analyst_client.post(URL, {"name": "x", "days": "31"}).status_code == 400
    assert analyst_client.post(URL, {"name": "x", "days": "30"}).status_code == 200


def test_name_is_required(analyst_client):  # type: ignore[no-untyped-def]
    assert analyst_client.post(URL, {"name": "  ", "days": "10"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_with_confirmation(analyst_client, analyst):  # type: ignore[no-untyped-def]
    token, _ = services.api_token_create(user=analyst, name="ci", days=10)
    page = analyst_client.get(f"{URL}{token.pk}/revoke/")
    assert page.status_code == 200
    assert b'id="confirm-button"' in page.content
    token.refresh_from_db()
    assert token.revoked_at is None  # the confirmation page changes nothing
    response = analyst_client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.state == "revoked"
    assert LogEntry.objects.filter(object_pk=str(token.pk), action=LogEntry.Action.UPDATE).exists()


def test_another_users_token_is_not_found(analyst_client, viewer):  # type: ignore[no-untyped-def]
    token, _ = services.api_token_create(user=viewer, name="theirs", days=10)
    assert analyst_client.get(f"{URL}{token.pk}/revoke/").status_code == 404
    assert analyst_client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in analyst_client.get(URL).content.decode()


def test_list_shows_states(analyst_client, analyst):  # type: ignore[no-untyped-def]
    active, _ = services.api_token_create(user=analyst, name="active-one", days=10)
    expired, _ = services.api_token_create(user=analyst, name="expired-one", days=10)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, _ = services.api_token_create(user=analyst, name="revoked-one", days=10)
    services.api_token_revoke(user=analyst, token=revoked)
    page = analyst_client.get(URL).content.decode()
    for name in ("active-one", "expired-one", "revoked-one"):
        assert name in page
    assert page.count("/revoke/") == 1  # only the active one can be revoked


# --- using a token on the API --------------------------------------------------------------------


def _ping(client, raw: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/ping", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_token_authenticates_the_api(client, analyst):  # type: ignore[no-untyped-def]
    token, raw = services.api_token_create(user=analyst, name="ci", days=10)
    response = _ping(client, raw)
    assert response.status_code == 200
    assert response.json() == {"user": analyst.username}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_expired_token_is_refused(client, analyst):  # type: ignore[no-untyped-def]
    token, raw = services.api_token_create(user=analyst, name="ci", days=10)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _ping(client, raw).status_code == 401


def test_revoked_token_is_refused(client, analyst):  # type: ignore[no-untyped-def]
    token, raw = services.api_token_create(user=analyst, name="ci", days=10)
    services.api_token_revoke(user=analyst, token=token)
    assert _ping(client, raw).status_code == 401


def test_deactivated_users_token_is_refused(client, analyst):  # type: ignore[no-untyped-def]
    _, raw = services.api_token_create(user=analyst, name="ci", days=10)
    analyst.is_active = False
    analyst.save()
    assert _ping(client, raw).status_code == 401


def test_unknown_token_and_no_token_are_refused(client, own):  # type: ignore[no-untyped-def]
    assert _ping(client, "rk_not-a-real-token").status_code == 401
    assert client.get("/api/v1/ping").status_code == 401


def test_raw_tokens_are_unique(own):  # type: ignore[no-untyped-def]
    user = factories.UserFactory()
    raws = {services.api_token_create(user=user, name=f"t{i}", days=1)[1] for i in range(20)}
    assert len(raws) == 20
