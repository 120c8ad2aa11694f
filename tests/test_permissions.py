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
from tests.software import factories as sw

# The assessments app keeps the same guard in its own tables, each with its own "every URL is in the
# table" check: tests/assessments/test_views_permissions.py (staff pages), test_api_permissions.py
# (/api/v1/assessments/) and test_portal_guard.py (the partner portal, open without a login but
# bounded by the portal link's party).
GUARDED_NAMESPACES = {"registry", "chain", "software", "incidents"}
GUARDED_API_PREFIXES = ("/api/v1/registry/", "/api/v1/chain/", "/api/v1/software/", "/api/v1/incidents")

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


def _software_objects(company: Any, objects: Objects) -> None:
    """A product of the company's supplier with one release, its current SBOM (one PyPI component
    "requests"), a finding, a delivered file and the company's licence policy; plus one
    vulnerability and one OSV import run, which are shared reference data (not scoped)."""
    # Its own supplier (with a security contact): products protect their supplier from deletion.
    supplier = f.OrganisationFactory(name=f"{company.name}のソフトウェア会社", group_company=company)
    f.ContactFactory(organisation=supplier)
    product = sw.ProductFactory(supplier=supplier, group_company=company, name=f"{company.name}の製品")
    release = sw.ReleaseFactory(product=product, version="1.0")
    component = sw.ComponentFactory(sbom=sw.SbomFactory(release=release))
    vulnerability = sw.VulnerabilityFactory()
    objects.update(
        product=product,
        release=release,
        component=component,
        vulnerability=vulnerability,
        finding=sw.FindingFactory(component=component, vulnerability=vulnerability),
        delivered_file=sw.DeliveredFileFactory(release=release),
        licence_policy=sw.LicencePolicyFactory(group_company=company),
        osv_import=sw.OsvImportFactory(),
    )


def _incident_core_objects(company: Any, objects: Objects) -> None:
    """An incident opened through its service (tasks, timeline, plan, default playbook), with one of
    each record hanging off it, and the company's response role and reply template."""
    from django.utils import timezone

    from renkei.incidents.models import (
        Attachment,
        CostEntry,
        Incident,
        IncidentAsset,
        Inquiry,
        Playbook,
        ReplyTemplate,
        ResponseRole,
    )
    from renkei.incidents.response import services as incident_services

    incident = incident_services.incident_open(user=None, incident=Incident(
        group_company=company, title=f"{company.name}のインシデント", learned_at=timezone.now(),
        source="partner_report", category="leak", appi_sensitive=True,
    ))
    attachment = Attachment(incident=incident, name="log.txt", size=2)
    attachment.file.save("log.txt", ContentFile(b"ok"), save=True)
    playbook = Playbook.objects.get(group_company=company, is_default=True)
    step = playbook.steps.order_by("order").first()
    objects.update(
        incident=incident,
        incident_asset=IncidentAsset.objects.create(
            incident=incident, asset=f.InformationAssetFactory(group_company=company), records=10
        ),
        incident_task=incident.tasks.order_by("order").first(),
        inquiry=Inquiry.objects.create(incident=incident, received_at=timezone.now(), question="漏れましたか"),
        cost=CostEntry.objects.create(incident=incident, amount=1000, date=timezone.localdate()),
        attachment=attachment,
        notification=incident.notifications.order_by("order").first(),
        response_role=ResponseRole.objects.create(group_company=company, kind="csirt", name=f"{company.name}CSIRT"),
        reply_template=ReplyTemplate.objects.create(group_company=company, name="お詫び", body="申し訳ありません"),
        playbook=playbook,
        playbook_step=step,
        playbook_task=step.tasks.first() if step else None,
    )


