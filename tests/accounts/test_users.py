"""User administration: administrators only, audited, never leaving the installation without an admin."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.test import Client

from renkei.accounts import services
from renkei.accounts.models import User
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Role
from tests import factories
from tests.accounts.helpers import confirmed_device
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIST = "/accounts/users/"
NEW_PASSWORD = "a-much-longer-passphrase-42"


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    return client


def _create_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "username": "tanaka",
        "first_name": "太郎",
        "last_name": "田中",
        "email": "tanaka@example.jp",
        "role": "csirt",
        "language": "en",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _edit_data(user, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CSIRT])
def test_non_administrators_get_403(client, own, role):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(role=role)
    other = factories.UserFactory()
    client.force_login(user)
    for url in (LIST, f"{LIST}new/", f"{LIST}{other.pk}/", f"{LIST}{other.pk}/edit/", f"{LIST}{other.pk}/deactivate/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{LIST}new/", _create_data()).status_code == 403
    assert client.post(f"{LIST}{other.pk}/deactivate/").status_code == 403
    assert not User.objects.filter(username="tanaka").exists()
    assert User.objects.get(pk=other.pk).is_active


def test_anonymous_is_sent_to_login(client, own):  # type: ignore[no-untyped-def]
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_nav_link_only_for_administrators(admin_user, viewer):  # type: ignore[no-untyped-def]
    link = f'href="{LIST}"'.encode()
    for user, shown in ((admin_user, True), (viewer, False)):
        client = Client()
        client.force_login(user)
        assert (link in client.get("/accounts/profile/").content) is shown


# --- list ----------------------------------------------------------------------------------------


def test_list_search_and_pagination(admin_client, own):  # type: ignore[no-untyped-def]
    for i in range(30):
        factories.UserFactory(username=f"bulk{i:02d}")
    factories.UserFactory(username="yamada", email="yamada@example.jp")
    page = admin_client.get(LIST)
    assert page.status_code == 200
    assert page.context["paginator"].count == User.objects.count()
    assert len(page.context["object_list"]) == 25
    assert admin_client.get(LIST, {"page": 2}).status_code == 200
    found = admin_client.get(LIST, {"q": "yamada"})
    assert [u.username for u in found.context["object_list"]] == ["yamada"]
    admins = admin_client.get(LIST, {"role": "admin"})
    assert all(u.role == Role.ADMIN for u in admins.context["object_list"])


def test_list_query_count_does_not_grow(admin_client, own, subsidiary, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for i in range(20):
        factories.UserFactory(username=f"scoped{i}", companies=[subsidiary])
    with django_assert_max_num_queries(12):
        assert admin_client.get(LIST).status_code == 200


# --- create / edit -------------------------------------------------------------------------------


def test_create_user(admin_client, admin_user, subsidiary):  # type: ignore[no-untyped-def]
    response = admin_client.post(f"{LIST}new/", {**_create_data(), "group_companies": [subsidiary.pk]})
    assert response.status_code == 302
    user = User.objects.get(username="tanaka")
    assert response.url == user.get_absolute_url()
    assert user.role == Role.CSIRT
    assert user.language == "en"
    assert list(user.group_companies.all()) == [subsidiary]
    assert user.check_password(NEW_PASSWORD)
    entry = LogEntry.objects.get(object_pk=str(user.pk), content_type__model="user", action=LogEntry.Action.CREATE)
    assert entry.actor == admin_user
    assert "password" not in (entry.changes_dict or {})
    assert Client().login(username="tanaka", password=NEW_PASSWORD)


@pytest.mark.parametrize(
    "overrides",
    [
        {"password1": "short", "password2": "short"},
        {"password1": "12345678901", "password2": "12345678901"},
        {"password2": "something-else-entirely"},
        {"username": ""},
        {"email": "not-an-email"},
        {"role": "superuser"},
    ],
)
def test_create_bad_input(admin_client, overrides):  # type: ignore[no-untyped-def]
    before = User.objects.count()
    response = admin_client.post(f"{LIST}new/", _create_data(**overrides))
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert User.objects.count() == before


def test_create_duplicate_username(admin_client, analyst):  # type: ignore[no-untyped-def]
    response = admin_client.post(f"{LIST}new/", _create_data(username=analyst.username))
    assert response.status_code == 400


def test_edit_user(admin_client, admin_user, analyst, subsidiary):  # type: ignore[no-untyped-def]
    assert admin_client.get(f"{LIST}{analyst.pk}/edit/").status_code == 200
    data = _edit_data(analyst, role="viewer", language="en", group_companies=[subsidiary.pk])
    response = admin_client.post(f"{LIST}{analyst.pk}/edit/", data)
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.VIEWER
    assert analyst.language == "en"
    assert list(analyst.group_companies.all()) == [subsidiary]
    entries = LogEntry.objects.filter(object_pk=str(analyst.pk), content_type__model="user", actor=admin_user)
    assert any("role" in (e.changes_dict or {}) for e in entries)


def test_detail_page(admin_client, analyst):  # type: ignore[no-untyped-def]
    confirmed_device(analyst)
    page = admin_client.get(f"{LIST}{analyst.pk}/")
    assert page.status_code == 200
    assert analyst.username.encode() in page.content
    assert b'id="totp-reset-button"' in page.content


def test_unknown_user_is_404(admin_client):  # type: ignore[no-untyped-def]
    assert admin_client.get(f"{LIST}999999/").status_code == 404


# --- deactivate / password / 2FA -----------------------------------------------------------------


def test_deactivate_instead_of_delete(admin_client, analyst):  # type: ignore[no-untyped-def]
    other = Client()
    other.force_login(analyst)
    assert admin_client.get(f"{LIST}{analyst.pk}/deactivate/").status_code == 200
    response = admin_client.post(f"{LIST}{analyst.pk}/deactivate/")
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.is_active is False
    assert User.objects.filter(pk=analyst.pk).exists()
    # The deactivated user's session no longer works and the password is refused.
    assert other.get("/accounts/profile/").status_code == 302
    assert not Client().login(username=analyst.username, password=PASSWORD)


def test_last_administrator_cannot_deactivate_or_demote_themselves(admin_client, admin_user):  # type: ignore[no-untyped-def]
    response = admin_client.post(f"{LIST}{admin_user.pk}/deactivate/")
    assert response.status_code == 409
    assert "最後の有効な管理者" in response.content.decode()
    response = admin_client.post(f"{LIST}{admin_user.pk}/edit/", _edit_data(admin_user, role="analyst"))
    assert response.status_code == 400
    assert "最後の有効な管理者" in response.content.decode()
    response = admin_client.post(f"{LIST}{admin_user.pk}/edit/", _edit_data(admin_user, is_active=""))
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.is_active


def test_admin_may_step_down_when_another_admin_remains(admin_client, admin_user, own):  # type: ignore[no-untyped-def]
    factories.UserFactory(role=Role.ADMIN)
    response = admin_client.post(f"{LIST}{admin_user.pk}/edit/", _edit_data(admin_user, role="analyst"))
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ANALYST
    assert admin_client.get(LIST).status_code == 403  # the new role applies at once


def test_service_refuses_demoting_the_last_admin(admin_user):  # type: ignore[no-untyped-def]
    with pytest.raises(RenkeiError) as exc:
        services.user_update(actor=None, user=admin_user, role=Role.VIEWER)
    assert exc.value.field_name == "role"


def test_reset_password(admin_client, admin_user, analyst):  # type: ignore[no-untyped-def]
    url = f"{LIST}{analyst.pk}/password/"
    assert admin_client.get(url).status_code == 200
    weak = admin_client.post(url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 400
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)
    response = admin_client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)
    entry = LogEntry.objects.filter(object_pk=str(analyst.pk), changes__icontains="password").get()
    assert entry.actor == admin_user
    assert NEW_PASSWORD not in str(entry.changes)


def test_admin_turns_off_a_users_second_factor(admin_client, analyst):  # type: ignore[no-untyped-def]
    confirmed_device(analyst)
    response = admin_client.post(f"{LIST}{analyst.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not analyst.totpdevice_set.exists()
    # The user can now log in with the password alone.
    client = Client()
    response = client.post("/accounts/login/", {"username": analyst.username, "password": PASSWORD})
    assert SESSION_KEY in client.session


# --- a group-company-limited administrator -------------------------------------------------------


@pytest.fixture
def limited_admin(subsidiary):  # type: ignore[no-untyped-def]
    return factories.UserFactory(role=Role.ADMIN, companies=[subsidiary])


def test_limited_admin_sees_only_users_within_their_companies(client, limited_admin, limited_analyst, analyst):  # type: ignore[no-untyped-def]
    client.force_login(limited_admin)
    listed = {u.pk for u in client.get(LIST).context["object_list"]}
    assert limited_analyst.pk in listed
    assert analyst.pk not in listed  # an unlimited (headquarters) user
    assert client.get(f"{LIST}{analyst.pk}/").status_code == 404
    assert client.post(f"{LIST}{analyst.pk}/deactivate/").status_code == 404
    analyst.refresh_from_db()
    assert analyst.is_active


def test_limited_admin_cannot_create_unlimited_users(client, limited_admin, subsidiary, own):  # type: ignore[no-untyped-def]
    client.force_login(limited_admin)
    response = client.post(f"{LIST}new/", _create_data())
    assert response.status_code == 400
    assert not User.objects.filter(username="tanaka").exists()
    # Only their own companies are offered; the headquarters company is refused.
    response = client.post(f"{LIST}new/", {**_create_data(), "group_companies": [own.pk]})
    assert response.status_code == 400
    response = client.post(f"{LIST}new/", {**_create_data(), "group_companies": [subsidiary.pk]})
    assert response.status_code == 302


def test_list_shows_last_login_in_japan_time(admin_client, analyst):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    User.objects.filter(pk=analyst.pk).update(last_login=datetime(2026, 4, 1, 15, 30, tzinfo=UTC))
    page = admin_client.get(LIST).content.decode()
    assert "2026-04-02 00:30" in page


def test_a_stale_user_edit_gets_the_conflict_page_and_changes_nothing(admin_client, admin_user, analyst):  # type: ignore[no-untyped-def]
    """Two administrators edit the same user: the second is shown both versions, nothing of theirs saved."""
    page = admin_client.get(f"{LIST}{analyst.pk}/edit/").content.decode()
    assert f'name="edit_version" value="{analyst.edit_version}"' in page
    loaded = analyst.edit_version
    services.user_update(actor=admin_user, user=analyst, role=Role.VIEWER)
    data = _edit_data(analyst, role="admin", edit_version=str(loaded))
    response = admin_client.post(f"{LIST}{analyst.pk}/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "編集中に他の人がこの記録を保存しました" in html
    assert "閲覧者" in html  # the role as people read it, not its code
    analyst.refresh_from_db()
    assert analyst.role == Role.VIEWER
    data["edit_version"] = str(analyst.edit_version)
    assert admin_client.post(f"{LIST}{analyst.pk}/edit/", data).status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.ADMIN
