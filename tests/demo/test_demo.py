"""The demo command on an empty or a used database (the loaded data set: test_demo_data.py)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from renkei.accounts.models import User
from renkei.demo import data as demo
from renkei.demo.loader import load_demo_data
from renkei.registry.models import Organisation, OrganisationKind
from tests import factories


def test_existing_user_is_not_reset_to_the_demo_password(db):  # type: ignore[no-untyped-def]
    existing = factories.UserFactory(username="demo-admin")
    summary = load_demo_data()
    existing.refresh_from_db()
    assert summary.skipped_users == ("demo-admin",)
    assert existing.check_password("correct-horse-battery")
    assert not existing.check_password(demo.DEMO_USERS["demo-admin"][0])


def test_does_nothing_when_another_own_company_exists(db):  # type: ignore[no-untyped-def]
    factories.own_company("既存本社株式会社")
    summary = load_demo_data()
    assert not summary.created and summary.own_company == "既存本社株式会社"
    assert Organisation.objects.count() == 1 and not User.objects.exists()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "既存本社株式会社" in out.getvalue()
    assert "demo-admin-2026" not in out.getvalue()


def test_command_prints_summary_and_logins(db):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Demo data loaded" in text and "デモデータ" in text
    assert demo.LOGIN_URL in text
    for username, (password, role) in demo.DEMO_USERS.items():
        assert username in text and password in text and role in text
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing was changed" in out.getvalue()
    assert Organisation.objects.filter(kind=OrganisationKind.OWN).count() == 1
