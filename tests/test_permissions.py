"""The IDOR guard: every page and API endpoint of the guarded apps, checked the same way (NetBox style).

One table (`ROWS`) lists each URL with its method and payload; the tests below run every row as
  - anonymous:               pages redirect to the login page, JSON endpoints answer 401;
  - a viewer:                every write answers 403 and changes nothing; reads answer 200;
  - a user limited to the subsidiary (`limited_analyst`): every object of the own company answers
                             404 (and nothing changes), such objects are absent from lists, and a
                             create naming them as a reference is refused;
  - the analyst (full scope): reads answer 200 and writes succeed, which proves the payloads valid.
`test_every_guarded_url_is_in_the_table` walks the URL resolver and the OpenAPI schema, so a new page
or endpoint cannot skip the guard.

To extend (a later app): add an object to `OBJECT_BUILDERS` if its pages need one, add rows to
`ROWS` (`crud_page_rows()` / `crud_api_rows()` for the usual five pages / six endpoints), and add
the app's URL namespace to `GUARDED_NAMESPACES` and its API prefix to `GUARDED_API_PREFIXES`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from renkei.registry.models import Tag
from tests import factories as f

GUARDED_NAMESPACES = {"registry", "chain"}
GUARDED_API_PREFIXES = ("/api/v1/registry/", "/api/v1/chain/")

Objects = dict[str, Any]
Payload = Callable[[Objects], dict[str, Any]]
Shows = Callable[[Any, Any], bool]


# --- the objects every row works on --------------------------------------------------------------


def _registry_objects(company: Any, objects: Objects) -> None:
    """One of each registry record, all belonging to `company`."""
    org = f.OrganisationFactory(name=f"{company.name}の委託先", group_company=company)
    org.tags.add(Tag.objects.get_or_create(name="権限テスト")[0])
    org2 = f.OrganisationFactory(name=f"{company.name}の再委託先", group_company=company)
    cert = f.CertificationFactory(organisation=org)
    cert.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    held_asset = f.InformationAssetFactory(group_company=company)
    f.RelationshipFactory(client=company, provider=org)  # data flows along this one
    objects.update(
        organisation=org,
        organisation2=org2,
        # Nothing flows along this relationship, so deleting it succeeds.
        relationship=f.RelationshipFactory(client=company, provider=org2),
        contact=f.ContactFactory(organisation=org),
        certification=cert,
        asset=f.InformationAssetFactory(group_company=company),  # not held: may be deleted
        holding=f.DataHoldingFactory(asset=held_asset, holder=org, received_from=company),
        access=f.SystemAccessFactory(organisation=org),
    )


# A later app appends its own builder: (company, objects so far) -> adds its objects to the dict.
OBJECT_BUILDERS: list[Callable[[Any, Objects], None]] = [_registry_objects]


def build_objects(company: Any) -> Objects:
    objects: Objects = {"company": company}
    for builder in OBJECT_BUILDERS:
        builder(company, objects)
    return objects


# --- the table -----------------------------------------------------------------------------------


def _in_page(response: Any, obj: Any) -> bool:
    return obj.pk in {o.pk for o in response.context["object_list"]}


def _in_api_page(response: Any, obj: Any) -> bool:
    return obj.pk in {item["id"] for item in response.json()["items"]}


def _in_text(response: Any, obj: Any) -> bool:
    return str(obj) in response.content.decode("utf-8-sig")


@dataclass(frozen=True)
class Row:
    """One URL and method.

    `target` is a URL name (pages) or an API path with `{...}` for the object's id; `query` is added
    to the URL. `obj` names the object (of the own company) that fills the id; `payload` builds the
    body of a write from the own company's objects, and `names_objects` says it refers to them (a
    create that a user of another company must not be able to make). `listed` names the kind of
    object a list shows, `shows(response, obj)` whether the response shows it. `json` marks non-API
    endpoints that answer JSON (401, not a redirect); `ok` is the status of a successful write.
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

    @property
    def is_api(self) -> bool:
        return self.target.startswith("/")

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def url(self, objects: Objects) -> str:
        pk = objects[self.obj].pk if self.obj else None
        if self.is_api:
            url = re.sub(r"\{[^}]+\}", str(pk), self.target)
        else:
            url = reverse(self.target, args=[pk] if pk is not None else [])
        return f"{url}?{self.query}" if self.query else url

    def success(self) -> int:
        if self.ok is not None:
            return self.ok
        if self.is_api:
            return {"POST": 201, "DELETE": 204}.get(self.method, 200)
        return 302

    def id(self) -> str:
        return f"{self.method} {self.target}{'?' + self.query if self.query else ''}"


