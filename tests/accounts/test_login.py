"""Log-in: password, the optional TOTP second step, and throttling by django-axes."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from renkei.accounts import login_flow
from tests.accounts.helpers import confirmed_device, totp_code, wrong_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"


@pytest.fixture(autouse=True)
def _no_otp_delay(settings):  # type: ignore[no-untyped-def]
    # django-otp waits longer after each wrong code; tests type the right one straight after.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_login_page_renders(client):  # type: ignore[no-untyped-def]
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'id="login-button"' in response.content


def test_login_without_second_factor(client, analyst):  # type: ignore[no-untyped-def]
    response = client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert client.session[SESSION_KEY] == str(analyst.pk)


def test_wrong_password_is_refused(client, analyst):  # type: ignore[no-untyped-def]
    response = client.post(LOGIN, {"username": analyst.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert b'class="error"' in response.content


def test_anonymous_is_sent_to_login(client, own):  # type: ignore[no-untyped-def]
    for url in ("/accounts/profile/", "/accounts/tokens/", "/accounts/two-factor/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN), url


def test_totp_user_needs_the_code_before_being_logged_in(client, analyst):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    response = client.post(LOGIN, {"username": analyst.username, "password": PASSWORD, "next": "/registry/"})
    assert response.status_code == 302
    assert response.url == CODE
    assert SESSION_KEY not in client.session  # not logged in yet
    assert client.get("/accounts/profile/").status_code == 302

    page = client.get(CODE)
    assert page.status_code == 200
    assert b'id="code-button"' in page.content

    response = client.post(CODE, {"token": totp_code(device)})
    assert response.status_code == 302
    assert response.url == "/registry/"
    assert client.session[SESSION_KEY] == str(analyst.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert login_flow.SESSION_KEY not in client.session


def test_wrong_totp_code_is_refused(client, analyst):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    response = client.post(CODE, {"token": wrong_code(device)})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert SESSION_KEY not in client.session
    # Malformed input is refused with its own message and does not log in either.
    response = client.post(CODE, {"token": "12ab"})
    assert response.status_code == 400
    assert SESSION_KEY not in client.session
    # The right code still works afterwards.
    response = client.post(CODE, {"token": totp_code(device)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(analyst.pk)


def test_too_many_wrong_codes_need_the_password_again(client, analyst):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    for _ in range(login_flow.MAX_CODE_ATTEMPTS - 1):
        assert client.post(CODE, {"token": wrong_code(device)}).status_code == 400
    response = client.post(CODE, {"token": wrong_code(device)})
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.post(CODE, {"token": totp_code(device)}).url == LOGIN
    assert SESSION_KEY not in client.session


def test_code_step_without_password_step_goes_back_to_login(client, analyst):  # type: ignore[no-untyped-def]
    response = client.get(CODE)
    assert response.status_code == 302
    assert response.url == LOGIN


def test_pending_login_expires(client, analyst, monkeypatch):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    later = time.time() + login_flow.PENDING_SECONDS + 1
    monkeypatch.setattr(login_flow.time, "time", lambda: later)
    response = client.post(CODE, {"token": totp_code(device)})
    assert response.status_code == 302
    assert response.url == LOGIN
    assert SESSION_KEY not in client.session


def test_offsite_next_is_ignored_after_the_code(client, analyst):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    client.post(LOGIN, {"username": analyst.username, "password": PASSWORD, "next": "https://evil.example/"})
    response = client.post(CODE, {"token": totp_code(device)})
    assert response.url == reverse("core:dashboard")


def test_repeated_failures_lock_the_account(client, analyst, settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = client.post(LOGIN, {"username": analyst.username, "password": "wrong-password"})
        assert response.status_code == 200
    # The attempt that reaches the limit is refused with the locked-out page ...
    response = client.post(LOGIN, {"username": analyst.username, "password": "wrong-password"})
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    # ... and so is the next one, even with the right password.
    response = client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert SESSION_KEY not in client.session


def test_wrong_codes_count_towards_the_lock(client, analyst, settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    device = confirmed_device(analyst)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": analyst.username, "password": "wrong-password"})
    client.post(LOGIN, {"username": analyst.username, "password": PASSWORD})
    response = client.post(CODE, {"token": wrong_code(device)})
    assert response.status_code == 429
    assert login_flow.SESSION_KEY not in client.session
    assert SESSION_KEY not in client.session


def test_logout(client, analyst):  # type: ignore[no-untyped-def]
    client.force_login(analyst)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
