"""The one IDOR guard base: a `Row` per URL and method, and the checks every guard table runs.

Each table (tests/permissions/ for registry, chain, software and incidents; tests/assessments/ for the
staff pages, the API and the partner portal) supplies only its data and its rows, and runs them through:
  - `assert_login_required`: anonymous pages redirect to the login page, JSON endpoints answer 401;
  - `assert_refused`:        a viewer's write answers 403 (another status where given) and changes nothing;
  - `assert_not_found`:      an object of another group company or another party's portal link answers
                             404 and changes nothing (and the same request on a visible object does not);
  - `url_names`/`api_operations`: every URL of the URL conf and every API operation has a row
                             (tests/permissions/test_coverage.py checks all tables together).

`shared_data` builds a module's objects once (in a transaction rolled back at the end of the module);
each test runs in its own savepoint inside it, so a write in one test never reaches the next.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.environment import TEST_SETTINGS

Objects = dict[str, Any]
Payload = Callable[[Objects], dict[str, Any]]
Shows = Callable[[Any, Any], bool]

# Fields that record use, not data: reading with an API token or a portal link sets them.
VOLATILE_FIELDS = {"last_used_at"}


@dataclass(frozen=True)
class Row:
    """One URL and method.

    `target` is a URL name (pages) or an API path whose `{name}` placeholders are filled with the
    object of that name in the table's objects, or else with `obj`. A page's URL arguments are
    `args(objects)`, or `obj`'s id. `query` is added to the URL. `payload` builds the body of a write,
    and `names_objects` says it refers to the objects (a create that a user of another company must
    not be able to make). `listed` names the kind of object a list shows, `shows(response, obj)`
    whether the response shows it. `json` marks non-API endpoints that answer JSON (401, not a
    redirect); `ok` is the status of a successful write. `multipart` sends an API write as a form
    with files instead of JSON; `shared` marks an object of reference data the whole group shares
    (no group company, so no 404 for other companies).
    """

    target: str
    method: str = "GET"
    obj: str | None = None
    payload: Payload | None = None
    names_objects: bool = False
    listed: str | None = None
    shows: Shows | None = None
    json: bool = False
    query: str = ""
    ok: int | None = None
    multipart: bool = False
    shared: bool = False
    args: Callable[[Objects], tuple[Any, ...]] | None = None

    @property
    def is_api(self) -> bool:
        return self.target.startswith("/")

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def url(self, objects: Objects) -> str:
        if self.is_api:
            def fill(match: re.Match[str]) -> str:
                value = objects.get(match.group(1)) or objects[self.obj or ""]
                return str(getattr(value, "pk", value))

            url = re.sub(r"\{([^}]+)\}", fill, self.target)
        else:
            if self.args is not None:
                args = list(self.args(objects))
            else:
                args = [objects[self.obj].pk] if self.obj else []
            url = reverse(self.target, args=args)
        return f"{url}?{self.query}" if self.query else url

    def success(self) -> int:
        if self.ok is not None:
            return self.ok
        if self.is_api:
            return {"POST": 201, "DELETE": 204}.get(self.method, 200)
        return 302

    def id(self) -> str:
        return f"{self.method} {self.target}{'?' + self.query if self.query else ''}"


def ids(rows: list[Row]) -> list[str]:
    return [r.id() for r in rows]


def request(client: Client, row: Row, objects: Objects) -> Any:
    url = row.url(objects)
    payload = row.payload(objects) if row.payload is not None else {}
    if row.method == "GET":
        return client.get(url)
    if row.is_api and not row.multipart:
        return getattr(client, row.method.lower())(url, payload, content_type="application/json")
    return client.post(url, payload)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of ours: compared once per module (`shared_data`), where a test's
    writes must not outlive it."""
    result = {}
    for model in apps.get_models():
        if model.__module__.startswith("renkei."):
            fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE_FIELDS]
            result[model._meta.label] = list(model._default_manager.order_by("pk").values(*fields))
    return result


# The table a data-changing statement writes to, as Django's backends (SQLite, PostgreSQL) spell it.
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_SET_COLUMNS = re.compile(r'"(\w+)"\s*=')
# Django's own session store: logging in and CSRF rotation write it, and it holds no data of ours.
_NOT_DATA = {"django_session"}


def _changes_data(sql: str) -> str | None:
    """The table a statement changes, or None for a read (or an update of use-only fields)."""
    match = _WRITE.match(sql)
    if match is None or match.group(1) in _NOT_DATA:
        return None
    if sql.lstrip()[:6].upper() == "UPDATE":
        assignments = sql.split(" WHERE ", 1)[0]
        if set(_SET_COLUMNS.findall(assignments)) <= VOLATILE_FIELDS:
            return None
    return match.group(1)