def crud_page_rows(
    name: str, *, namespace: str = "registry", create: Payload, update: Payload, obj: str | None = None
) -> list[Row]:
    """The five generic pages of one model (list, create, detail, update, delete), GET and POST."""
    obj = obj or name
    return [
        Row(f"{namespace}:{name}_list", listed=obj, shows=_in_page),
        Row(f"{namespace}:{name}_create"),
        Row(f"{namespace}:{name}_create", "POST", payload=create, names_objects=True),
        Row(f"{namespace}:{name}_detail", obj=obj),
        Row(f"{namespace}:{name}_update", obj=obj),
        Row(f"{namespace}:{name}_update", "POST", obj=obj, payload=update),
        Row(f"{namespace}:{name}_delete", obj=obj),
        Row(f"{namespace}:{name}_delete", "POST", obj=obj, payload=lambda o: {}),
    ]


def crud_api_rows(path: str, *, obj: str, create: Payload, patch: Payload) -> list[Row]:
    """The six endpoints of a generic CRUD router (core.crud_api)."""
    return [
        Row(path, listed=obj, shows=_in_api_page),
        Row(path, "POST", payload=create, names_objects=True),
        Row(f"{path}/{{pk}}", obj=obj),
        Row(f"{path}/{{pk}}", "PUT", obj=obj, payload=create),
        Row(f"{path}/{{pk}}", "PATCH", obj=obj, payload=patch),
        Row(f"{path}/{{pk}}", "DELETE", obj=obj),
    ]


def _organisation_form(o: Objects, name: str) -> dict[str, Any]:
    return {
        "name": name, "kind": "contractor", "group_company": o["company"].pk, "country": "JP",
        "criticality": "high", "status": "active", "tag_names": "権限テスト",
    }


def _relationship_form(o: Objects) -> dict[str, Any]:
    return {"client": o["organisation"].pk, "provider": o["organisation2"].pk, "type": "contracts_work",
            "redelegation_approved": "unknown"}


def _asset_form(o: Objects, name: str) -> dict[str, Any]:
    return {"name": name, "group_company": o["company"].pk, "classification": "internal"}


def _holding_form(o: Objects) -> dict[str, Any]:
    # The not-yet-held asset, along the relationship company → organisation.
    return {"asset": o["asset"].pk, "holder": o["organisation"].pk, "received_from": o["company"].pk}


PAGE_ROWS: list[Row] = [
    Row("core:dashboard"),
    *crud_page_rows(
        "organisation",
        create=lambda o: _organisation_form(o, "新規の委託先"),
        update=lambda o: _organisation_form(o, "名前を変えた委託先"),
    ),
    *crud_page_rows(
        "relationship",
        create=_relationship_form,
        update=lambda o: {**_relationship_form(o), "client": o["company"].pk, "service": "保守"},
    ),
    *crud_page_rows(
        "contact",
        create=lambda o: {"organisation": o["organisation"].pk, "name": "新しい担当者", "role": "security"},
        update=lambda o: {"organisation": o["organisation"].pk, "name": "変えた担当者", "role": "incident"},
    ),
    *crud_page_rows(
        "certification",
        create=lambda o: {"organisation": o["organisation"].pk, "scheme": "pmark"},
        update=lambda o: {"organisation": o["organisation"].pk, "scheme": "iso27001", "number": "IS 123"},
    ),
    Row("registry:certification_evidence", obj="certification"),
    *crud_page_rows(
        "asset",
        create=lambda o: _asset_form(o, "新しい情報資産"),
        update=lambda o: _asset_form(o, "変えた情報資産"),
    ),
    *crud_page_rows(
        "holding",
        create=_holding_form,
        update=lambda o: {"asset": o["holding"].asset_id, "holder": o["organisation"].pk,
                          "received_from": o["company"].pk, "purpose": "配送"},
    ),
    *crud_page_rows(
        "access",
        create=lambda o: {"organisation": o["organisation"].pk, "system": "新システム", "level": "portal",
                          "account_count": 1},
        update=lambda o: {"organisation": o["organisation"].pk, "system": "変えたシステム", "level": "vpn",
                          "account_count": 2},
    ),
    Row("registry:import"),
    Row("registry:import", "POST", payload=lambda o: {"file": _csv("name,kind\r\n取込株式会社,contractor\r\n"),
                                                      "kind": "organisations", "encoding": "utf-8"}, ok=200),
    Row("registry:import_commit", "POST", payload=lambda o: {"token": "none"}),
    Row("registry:export", query="format=csv&kind=organisations", listed="organisation", shows=_in_text),
    Row("registry:export", query="format=xlsx"),
    Row("chain:map"),
    Row("chain:map_data", listed="organisation", shows=lambda r, o: o.pk in {n["id"] for n in r.json()["nodes"]},
        json=True),
    Row("chain:blast_radius", obj="organisation"),
]

