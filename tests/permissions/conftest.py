"""The guard tables' objects, built once per test module (see tests/idor.py `shared_data`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import factories as f
from tests.idor import SharedData, shared_data
from tests.permissions.objects import build_world


@pytest.fixture(scope="module")
def _shared_world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[SharedData]:
    yield from shared_data(build_world, django_db_blocker, tmp_path_factory.mktemp("media"))


@pytest.fixture
def world(_shared_world: SharedData, db: Any, settings: Any, _test_settings: None) -> Any:
    """The objects as built, checked unchanged at the start of every test (a write in one test must
    not reach the next). Request it before the user fixtures (`pytestmark = usefixtures("world")`):
    the check compares every row of every model, users included."""
    return _shared_world.use(settings.MEDIA_ROOT)


@pytest.fixture
def subsidiary(world: Any) -> Any:
    return world["subsidiary"]["company"]


@pytest.fixture
def limited_csirt(subsidiary: Any) -> Any:
    from renkei.core.permissions import Role

    return f.UserFactory(role=Role.CSIRT, companies=[subsidiary])
