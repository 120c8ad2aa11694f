"""`renkei manage create_user`."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from renkei.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-much-longer-passphrase-42"


def test_create_user_with_company(subsidiary):  # type: ignore[no-untyped-def]
    call_command("create_user", "suzuki", "--role", "analyst", "--password", PASSWORD, "--company", subsidiary.name)
    user = User.objects.get(username="suzuki")
    assert user.role == "analyst"
    assert user.check_password(PASSWORD)
    assert list(user.group_companies.all()) == [subsidiary]
    entry = LogEntry.objects.get(object_pk=str(user.pk), content_type__model="user", action=LogEntry.Action.CREATE)
    assert entry.actor is None
    assert entry.additional_data == {"via": "command: create_user"}


def test_password_prompt(own, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    call_command("create_user", "sato", "--role", "viewer")
    assert User.objects.get(username="sato").check_password(PASSWORD)


def test_prompt_mismatch(own, monkeypatch):  # type: ignore[no-untyped-def]
    answers = iter([PASSWORD, "different-passphrase-99"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("create_user", "sato", "--role", "viewer")
    assert not User.objects.filter(username="sato").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "analyst", "--password", "short"],
        ["--role", "analyst", "--password", PASSWORD, "--company", "存在しない会社"],
    ],
)
def test_bad_input(own, args):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        call_command("create_user", "kato", *args)
    assert not User.objects.filter(username="kato").exists()


def test_unknown_role(own):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        call_command("create_user", "kato", "--role", "root", "--password", PASSWORD)


def test_duplicate_username(analyst):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        call_command("create_user", analyst.username, "--role", "viewer", "--password", PASSWORD)