REGISTRY = "/api/v1/registry"


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")


API_ROWS: list[Row] = [
    *crud_api_rows(
        f"{REGISTRY}/organisations",
        obj="organisation",
        create=lambda o: {"name": "API委託先", "kind": "contractor", "group_company_id": o["company"].pk,
                          "tags": ["権限テスト"]},
        patch=lambda o: {"criticality": "critical"},
    ),
    *crud_api_rows(
        f"{REGISTRY}/relationships",
        obj="relationship",
        create=lambda o: {"client_id": o["organisation"].pk, "provider_id": o["organisation2"].pk,
                          "type": "contracts_work"},
        patch=lambda o: {"service": "保守"},
    ),
    *crud_api_rows(
        f"{REGISTRY}/contacts",
        obj="contact",
        create=lambda o: {"organisation_id": o["organisation"].pk, "name": "API担当者", "role": "security"},
        patch=lambda o: {"phone": "03-0000-0000"},
    ),
    *crud_api_rows(
        f"{REGISTRY}/certifications",
        obj="certification",
        create=lambda o: {"organisation_id": o["organisation"].pk, "scheme": "pmark"},
        patch=lambda o: {"number": "P-1"},
    ),
    *crud_api_rows(
        f"{REGISTRY}/assets",
        obj="asset",
        create=lambda o: {"name": "API情報資産", "group_company_id": o["company"].pk},
        patch=lambda o: {"record_count": 10},
    ),
    *crud_api_rows(
        f"{REGISTRY}/holdings",
        obj="holding",
        create=lambda o: {"asset_id": o["asset"].pk, "holder_id": o["organisation"].pk,
                          "received_from_id": o["company"].pk},
        patch=lambda o: {"purpose": "配送"},
    ),
    *crud_api_rows(
        f"{REGISTRY}/access",
        obj="access",
        create=lambda o: {"organisation_id": o["organisation"].pk, "system": "API", "level": "portal"},
        patch=lambda o: {"account_count": 9},
    ),
    Row("/api/v1/chain/blast-radius/{org_id}", obj="organisation"),
    Row("/api/v1/chain/tiers", listed="organisation",
        shows=lambda r, o: o.pk in {x["id"] for x in r.json()["organisations"]}),
]

ROWS: list[Row] = PAGE_ROWS + API_ROWS

READS = [r for r in ROWS if not r.writes]
WRITES = [r for r in ROWS if r.writes]
OBJECT_ROWS = [r for r in ROWS if r.obj]
LISTS = [r for r in ROWS if r.listed]
CREATES = [r for r in ROWS if r.names_objects]
# Pages that show a form or a confirmation before a write: only users who may write reach them.
WRITE_FORMS = [
    r for r in PAGE_ROWS if not r.writes and r.target.endswith(("_create", "_update", "_delete", ":import"))
]
VIEWER_READS = [r for r in READS if r not in WRITE_FORMS]


def ids(rows: list[Row]) -> list[str]:
    return [r.id() for r in rows]


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def world(own, subsidiary):  # type: ignore[no-untyped-def]
    """The own company's objects (the targets) and the subsidiary's (what a limited user may see)."""
    return {"own": build_objects(own), "subsidiary": build_objects(subsidiary)}


