"""The guard table of the registry, chain and software pages and API endpoints (NetBox style).

To extend (a later app): add an object builder in objects.py if its pages need one, add rows here
(`crud_page_rows()` / `crud_api_rows()` for the usual five pages / six endpoints), and add the app's
URL namespace and API prefix to test_coverage.py.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.idor import Objects, Payload, Row


def _in_page(response: Any, obj: Any) -> bool:
    return obj.pk in {o.pk for o in response.context["object_list"]}


def _in_api_page(response: Any, obj: Any) -> bool:
    return obj.pk in {item["id"] for item in response.json()["items"]}


def _in_text(response: Any, obj: Any) -> bool:
    return str(obj) in response.content.decode("utf-8-sig")


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
    Row("registry:organisation_offboard", obj="organisation"),
    Row("registry:organisation_offboard", "POST", obj="organisation", payload=lambda o: {}),
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
    Row("software:finding_bulk_triage", "POST", obj="finding", args=lambda o: (),
        payload=lambda o: {"ids": [o["finding"].pk], "state": "affected", "comment": "一括確認"}),
    Row("software:release_findings_status", obj="release", json=True),
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
    Row("software:enrichment_sources"),
    Row("software:kev_import"),
    Row("software:kev_import", "POST", payload=lambda o: {"file": SimpleUploadedFile("kev.json", _KEV)}),
    Row("software:epss_import"),
    Row("software:epss_import", "POST", payload=lambda o: {"file": SimpleUploadedFile("epss.csv", _EPSS)}),
    Row("software:enrichment_import_detail", obj="enrichment_import", shared=True),
    Row("software:nvd_jvn_import"),
    Row("software:nvd_jvn_import", "POST",
        payload=lambda o: {"kind": "nvd", "file": SimpleUploadedFile("nvd.json", _NVD_FEED)}),
    Row("software:nvd_jvn_import_detail", obj="nvd_jvn_import", shared=True),
]

_KEV = b'{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2099-0001", "dateAdded": "2099-01-01"}]}'
_EPSS = b"cve,epss,percentile\nCVE-2099-0001,0.5,0.9\n"
_NVD_FEED = b'{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": []}'

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
    Row(f"{SOFTWARE}/findings/bulk-triage", "POST", obj="finding", ok=200,
        payload=lambda o: {"ids": [o["finding"].pk], "state": "affected", "comment": "一括確認"}),
    Row(f"{SOFTWARE}/releases/{{pk}}/gate", obj="release", query="fail_on=high"),
    Row(f"{SOFTWARE}/releases/{{pk}}/findings-status", obj="release"),
    Row(f"{SOFTWARE}/portfolio", query="name=requests", listed="component",
        shows=lambda r, o: o.pk in {x["component_id"] for x in r.json()["items"]}),
    Row(f"{SOFTWARE}/vulnerabilities"),
    Row(f"{SOFTWARE}/vulnerabilities/{{pk}}", obj="vulnerability", shared=True),
    Row(f"{SOFTWARE}/osv-imports"),
    Row(f"{SOFTWARE}/osv-imports/{{pk}}", obj="osv_import", shared=True),
    Row(f"{SOFTWARE}/enrichment/nvd-jvn-sources"),
    Row(f"{SOFTWARE}/enrichment/nvd-jvn-imports"),
    Row(f"{SOFTWARE}/enrichment/nvd-jvn-imports/{{pk}}", obj="nvd_jvn_import", shared=True),
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


