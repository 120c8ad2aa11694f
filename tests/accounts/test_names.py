"""Person names in Japanese order: 姓 名 with readings (セイ メイ) wherever a user is shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renkei.accounts import services
from renkei.accounts.models import User
from renkei.core.permissions import Role
from renkei.registry.models import Organisation
from renkei.registry.services import organisation_save
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIST = "/accounts/users/"


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    return client


def test_display_name_rules() -> None:
    assert User(username="sato", last_name="佐藤", first_name="花子").display_name == "佐藤 花子"
    assert str(User(username="sato", last_name="佐藤", first_name="花子")) == "佐藤 花子"
    assert User(username="sato", last_name="Sato", first_name="Hanako").get_full_name() == "Hanako Sato"
    assert User(username="sato").display_name == "sato"
    assert User(username="sato", last_name="佐藤").display_name == "佐藤"
    reading = User(family_name_reading="サトウ", given_name_reading="ハナコ").get_name_reading()
    assert reading == "サトウ ハナコ"


def test_create_form_has_family_and_given_names_with_readings_in_that_order(admin_client):  # type: ignore[no-untyped-def]
    body = admin_client.get(f"{LIST}new/").content.decode()
    positions = [body.index(f'name="{n}"') for n in ("last_name", "first_name", "family_name_reading", "given_name_reading")]
    assert positions == sorted(positions)
    for label in ("姓", "名", "セイ", "メイ"):
        assert f">{label}<" in body or f">{label} <" in body


def test_create_user_with_names_and_readings(admin_client):  # type: ignore[no-untyped-def]
    data = {
        "username": "sato",
        "last_name": "佐藤",
        "first_name": "花子",
        "family_name_reading": "さとう",  # hiragana is accepted and stored in katakana
        "given_name_reading": "ﾊﾅｺ",  # so is half-width katakana
        "email": "sato@example.jp",
        "role": "analyst",
        "language": "ja",
        "password1": "a-much-longer-passphrase-42",
        "password2": "a-much-longer-passphrase-42",
    }
    response = admin_client.post(f"{LIST}new/", data)
    assert response.status_code == 302
    user = User.objects.get(username="sato")
    assert (user.family_name_reading, user.given_name_reading) == ("サトウ", "ハナコ")
    page = admin_client.get(user.get_absolute_url()).content.decode()
    assert "<h1>佐藤 花子" in page and "サトウ ハナコ" in page and "sato" in page


def test_edit_readings(admin_client, analyst):  # type: ignore[no-untyped-def]
    data = {
        "last_name": "中村",
        "first_name": "健一",
        "family_name_reading": "なかむら",
        "given_name_reading": "けんいち",
        "email": analyst.email,
        "role": analyst.role,
        "language": "ja",
        "is_active": "on",
    }
    assert admin_client.post(f"{LIST}{analyst.pk}/edit/", data).status_code == 302
    analyst.refresh_from_db()
    assert analyst.display_name == "中村 健一" and analyst.get_name_reading() == "ナカムラ ケンイチ"


def test_user_list_shows_names_sorts_by_reading_and_finds_readings(admin_client, own):  # type: ignore[no-untyped-def]
    factories.UserFactory(username="u-w", last_name="渡辺", first_name="翔", family_name_reading="ワタナベ")
    factories.UserFactory(username="u-a", last_name="青木", first_name="啓介", family_name_reading="アオキ")
    page = admin_client.get(LIST, {"sort": "last_name", "q": "u-"})
    assert [u.display_name for u in page.context["object_list"]] == ["青木 啓介", "渡辺 翔"]
    assert "青木 啓介" in page.content.decode()
    found = admin_client.get(LIST, {"q": "ワタナベ"})
    assert [u.username for u in found.context["object_list"]] == ["u-w"]


def test_header_and_profile_show_the_name(client, own):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="kimura", last_name="木村", first_name="彩", role=Role.VIEWER)
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="usermenu-profile">木村 彩<' in page
    assert "<h1>木村 彩</h1>" in page


def test_audit_trail_names_the_actor(client, own):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="takahashi", last_name="高橋", first_name="真理", role=Role.ADMIN)
    client.force_login(user)
    organisation_save(user=user, organisation=Organisation(name="監査テスト株式会社", kind="contractor"))
    response = client.post(
        reverse("registry:organisation_create"),
        {"name": "監査テスト二株式会社", "kind": "contractor", "country": "JP", "criticality": "medium", "status": "active"},
    )
    assert response.status_code == 302
    page = client.get(reverse("core:audit_list")).content.decode()
    assert "高橋 真理" in page


def test_service_normalises_readings(admin_user):  # type: ignore[no-untyped-def]
    user = services.user_create(
        actor=admin_user,
        username="yamaguchi",
        role=Role.VIEWER,
        password=PASSWORD,
        last_name="山口",
        first_name="悠",
        family_name_reading="やまぐち",
        given_name_reading="はるか",
    )
    assert user.get_name_reading() == "ヤマグチ ハルカ"
    services.user_update(actor=admin_user, user=user, given_name_reading="ゆう")
    user.refresh_from_db()
    assert user.given_name_reading == "ユウ"