def request(client: Client, row: Row, objects: Objects, payload: dict[str, Any] | None = None) -> Any:
    url = row.url(objects)
    if payload is None and row.payload is not None:
        payload = row.payload(objects)
    method = row.method.lower()
    if row.method == "GET":
        return client.get(url)
    if row.is_api:
        return getattr(client, method)(url, payload or {}, content_type="application/json")
    return client.post(url, payload or {})


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of ours: a write that was refused must leave it identical."""
    models = [m for m in apps.get_models() if m.__module__.startswith("renkei.")]
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
def test_anonymous_is_sent_to_login(row: Row, client: Client, world: Any) -> None:
    before = snapshot()
    response = request(client, row, world["own"])
    if row.is_api or row.json:
        assert response.status_code == 401
        assert response.json()["message"]
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    assert snapshot() == before


@pytest.mark.parametrize("row", WRITES + WRITE_FORMS, ids=ids(WRITES + WRITE_FORMS))
def test_viewer_may_not_write(row: Row, viewer: Any, world: Any) -> None:
    client = logged_in(viewer)
    before = snapshot()
    response = request(client, row, world["own"])
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("row", VIEWER_READS, ids=ids(VIEWER_READS))
def test_viewer_may_read(row: Row, viewer: Any, world: Any) -> None:
    assert request(logged_in(viewer), row, world["own"]).status_code == 200


@pytest.mark.parametrize("row", OBJECT_ROWS, ids=ids(OBJECT_ROWS))
def test_other_companys_object_is_not_found(row: Row, limited_analyst: Any, world: Any) -> None:
    client = logged_in(limited_analyst)
    before = snapshot()
    response = request(client, row, world["own"])
    assert response.status_code == 404
    if row.is_api:
        assert response.json()["message"]
    assert snapshot() == before
    # The same request on the user's own company's object is not refused: the 404 is the scope.
    assert request(client, row, world["subsidiary"]).status_code < 400


@pytest.mark.parametrize("row", LISTS, ids=ids(LISTS))
def test_other_companys_objects_are_absent_from_lists(row: Row, limited_analyst: Any, world: Any) -> None:
    response = request(logged_in(limited_analyst), row, world["own"])
    assert response.status_code == 200
    assert row.shows is not None and row.listed is not None
    assert not row.shows(response, world["own"][row.listed])
    assert row.shows(response, world["subsidiary"][row.listed])


@pytest.mark.parametrize("row", CREATES, ids=ids(CREATES))
def test_create_naming_another_companys_object_is_refused(row: Row, limited_analyst: Any, world: Any) -> None:
    client = logged_in(limited_analyst)
    before = snapshot()
    # The payload names the own company's objects, which the limited user may not see.
    response = request(client, row, world["own"])
    assert response.status_code == 400
    if row.is_api:
        assert response.json()["errors"][0]["field"].endswith("_id")
    assert snapshot() == before


def test_invisible_reference_answers_like_a_missing_one(limited_analyst: Any, world: Any) -> None:
    client = logged_in(limited_analyst)
    url = f"{REGISTRY}/contacts"
    hidden = client.post(url, {"organisation_id": world["own"]["organisation"].pk, "name": "x", "role": "security"},
                         content_type="application/json")
    missing = client.post(url, {"organisation_id": 10**9, "name": "x", "role": "security"},
                          content_type="application/json")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("row", READS, ids=ids(READS))
def test_analyst_reads(row: Row, analyst: Any, world: Any) -> None:
    assert request(logged_in(analyst), row, world["own"]).status_code == 200


@pytest.mark.parametrize("row", WRITES, ids=ids(WRITES))
def test_analyst_writes(row: Row, analyst: Any, world: Any) -> None:
    response = request(logged_in(analyst), row, world["own"])
    assert response.status_code == row.success(), response.content[:2000]


# --- the table covers everything -----------------------------------------------------------------


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


def test_every_guarded_url_is_in_the_table(client: Client, db: Any) -> None:
    pages = {
        name for name in _named_patterns(get_resolver().url_patterns)
        if name.split(":", 1)[0] in GUARDED_NAMESPACES
    }
    missing_pages = pages - {r.target for r in PAGE_ROWS}
    assert not missing_pages, f"pages without a row in tests/test_permissions.py ROWS: {sorted(missing_pages)}"

    schema = client.get("/api/v1/openapi.json").json()
    endpoints = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith(GUARDED_API_PREFIXES)
        for method in operations
    }
    missing_api = endpoints - {(r.method, r.target) for r in API_ROWS}
    assert not missing_api, f"API endpoints without a row in tests/test_permissions.py ROWS: {sorted(missing_api)}"


def test_the_table_has_no_stale_rows(client: Client, db: Any) -> None:
    pages = _named_patterns(get_resolver().url_patterns)
    assert {r.target for r in PAGE_ROWS} <= pages
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert all(r.method.lower() in paths.get(r.target, {}) for r in API_ROWS)