# A later app appends its own builder: (company, objects so far) -> adds its objects to the dict.
OBJECT_BUILDERS: list[Callable[[Any, Objects], None]] = [_registry_objects, _software_objects, _incident_core_objects]


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
    `multipart` sends an API write as a form with files instead of JSON; `shared` marks an object
    of reference data the whole group shares (no group company, so no 404 for other companies).
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
    # The incident list is open to every role (scoped); the other incident pages are in INCIDENT_ROWS.
    Row("incidents:incident_list", listed="incident", shows=_in_page),
    # --- software pages (issue 4)
    *crud_page_rows(
        "product",
        namespace="software",
        create=lambda o: {"supplier": o["organisation"].pk, "name": "新しい製品"},
        update=lambda o: {"supplier": o["product"].supplier_id, "name": "名前を変えた製品"},
    ),
    *crud_page_rows(
        "release",
        namespace="software",
        create=lambda o: {"product": o["product"].pk, "version": "2.0"},
        update=lambda o: {"version": "1.0.1", "notes": "メモ"},
    ),
    Row("software:sbom_upload", "POST", obj="release", payload=lambda o: {"file": _sbom_upload()}),
    Row("software:file_upload", "POST", obj="release",
        payload=lambda o: {"file": SimpleUploadedFile("app.zip", b"PK"), "declared_sha256": ""}),
    Row("software:vex_export", obj="release"),
    Row("software:finding_list", listed="finding", shows=_in_page),
    Row("software:finding_detail", obj="finding"),
    Row("software:finding_triage", "POST", obj="finding", payload=lambda o: {"state": "affected", "comment": "確認中"}),
    Row("software:finding_request_response", obj="finding"),
    Row("software:finding_request_response", "POST", obj="finding"),
    Row("software:portfolio_search", query="name=requests", listed="component",
        shows=lambda r, o: o.pk in {hit.component_id for hit in r.context["results"]}),
    Row("software:vulnerability_list"),
    Row("software:vulnerability_detail", obj="vulnerability", shared=True),
    Row("software:licence_policy"),
    Row("software:licence_policy", "POST", names_objects=True,
        payload=lambda o: {"company": o["company"].pk, "allowed": "MIT", "denied": "GPL-3.0-only"}),
    Row("software:osv_import"),
    Row("software:osv_import", "POST", payload=lambda o: {"file": SimpleUploadedFile("osv.json", _OSV_RECORD)}),
    Row("software:osv_import_detail", obj="osv_import", shared=True),
]

_OSV_RECORD = b'{"id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z", "affected": []}'

REGISTRY = "/api/v1/registry"
SOFTWARE = "/api/v1/software"


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")


def _sbom_upload() -> SimpleUploadedFile:
    document = (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": '
        b'[{"type": "library", "name": "requests", "version": "2.0.0", "purl": "pkg:pypi/requests@2.0.0"}]}'
    )
    return SimpleUploadedFile("bom.cdx.json", document, content_type="application/json")


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
    *crud_api_rows(
        f"{SOFTWARE}/products",
        obj="product",
        create=lambda o: {"supplier_id": o["product"].supplier_id, "name": "API製品", "group_company_id": o["company"].pk},
        patch=lambda o: {"description": "更新"},
    ),
    *crud_api_rows(
        f"{SOFTWARE}/releases",
        obj="release",
        create=lambda o: {"product_id": o["product"].pk, "version": "9.9", "delivered_on": "2025-04-01"},
        patch=lambda o: {"notes": "メモ"},
    ),
    Row(f"{SOFTWARE}/releases/{{pk}}/overview", obj="release"),
    Row(f"{SOFTWARE}/releases/{{pk}}/sboms", obj="release"),
    Row(f"{SOFTWARE}/releases/{{pk}}/sboms", "POST", obj="release", multipart=True,
        payload=lambda o: {"file": _sbom_upload()}),
    Row(f"{SOFTWARE}/releases/{{pk}}/components", obj="release"),
    Row(f"{SOFTWARE}/releases/{{pk}}/files", obj="release"),
    Row(f"{SOFTWARE}/releases/{{pk}}/files", "POST", obj="release", multipart=True,
        payload=lambda o: {"file": SimpleUploadedFile("app.zip", b"PK"), "declared_sha256": ""}),
    Row(f"{SOFTWARE}/releases/{{pk}}/vex", obj="release"),
    Row(f"{SOFTWARE}/releases/{{pk}}/licence-violations", obj="release"),
    Row(f"{SOFTWARE}/findings", listed="finding", shows=_in_api_page),
    Row(f"{SOFTWARE}/findings/{{pk}}", obj="finding"),
    Row(f"{SOFTWARE}/findings/{{pk}}", "PATCH", obj="finding", payload=lambda o: {"state": "affected", "comment": "確認中"}),
    Row(f"{SOFTWARE}/findings/{{pk}}/request-response", "POST", obj="finding", ok=200),
    Row(f"{SOFTWARE}/portfolio", query="name=requests", listed="component",
        shows=lambda r, o: o.pk in {x["component_id"] for x in r.json()["items"]}),
    Row(f"{SOFTWARE}/vulnerabilities"),
    Row(f"{SOFTWARE}/vulnerabilities/{{pk}}", obj="vulnerability", shared=True),
    Row(f"{SOFTWARE}/osv-imports"),
    Row(f"{SOFTWARE}/osv-imports/{{pk}}", obj="osv_import", shared=True),
    Row("/api/v1/incidents", listed="incident", shows=_in_api_page),
]

