"""Setting up and turning off the TOTP second factor on the profile."""

from __future__ import annotations

import base64

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import confirmed_device, totp_code, wrong_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOTP = "/accounts/two-factor/"
DISABLE = "/accounts/two-factor/disable/"


@pytest.fixture(autouse=True)
def _no_otp_delay(settings):  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _start(client):  # type: ignore[no-untyped-def]
    response = client.post(TOTP, {"start": "1"})
    assert response.status_code == 302
    return client.get(TOTP)


def test_setup_shows_qr_svg_and_secret(analyst_client, analyst):  # type: ignore[no-untyped-def]
    page = analyst_client.get(TOTP)
    assert page.status_code == 200
    assert b'id="totp-start"' in page.content
    assert not TOTPDevice.objects.filter(user=analyst).exists()  # a GET writes nothing

    page = _start(analyst_client)
    device = TOTPDevice.objects.get(user=analyst)
    assert device.confirmed is False
    html = page.content.decode()
    prefix = 'src="data:image/svg+xml;base64,'
    assert prefix in html
    encoded = html.split(prefix, 1)[1].split('"', 1)[0]
    svg = base64.b64decode(encoded).decode()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    secret = base64.b32encode(device.bin_key).decode()
    assert html.count(secret[:4]) >= 1
    assert secret in html.replace(" ", "")
    assert page.headers["Cache-Control"] == "no-store"
    # A reload keeps the same secret (the app may already have scanned it).
    _start(analyst_client)
    assert TOTPDevice.objects.filter(user=analyst).count() == 1


def test_wrong_code_does_not_turn_it_on(analyst_client, analyst):  # type: ignore[no-untyped-def]
    _start(analyst_client)
    device = TOTPDevice.objects.get(user=analyst)
    response = analyst_client.post(TOTP, {"token": wrong_code(device)})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    device.refresh_from_db()
    assert device.confirmed is False
    response = analyst_client.post(TOTP, {"token": "abc"})
    assert response.status_code == 400


def test_confirm_turns_it_on_and_is_audited(analyst_client, analyst):  # type: ignore[no-untyped-def]
    _start(analyst_client)
    device = TOTPDevice.objects.get(user=analyst)
    response = analyst_client.post(TOTP, {"token": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert analyst_client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    profile = analyst_client.get("/accounts/profile/")
    assert b'badge valid' in profile.content

    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(TOTPDevice))
    assert entries.filter(action=LogEntry.Action.CREATE, actor=analyst).exists()
    assert entries.filter(action=LogEntry.Action.UPDATE, actor=analyst).exists()
    for entry in entries:
        assert "key" not in (entry.changes_dict or {})
        assert device.key not in str(entry.changes)


def test_login_code_checks_do_not_flood_the_audit_trail(client, analyst, settings):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    before = LogEntry.objects.count()
    client.post("/accounts/login/", {"username": analyst.username, "password": PASSWORD})
    client.post("/accounts/login/code/", {"token": totp_code(device)})
    assert "_auth_user_id" in client.session
    assert LogEntry.objects.count() == before  # counters and last_t changed, nothing worth a log row


def test_disable_needs_the_password(analyst_client, analyst):  # type: ignore[no-untyped-def]
    confirmed_device(analyst)
    page = analyst_client.get(TOTP)
    assert b'id="totp-disable"' in page.content
    response = analyst_client.post(DISABLE, {"password": "not-my-password"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=analyst, confirmed=True).exists()
    response = analyst_client.post(DISABLE, {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TOTPDevice), action=LogEntry.Action.DELETE
    ).exists()


def test_disable_needs_post(analyst_client, analyst):  # type: ignore[no-untyped-def]
    confirmed_device(analyst)
    assert analyst_client.get(DISABLE).status_code == 405


def test_start_when_already_on_changes_nothing(analyst_client, analyst):  # type: ignore[no-untyped-def]
    device = confirmed_device(analyst)
    analyst_client.post(TOTP, {"start": "1"})
    assert list(TOTPDevice.objects.filter(user=analyst)) == [device]