@contextmanager
def no_writes(label: str) -> Iterator[None]:
    """Fail if any statement inside changes data: stricter than comparing the tables before and
    after (a write later undone still fails) and a fraction of the cost, so every refused request
    runs under it."""
    writes: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        table = _changes_data(sql)
        if table is not None:
            writes.append(f"{table}: {sql[:200]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield
    assert not writes, (label, writes)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the checks every table runs -----------------------------------------------------------------


def assert_login_required(client: Client, row: Row, objects: Objects) -> None:
    """Anonymous: pages redirect to the login page, JSON endpoints answer 401; nothing changes."""
    with no_writes(row.id()):
        response = request(client, row, objects)
    if row.is_api or row.json:
        assert response.status_code == 401, row.id()
        assert response.json()["message"], row.id()
    else:
        assert response.status_code == 302, row.id()
        assert response.url.startswith(reverse(settings.LOGIN_URL)), row.id()


def assert_refused(client: Client, row: Row, objects: Objects, status: int = 403) -> Any:
    """A write the user may not make answers `status` (403 for a viewer) and changes nothing."""
    with no_writes(row.id()):
        response = request(client, row, objects)
    assert response.status_code == status, (row.id(), response.content[:500])
    if row.is_api:
        assert response.json()["message"], row.id()
    return response


def assert_not_found(client: Client, row: Row, objects: Objects, visible: Objects | None = None) -> Any:
    """An object out of the user's scope (another group company, another party's portal link) answers
    404 and nothing changes; with `visible` (the user's own objects) the same request is not refused,
    so the 404 is the scope and not a broken row."""
    response = assert_refused(client, row, objects, status=404)
    if visible is not None:
        assert request(client, row, visible).status_code < 400, row.id()
    return response


# --- every URL and API operation has a row -------------------------------------------------------


def _named_patterns(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace
            )
            names |= _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def url_names(namespaces: set[str] | None = None) -> set[str]:
    """The names of the URL conf (`namespace:name`), of the given namespaces or all of them."""
    names = _named_patterns(get_resolver().url_patterns)
    return {n for n in names if namespaces is None or n.split(":", 1)[0] in namespaces}


def api_operations(client: Client, prefixes: tuple[str, ...] = ("/",)) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema under one of `prefixes`."""
    from renkei.api import api

    # The schema itself is behind login (renkei/api.py): read it from the API object.
    schema = api.get_openapi_schema(path_params={})
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith(prefixes)
        for method in operations
    }


# --- data built once per module ------------------------------------------------------------------


@dataclass
class SharedData:
    objects: Any
    media: Path
    snapshot: dict[str, list[dict[str, Any]]]

    def use(self, media_root: Path) -> Any:
        """Called before each test: give it its own copy of the uploaded files (a test may delete
        them). That no test's writes outlive it is checked once, when the module is done (see
        `shared_data`): a snapshot before every test cost about a third of the guard tables' time."""
        shutil.copytree(self.media, media_root, dirs_exist_ok=True)
        return self.objects


def shared_data(build: Callable[[], Any], django_db_blocker: Any, media: Path) -> Iterator[SharedData]:
    """Build the objects once, inside a transaction that is rolled back when the module is done.

    Use from a module-scoped fixture (`yield from shared_data(...)`) that depends on
    `django_db_setup`. Each test's own `db` transaction is a savepoint inside this one, rolled back
    after the test.
    """
    with override_settings(MEDIA_ROOT=media, **TEST_SETTINGS), django_db_blocker.unblock(), transaction.atomic():
        objects = build()
        built = SharedData(objects, media, snapshot())
        yield built
        # Every test ran in a savepoint that was rolled back: the data must be exactly as built.
        assert snapshot() == built.snapshot, "a test's writes outlived it (its savepoint was not rolled back)"
        transaction.set_rollback(True)


def module_objects(build: Callable[[], Any]) -> tuple[Any, Any]:
    """The fixtures of a module whose objects are built once: `_shared_objects` (module scope) and
    `objects` (each test: the objects, checked unchanged, with their own copy of the files).

    In the module: `_shared_objects, objects = module_objects(build)` and
    `pytestmark = pytest.mark.usefixtures("objects")`, so the check runs before a test creates users.
    """

    @pytest.fixture(scope="module", name="_shared_objects")
    def shared(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[SharedData]:
        yield from shared_data(build, django_db_blocker, tmp_path_factory.mktemp("media"))

    @pytest.fixture(name="objects")
    def objects(_shared_objects: SharedData, db: Any, settings: Any, _test_settings: None) -> Any:
        return _shared_objects.use(settings.MEDIA_ROOT)

    return shared, objects