ROWS: list[Row] = PAGE_ROWS + API_ROWS

READS = [r for r in ROWS if not r.writes]
WRITES = [r for r in ROWS if r.writes]
OBJECT_ROWS = [r for r in ROWS if r.obj and not r.shared]
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
    if row.is_api and not row.multipart:
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
    missing_pages = pages - {r.target for r in PAGE_ROWS + INCIDENT_ROWS}
    assert not missing_pages, f"pages without a row in tests/test_permissions.py ROWS: {sorted(missing_pages)}"

    schema = client.get("/api/v1/openapi.json").json()
    endpoints = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith(GUARDED_API_PREFIXES)
        for method in operations
    }
    missing_api = endpoints - {(r.method, r.target) for r in API_ROWS + INCIDENT_ROWS}
    assert not missing_api, f"API endpoints without a row in tests/test_permissions.py ROWS: {sorted(missing_api)}"


def test_the_table_has_no_stale_rows(client: Client, db: Any) -> None:
    pages = _named_patterns(get_resolver().url_patterns)
    assert {r.target for r in PAGE_ROWS} <= pages
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert all(r.method.lower() in paths.get(r.target, {}) for r in API_ROWS)



# --- incident pages: CSIRT only ------------------------------------------------------------------

# Pages of the incidents app that go beyond the incident list need `Action.VIEW_INCIDENTS` (reads) or
# `Action.CHANGE_INCIDENTS` (writes), which only administrators and CSIRT hold. For these rows the
# viewer and the analyst answer 403 (nothing changes), anonymous visitors go to the login page, CSIRT
# succeeds, and a CSIRT user limited to the subsidiary gets 404 for the own company's objects.


def _incident_objects(company: Any, objects: Objects) -> None:
    """An incident to export, and an intake report (with an attachment) to triage, of `company`."""
    from django.utils import timezone

    from renkei.incidents.intake.services import new_receipt_code, receipt_hash
    from renkei.incidents.models import Incident, IntakeAttachment, IntakeReport

    code = new_receipt_code()
    report = IntakeReport.objects.create(
        group_company=company, kind="tip", message="権限テストの通報", receipt_prefix=code[:6],
        receipt_hash=receipt_hash(code),
    )
    attachment = IntakeAttachment(report=report, name="証拠.pdf", size=9)
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    objects.update(
        report_incident=Incident.objects.create(
            group_company=company, title=f"{company.name}の事案", learned_at=timezone.now(), source="outside_tip",
            category="leak", description="権限テストの事案",
        ),
        intake_report=report,
        intake_attachment=attachment,
    )
    _leak_objects(company, objects)


def _leak_objects(company: Any, objects: Objects) -> None:
    """A dataset in the leak ledger of `company`, sent to a party of its own (with one canary)."""
    from django.utils import timezone

    from renkei.incidents.models import CanaryRecord, SharedDataset

    dataset = SharedDataset.objects.create(
        group_company=company, recipient=f.OrganisationFactory(name=f"{company.name}の受領者", group_company=company),
        name=f"{company.name}の顧客名簿", shared_on=timezone.localdate(), row_count=1, canary_count=1,
    )
    CanaryRecord.objects.create(dataset=dataset, values={"メール": "x"}, email=f"c{company.pk}@canary.renkei.example",
                                phone=f"0900000{company.pk:04d}")
    objects.update(shared_dataset=dataset)


def _leak_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("顧客.csv", "氏名,メールアドレス\r\n山田 太郎,taro@example.jp\r\n".encode())


LEAK_ROWS: list[Row] = [
    Row("incidents:dataset_list", listed="shared_dataset", shows=_in_page),
    Row("incidents:dataset_create"),
    Row("incidents:dataset_create", "POST", names_objects=True, ok=200,
        payload=lambda o: {"file": _leak_csv(), "recipient": o["organisation"].pk, "shared_on": "2026-04-01",
                           "group_company": o["company"].pk, "canary_count": 1, "encoding": "auto"}),
    Row("incidents:dataset_detail", obj="shared_dataset"),
    Row("incidents:dataset_delete", obj="shared_dataset"),
    Row("incidents:dataset_delete", "POST", obj="shared_dataset"),
    Row("incidents:leak_trace"),
    Row("incidents:leak_trace", "POST", ok=200, payload=lambda o: {"file": _leak_csv(), "encoding": "auto"}),
]


