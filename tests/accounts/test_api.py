"""The accounts API: /me and my tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from renkei.accounts import services
from renkei.accounts.models import ApiToken
from renkei.core.tokens import hash_token
from tests.accounts.helpers import confirmed_device

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"
TOKENS = "/api/v1/accounts/tokens"


def test_me(analyst_client, analyst):  # type: ignore[no-untyped-def]
    body = analyst_client.get(ME).json()
    assert body["username"] == analyst.username
    assert body["role"] == "analyst"
    assert body["language"] == "ja"
    assert body["group_companies"] == []
    assert body["totp_enabled"] is False


def test_me_with_a_token_and_a_limited_user(client, limited_analyst, subsidiary):  # type: ignore[no-untyped-def]
    confirmed_device(limited_analyst)
    _, raw = services.api_token_create(user=limited_analyst, name="ci", days=5)
    body = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["group_companies"] == [{"id": subsidiary.pk, "name": subsidiary.name}]
    assert body["totp_enabled"] is True


def test_anonymous_gets_401(client, own):  # type: ignore[no-untyped-def]
    assert client.get(ME).status_code == 401
    assert client.get(TOKENS).status_code == 401
    assert client.post(TOKENS, {"name": "x", "days": 1}, content_type="application/json").status_code == 401


def test_create_list_and_revoke(analyst_client, analyst):  # type: ignore[no-untyped-def]
    response = analyst_client.post(TOKENS, {"name": "SIEM", "days": 7}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert body["prefix"] == raw[:8]
    assert body["state"] == "active"
    assert ApiToken.objects.get(pk=body["id"]).token_hash == hash_token(raw)

    listing = analyst_client.get(TOKENS).json()
    assert [t["id"] for t in listing] == [body["id"]]
    assert "token" not in listing[0]

    assert analyst_client.delete(f"{TOKENS}/{body['id']}").status_code == 204
    assert analyst_client.get(TOKENS).json()[0]["state"] == "revoked"
    assert Client().get("/api/v1/ping", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("payload", [{"name": "x", "days": 0}, {"name": "x", "days": 366}, {"name": "", "days": 5}])
def test_bad_input_names_the_field(analyst_client, payload):  # type: ignore[no-untyped-def]
    response = analyst_client.post(TOKENS, payload, content_type="application/json")
    assert response.status_code in (400, 422)
    body = response.json()
    assert body["errors"][0]["field"] in ("days", "name")
    assert not ApiToken.objects.exists()


def test_another_users_token_is_404(analyst_client, viewer):  # type: ignore[no-untyped-def]
    token, _ = services.api_token_create(user=viewer, name="theirs", days=5)
    assert analyst_client.delete(f"{TOKENS}/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert analyst_client.get(TOKENS).json() == []


def test_token_made_with_a_token_does_not_outlive_it(client, analyst):  # type: ignore[no-untyped-def]
    parent, raw = services.api_token_create(user=analyst, name="parent", days=2)
    response = client.post(
        TOKENS, {"name": "child", "days": 300}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 201
    child = ApiToken.objects.get(pk=response.json()["id"])
    assert child.expires_at <= parent.expires_at
    assert child.expires_at < timezone.now() + timedelta(days=3)
