"""Changing one's own password: Django's view with our page and the validators from settings."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import SESSION_KEY

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/accounts/password/"
NEW = "a-much-longer-passphrase-42"


def test_page_renders(analyst_client):  # type: ignore[no-untyped-def]
    response = analyst_client.get(URL)
    assert response.status_code == 200
    assert b'id="save-button"' in response.content


def test_change_password(analyst_client, analyst):  # type: ignore[no-untyped-def]
    response = analyst_client.post(URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    analyst.refresh_from_db()
    assert analyst.check_password(NEW)
    assert SESSION_KEY in analyst_client.session  # still logged in
    entry = LogEntry.objects.filter(object_pk=str(analyst.pk), changes__icontains="password").get()
    assert entry.actor == analyst
    assert NEW not in str(entry.changes)


def test_wrong_current_password(analyst_client, analyst):  # type: ignore[no-untyped-def]
    response = analyst_client.post(URL, {"old_password": "nope-nope-nope", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short1", "12345678901", "password123"])
def test_weak_password_is_refused(analyst_client, analyst, weak):  # type: ignore[no-untyped-def]
    response = analyst_client.post(URL, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


def test_anonymous_goes_to_login(client):  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