def _incident_form(o: Objects, title: str) -> dict[str, Any]:
    return {"title": title, "learned_at": "2024-04-10T09:30", "source": "partner_report", "category": "leak",
            "severity": "high", "status": "investigating", "our_role": "data_owner", "prelim_start_days": 3,
            "parties": [o["organisation"].pk], "group_company": o["company"].pk}


def _page_rows(name: str, obj: str, *, create_under: str | None, create: Payload | None, update: Payload,
               names_objects: bool = False) -> list[Row]:
    """Create (under a parent: `create_under` names it), update and delete pages of an incident record."""
    rows = []
    if create is not None:
        rows += [Row(f"incidents:{name}_create", obj=create_under),
                 Row(f"incidents:{name}_create", "POST", obj=create_under, payload=create, names_objects=names_objects)]
    return rows + [
        Row(f"incidents:{name}_update", obj=obj),
        Row(f"incidents:{name}_update", "POST", obj=obj, payload=update),
        Row(f"incidents:{name}_delete", obj=obj),
        Row(f"incidents:{name}_delete", "POST", obj=obj, payload=lambda o: {}),
    ]


INCIDENTS_API = "/api/v1/incidents"
INCIDENT_CORE_ROWS: list[Row] = [
    Row("incidents:incident_create"),
    Row("incidents:incident_create", "POST", payload=lambda o: _incident_form(o, "新しい事案"), names_objects=True),
    Row("incidents:incident_detail", obj="incident"),
    *_page_rows("incident", "incident", create_under=None, create=None,
                update=lambda o: _incident_form(o, "変えた事案")),
    Row("incidents:incident_appi", obj="incident"),
    Row("incidents:incident_appi", "POST", obj="incident",
        payload=lambda o: {"appi_sensitive": "true", "appi_financial_risk": "unknown", "appi_wrongful_purpose": "false",
                           "persons_estimate": 5, "our_role": "data_owner", "prelim_start_days": 3}),
    Row("incidents:incident_status", "POST", obj="incident", payload=lambda o: {"status": "contained"}),
    Row("incidents:timeline_add", "POST", obj="incident", payload=lambda o: {"text": "続報"}),
    Row("incidents:assets_prefill", "POST", obj="incident"),
    *_page_rows("asset", "incident_asset", create_under="incident",
                create=lambda o: {"asset": o["asset"].pk, "records": 3},
                update=lambda o: {"asset": o["incident_asset"].asset_id, "records": 4}),
    Row("incidents:incident_tasks", obj="incident"),
    *_page_rows("task", "incident_task", create_under="incident",
                create=lambda o: {"title": "新しいタスク", "status": "todo", "owner_kind": "csirt"},
                update=lambda o: {"title": "変えたタスク", "status": "doing", "owner_kind": "csirt"}),
    Row("incidents:task_move", "POST", obj="incident_task", payload=lambda o: {"status": "done"}),
    Row("incidents:incident_inquiries", obj="incident"),
    *_page_rows("inquiry", "inquiry", create_under="incident",
                create=lambda o: {"received_at": "2024-04-11T10:00", "question": "大丈夫ですか"},
                update=lambda o: {"received_at": "2024-04-11T10:00", "question": "大丈夫ですか", "answer": "調査中"}),
    Row("incidents:incident_costs", obj="incident"),
    *_page_rows("cost", "cost", create_under="incident",
                create=lambda o: {"kind": "compensation_claimed", "party": o["organisation"].pk, "amount": 10,
                                  "currency": "JPY", "date": "2024-04-20"},
                update=lambda o: {"kind": "cost", "amount": 20, "currency": "JPY", "date": "2024-04-20"}),
    Row("incidents:attachment_create", obj="incident"),
    Row("incidents:attachment_create", "POST", obj="incident",
        payload=lambda o: {"file": SimpleUploadedFile("証拠.txt", b"evidence")}),
    Row("incidents:attachment_download", obj="attachment"),
    Row("incidents:attachment_delete", obj="attachment"),
    Row("incidents:attachment_delete", "POST", obj="attachment"),
    Row("incidents:incident_notifications", obj="incident"),
    Row("incidents:notifications_generate", "POST", obj="incident"),
    *_page_rows("notification", "notification", create_under="incident",
                create=lambda o: {"category": "chain", "recipient": "関係先", "organisation": o["organisation"].pk,
                                  "status": "pending"},
                update=lambda o: {"category": "internal", "recipient": "社長", "status": "sent", "what_sent": "第一報"}),
    Row("incidents:role_list", listed="response_role", shows=_in_page),
    *_page_rows("role", "response_role", create_under=None, names_objects=True,
                create=lambda o: {"kind": "lawyer", "name": "弁護士", "escalation_level": 0,
                                  "group_company": o["company"].pk},
                update=lambda o: {"kind": "csirt", "name": "変えた担当", "escalation_level": 1}),
    Row("incidents:roles_seed"),
    Row("incidents:roles_seed", "POST"),
    Row("incidents:reply_template_list", listed="reply_template", shows=_in_page),
    *_page_rows("reply_template", "reply_template", create_under=None, names_objects=True,
                create=lambda o: {"name": "新しい定型文", "body": "本文", "group_company": o["company"].pk},
                update=lambda o: {"name": "変えた定型文", "body": "本文"}),
    Row("incidents:playbook_list", listed="playbook", shows=_in_page),
    Row("incidents:playbook_detail", obj="playbook"),
    *_page_rows("playbook", "playbook", create_under=None, names_objects=True,
                create=lambda o: {"name": "新しい手順", "group_company": o["company"].pk},
                update=lambda o: {"name": "変えた手順", "is_default": "on"}),
    Row("incidents:playbook_default"),
    Row("incidents:playbook_default", "POST"),
    Row("incidents:playbook_drill", obj="playbook"),
    Row("incidents:playbook_drill", "POST", obj="playbook", payload=lambda o: {"title": "訓練"}),
    *_page_rows("step", "playbook_step", create_under="playbook",
                create=lambda o: {"order": 99, "name": "新しい段階"},
                update=lambda o: {"order": 1, "name": "変えた段階"}),
    *_page_rows("playbook_task", "playbook_task", create_under="playbook_step",
                create=lambda o: {"title": "新しい作業", "owner_kind": "csirt", "due_hours": 2},
                update=lambda o: {"title": "変えた作業", "owner_kind": "lawyer", "due_hours": 3}),
    # API (the list is in API_ROWS)
    Row(INCIDENTS_API, "POST", names_objects=True,
        payload=lambda o: {"title": "API事案", "source": "own_detection", "category": "malware",
                           "group_company_id": o["company"].pk, "party_ids": [o["organisation"].pk]}),
    Row(f"{INCIDENTS_API}/{{pk}}", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}", "PATCH", obj="incident", payload=lambda o: {"severity": "critical"}),
    Row(f"{INCIDENTS_API}/{{pk}}/status", "POST", obj="incident", ok=200, payload=lambda o: {"status": "recovered"}),
    Row(f"{INCIDENTS_API}/{{pk}}/timeline", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/timeline", "POST", obj="incident", payload=lambda o: {"text": "API記録"}),
    Row(f"{INCIDENTS_API}/{{pk}}/tasks", obj="incident"),
    Row(f"{INCIDENTS_API}/tasks/{{task_id}}", "PATCH", obj="incident_task", payload=lambda o: {"status": "done"}),
    Row(f"{INCIDENTS_API}/{{pk}}/notifications", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/notifications/generate", "POST", obj="incident", ok=200),
    Row(f"{INCIDENTS_API}/{{pk}}/report-data", obj="incident"),
]

INCIDENT_ROWS: list[Row] = [
    *INCIDENT_CORE_ROWS,
    *LEAK_ROWS,
    Row("incidents:incident_report_export", obj="report_incident", query="format=docx"),
    Row("incidents:incident_report_export", obj="report_incident", query="format=pdf&stage=final"),
    Row("incidents:incident_notice_export", obj="report_incident", query="format=docx"),
    Row("incidents:incident_notice_export", obj="report_incident", query="format=pdf"),
    Row("incidents:intake_list", listed="intake_report", shows=_in_page),
    Row("incidents:intake_detail", obj="intake_report"),
    Row("incidents:intake_attachment", obj="intake_attachment"),
    Row("incidents:intake_triage", "POST", obj="intake_report",
        payload=lambda o: {"status": "triaged", "public_status_note": "確認中です"}),
    Row("incidents:intake_reply", "POST", obj="intake_report", payload=lambda o: {"text": "ご連絡ありがとうございます"}),
    Row("incidents:intake_create_incident", "POST", obj="intake_report", payload=lambda o: {"title": ""}),
]
INCIDENT_OBJECT_ROWS = [r for r in INCIDENT_ROWS if r.obj]
INCIDENT_LISTS = [r for r in INCIDENT_ROWS if r.listed]
INCIDENT_CREATES = [r for r in INCIDENT_ROWS if r.names_objects]


@pytest.fixture
def incident_world(world: Any) -> Any:
    for name in ("own", "subsidiary"):
        _incident_objects(world[name]["company"], world[name])
    return world


@pytest.fixture
def limited_csirt(subsidiary: Any) -> Any:
    from renkei.core.permissions import Role

    return f.UserFactory(role=Role.CSIRT, companies=[subsidiary])


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_incident_page_sends_anonymous_to_login(row: Row, client: Client, incident_world: Any) -> None:
    before = snapshot()
    response = request(client, row, incident_world["own"])
    if row.is_api or row.json:
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    assert snapshot() == before


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_incident_page_is_closed_to_viewers_and_analysts(
    row: Row, viewer: Any, analyst: Any, incident_world: Any
) -> None:
    for user in (viewer, analyst):
        client = logged_in(user)
        before = snapshot()
        assert request(client, row, incident_world["own"]).status_code == 403
        assert snapshot() == before


@pytest.mark.parametrize("row", INCIDENT_ROWS, ids=ids(INCIDENT_ROWS))
def test_csirt_uses_incident_page(row: Row, csirt_user: Any, incident_world: Any) -> None:
    response = request(logged_in(csirt_user), row, incident_world["own"])
    assert response.status_code == (row.success() if row.writes else 200), response.content[:2000]


@pytest.mark.parametrize("row", INCIDENT_OBJECT_ROWS, ids=ids(INCIDENT_OBJECT_ROWS))
def test_other_companys_incident_object_is_not_found(row: Row, limited_csirt: Any, incident_world: Any) -> None:
    client = logged_in(limited_csirt)
    before = snapshot()
    assert request(client, row, incident_world["own"]).status_code == 404
    assert snapshot() == before
    assert request(client, row, incident_world["subsidiary"]).status_code < 400


@pytest.mark.parametrize("row", INCIDENT_LISTS, ids=ids(INCIDENT_LISTS))
def test_other_companys_incident_objects_are_absent_from_lists(
    row: Row, limited_csirt: Any, incident_world: Any
) -> None:
    response = request(logged_in(limited_csirt), row, incident_world["own"])
    assert response.status_code == 200
    assert row.shows is not None and row.listed is not None
    assert not row.shows(response, incident_world["own"][row.listed])
    assert row.shows(response, incident_world["subsidiary"][row.listed])

# --- public pages: open on purpose ---------------------------------------------------------------

# The public intake (issue 5 §5) is the one place outsiders reach without a login: a stable address
# for tips and partner reports. Its abuse controls (CSRF, rate limits per address, honeypot, size and
# type limits, a generic answer to wrong receipt codes) are tested in tests/incidents/test_intake.py.
# A URL is public only if it is listed here, with the method it is used with.
PUBLIC_NAMESPACES = {"intake"}
PUBLIC_PAGES = {
    "intake:form": "GET",  # the reporting form
    "intake:receipt": "GET",  # the receipt code, shown once (without one: back to the status page)
    "intake:status": "GET",  # enter the receipt code
    "intake:status_detail": "GET",  # the report's status (without a code entered: back to the lookup)
    "intake:status_end": "POST",  # forget the report in this browser
}


def test_public_pages_are_exactly_the_allow_list(db: Any) -> None:
    public = {n for n in _named_patterns(get_resolver().url_patterns) if n.split(":", 1)[0] in PUBLIC_NAMESPACES}
    assert public == set(PUBLIC_PAGES)


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_pages_answer_anonymous_visitors(name: str, client: Client, own: Any) -> None:
    url = reverse(name)
    response = client.post(url) if PUBLIC_PAGES[name] == "POST" else client.get(url)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response.url.startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("row", INCIDENT_CREATES, ids=ids(INCIDENT_CREATES))
def test_incident_create_naming_another_companys_object_is_refused(
    row: Row, limited_csirt: Any, incident_world: Any
) -> None:
    client = logged_in(limited_csirt)
    before = snapshot()
    # The payload names the own company's objects, which the limited CSIRT user may not see.
    response = request(client, row, incident_world["own"])
    assert response.status_code == 400
    if row.is_api:
        assert response.json()["errors"][0]["field"].endswith("_id")
    assert snapshot() == before
