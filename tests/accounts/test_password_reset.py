"""Password reset by e-mail: the same answer for any address, a link on RENKEI_BASE_URL in the
account's language that works once and expires, the password validators, and a rate limit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from renkei.core.models import RateLimitCounter
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/accounts/password/reset/"
NEW = "a-much-longer-passphrase-42"


def ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post(URL, {"email": email}, follow=True, **extra)


def link_in(message: Any) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_login_page_links_to_the_reset(client: Client) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert 'id="forgot-password"' in body and URL in body
    page = client.get(URL).content.decode()
    assert "パスワードをお忘れですか" in page and 'id="reset-button"' in page


def test_known_and_unknown_addresses_get_the_same_answer(client: Client, own: Any, settings: Any) -> None:
    settings.RENKEI_BASE_URL = "https://renkei.example.jp"
    f.UserFactory(username="tanaka", email="tanaka@example.jp")
    f.UserFactory(username="noemail", email="")  # cannot be reached by any address
    f.UserFactory(username="gone", email="gone@example.jp", is_active=False)
    answers = {}
    for email in ("tanaka@example.jp", "nobody@example.jp", "gone@example.jp"):
        response = ask(Client(), email)
        # The page differs only by its CSRF token, which is random per response.
        body = re.sub(rb'[A-Za-z0-9]{64}', b"TOKEN", response.content)
        answers[email] = (response.status_code, response.redirect_chain, body)
    assert len({(status, tuple(chain), body) for status, chain, body in answers.values()}) == 1
    status, chain, body = answers["nobody@example.jp"]
    assert status == 200 and chain[-1][0] == "/accounts/password/reset/sent/" and "メールをご確認ください".encode() in body
    (message,) = mail.outbox  # only the active account with that address
    assert message.to == ["tanaka@example.jp"]
    assert link_in(message).startswith("https://renkei.example.jp/accounts/password/reset/")


def test_email_in_the_users_language(client: Client, own: Any) -> None:
    f.UserFactory(username="smith", email="smith@example.com", language="en")
    f.UserFactory(username="sato", email="sato@example.jp", language="ja")
    ask(client, "smith@example.com")
    ask(client, "sato@example.jp")
    english, japanese = mail.outbox
    assert "Choose a new password" in english.subject and "smith" in english.body and "60 minutes" in english.body
    assert "パスワードの再設定" in japanese.subject and "60分" in japanese.body


def test_link_works_once_and_validates_the_password(client: Client, own: Any) -> None:
    user = f.UserFactory(username="suzuki", email="suzuki@example.jp")
    ask(client, "suzuki@example.jp")
    path = link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and 'role="alert"' in weak.content.decode()
    user.refresh_from_db()
    assert not user.check_password("password")
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Used once: the same link no longer works.
    again = Client().get("/" + path, follow=True)
    assert not again.context["validlink"] and 'id="reset-invalid"' in again.content.decode()


def test_expired_link_is_refused(client: Client, own: Any, settings: Any) -> None:
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    user = f.UserFactory(username="kato", email="kato@example.jp")
    ask(client, "kato@example.jp")
    path = "/" + link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    later = dt.datetime.now() + dt.timedelta(seconds=3600 + 5)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        response = Client().get(path, follow=True)
    assert not response.context["validlink"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_requests_are_rate_limited_whatever_the_address(own: Any) -> None:
    f.UserFactory(username="ito", email="ito@example.jp")
    for email in ("ito@example.jp", "nobody@example.jp"):
        statuses = [ask(Client(), email).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429], email
    assert len(mail.outbox) == 3
    # Per client address too: many addresses from one place (the counts live in the database and
    # are shared by every web process; each test's transaction starts them afresh).
    RateLimitCounter.objects.all().delete()
    statuses = [ask(Client(REMOTE_ADDR="192.0.2.7"), f"x{i}@example.jp").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    limited = Client(REMOTE_ADDR="192.0.2.7").post(URL, {"email": "y@example.jp"})
    assert limited.status_code == 429 and 'id="reset-limited"' in limited.content.decode()
