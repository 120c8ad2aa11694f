"""Shared fixtures: the own company, one user per role, and a user limited to another group company."""

from __future__ import annotations

import pytest

from renkei.core.permissions import Role
from tests import factories
from tests.environment import TEST_SETTINGS

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Media in the test's own directory: safe when pytest-xdist runs tests side by side.
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture
def own(db):  # type: ignore[no-untyped-def]
    return factories.own_company()


@pytest.fixture
def subsidiary(own):  # type: ignore[no-untyped-def]
    return factories.group_company()


def _user(role: str, companies=None):  # type: ignore[no-untyped-def]
    return factories.UserFactory(role=role, companies=companies or [])


@pytest.fixture
def admin_user(own):  # type: ignore[no-untyped-def]
    return _user(Role.ADMIN)


@pytest.fixture
def analyst(own):  # type: ignore[no-untyped-def]
    return _user(Role.ANALYST)


@pytest.fixture
def csirt_user(own):  # type: ignore[no-untyped-def]
    return _user(Role.CSIRT)


@pytest.fixture
def viewer(own):  # type: ignore[no-untyped-def]
    return _user(Role.VIEWER)


@pytest.fixture
def limited_analyst(subsidiary):  # type: ignore[no-untyped-def]
    """An analyst who may only see and change the subsidiary's records."""
    return _user(Role.ANALYST, companies=[subsidiary])


@pytest.fixture
def analyst_client(client, analyst):  # type: ignore[no-untyped-def]
    client.force_login(analyst)
    return client


@pytest.fixture
def viewer_client(client, viewer):  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Call the returned function to run pending on-commit hooks (tier recomputation) now.

    Tests run inside a transaction that never commits, so hooks would otherwise never fire.
    """
    from django.db import connection

    def run() -> None:
        callbacks = list(connection.run_on_commit)
        connection.run_on_commit.clear()
        for _sids, func, _robust in callbacks:
            func()

    return run
