"""SPDX 3.0 JSON-LD: packages, versions, purls, relationships, licences and hashes; hostile input.

The documents are written here from the SPDX 3.0.1 model (Core, Software, SimpleLicensing and
ExpandedLicensing profiles) in its JSON-LD serialisation: a `@graph` of elements with `type` and
`spdxId`, a shared CreationInfo blank node, relationships with `from` and a list `to`.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from renkei.software.sbom import document as sbom_document
from renkei.software.sbom.document import SbomError
from renkei.software.sbom.parsing import parse_sbom
from tests.software import sbom_samples as samples

NS = "https://example.com/shop-backend/"
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"


def spdx3(spec_version: str = "3.0.1") -> dict[str, Any]:
    ci = "_:creationinfo"
    graph: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": ci,
            "specVersion": spec_version,
            "created": "2025-01-01T00:00:00Z",
            "createdBy": [NS + "tool"],
        },
        {"type": "Tool", "spdxId": NS + "tool", "name": "hand", "creationInfo": ci},
        {
            "type": "Organization",
            "spdxId": NS + "org-dsf",
            "name": "Django Software Foundation",
            "creationInfo": ci,
        },
        {
            "type": "SpdxDocument",
            "spdxId": NS + "doc",
            "name": "shop-backend-1.4.0",
            "creationInfo": ci,
            "rootElement": [NS + "sbom"],
            "import": [{"type": "ExternalMap", "externalSpdxId": "https://example.org/other/os"}],
        },
        {"type": "software_Sbom", "spdxId": NS + "sbom", "creationInfo": ci, "rootElement": [NS + "app"]},
        {
            "type": "software_Package",
            "spdxId": NS + "app",
            "name": "shop-backend",
            "software_packageVersion": "1.4.0",
            "creationInfo": ci,
        },
        {
            "type": "software_Package",
            "spdxId": NS + "django",
            "name": "Django",
            "software_packageVersion": "4.2.1",
            "software_packageUrl": "pkg:pypi/django@4.2.1",
            "suppliedBy": NS + "org-dsf",
            "verifiedUsing": [
                {"type": "Hash", "algorithm": "sha256", "hashValue": samples.SHA256_DJANGO.upper()},
                {"type": "Hash", "algorithm": "sha3_256", "hashValue": samples.SHA256_FILE},
            ],
            "creationInfo": ci,
        },
        {
            "type": "software_Package",
            "spdxId": NS + "requests",
            "name": "requests",
            "externalIdentifier": [
                {
                    "type": "ExternalIdentifier",
                    "externalIdentifierType": "cpe23",
                    "identifier": "cpe:2.3:a:x:y:*",
                },
                {
                    "type": "ExternalIdentifier",
                    "externalIdentifierType": "packageUrl",
                    "identifier": "pkg:pypi/requests@2.31.0",
                },
            ],
            "creationInfo": ci,
        },
        {
            "type": "software_Package",
            "spdxId": NS + "urllib3",
            "name": "urllib3",
            "software_packageVersion": "2.0.0",
            "creationInfo": ci,
        },
        {
            "type": "software_File",
            "spdxId": NS + "wheel",
            "name": "./dist/shop_backend-1.4.0-py3-none-any.whl",
            "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": samples.SHA256_FILE}],
            "creationInfo": ci,
        },
        {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": NS + "lic-django",
            "simplelicensing_licenseExpression": "BSD-3-Clause",
            "creationInfo": ci,
        },
        {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": NS + "lic-declared",
            "simplelicensing_licenseExpression": "MIT OR Apache-2.0",
            "creationInfo": ci,
        },
        {
            "type": "expandedlicensing_CustomLicense",
            "spdxId": NS + "LicenseRef-Inhouse",
            "name": "In-house",
            "creationInfo": ci,
        },
        *[
            {
                "type": "Relationship",
                "spdxId": NS + f"rel-{i}",
                "from": NS + source,
                "relationshipType": kind,
                "to": [t if t.startswith(("http", "_")) else NS + t for t in targets],
                "creationInfo": ci,
            }
            for i, (source, kind, targets) in enumerate(
                [
                    ("doc", "describes", ["app"]),
                    ("app", "dependsOn", ["django", "requests"]),
                    ("requests", "dependsOn", ["urllib3", "urllib3"]),
                    ("app", "contains", ["wheel"]),
                    ("app", "hasDistributionArtifact", ["wheel"]),
                    ("app", "dependsOn", ["https://example.org/other/os"]),
                    ("django", "hasConcludedLicense", ["lic-django"]),
                    ("django", "hasDeclaredLicense", ["lic-declared"]),
                    ("requests", "hasDeclaredLicense", ["https://spdx.org/licenses/Apache-2.0"]),
                    (
                        "requests",
                        "hasConcludedLicense",
                        ["https://spdx.org/rdf/3.0.1/terms/Expanded/NoAssertionLicense"],
                    ),
                    (
                        "urllib3",
                        "hasDeclaredLicense",
                        ["https://spdx.org/licenses/MIT", "LicenseRef-Inhouse"],
                    ),
                    ("app", "dependsOn", ["https://spdx.org/rdf/3.0.1/terms/Core/NoneElement"]),
                ]
            )
        ],
    ]
    return copy.deepcopy({"@context": CONTEXT, "@graph": graph})


def rejected(document: dict[str, Any] | bytes) -> SbomError:
    data = document if isinstance(document, bytes) else orjson.dumps(document)
    with pytest.raises(SbomError) as info:
        parse_sbom(data)
    return info.value


@pytest.mark.parametrize("spec", ["3.0.0", "3.0.1"])
def test_spdx3_jsonld(spec):
    parsed = parse_sbom(orjson.dumps(spdx3(spec)))
    assert parsed.format == sbom_document.SPDX3_JSONLD == "spdx3-jsonld"
    assert parsed.spec_version == spec
    assert parsed.document_name == "shop-backend-1.4.0"
    comps = {c.ref.removeprefix(NS): c for c in parsed.components}
    assert list(comps) == ["app", "django", "requests", "urllib3"]
    app = comps["app"]
    assert (app.name, app.version, app.ecosystem, app.licences, app.kind) == (
        "shop-backend",
        "1.4.0",
        None,
        "",
        "package",
    )
    django = comps["django"]
    assert (django.ecosystem, django.name, django.version, django.purl) == (
        "PyPI",
        "django",
        "4.2.1",
        "pkg:pypi/django@4.2.1",
    )
    assert django.licences == "BSD-3-Clause"  # concluded wins over declared
    assert django.hashes == {"sha256": samples.SHA256_DJANGO, "sha3-256": samples.SHA256_FILE}
    assert django.supplier == "Django Software Foundation"
    requests = comps["requests"]
    # The purl from the packageUrl external identifier, the version from the purl.
    assert (requests.ecosystem, requests.name, requests.version) == ("PyPI", "requests", "2.31.0")
    assert requests.licences == "Apache-2.0"  # concluded NoAssertion → declared listed licence
    assert comps["urllib3"].licences == "MIT AND LicenseRef-Inhouse"
    assert parsed.file_hashes == {"./dist/shop_backend-1.4.0-py3-none-any.whl": samples.SHA256_FILE}
    # Package → package dependencies only; duplicates collapse; imported and None ends dropped.
    assert [(a.removeprefix(NS), b.removeprefix(NS)) for a, b in parsed.dependencies] == [
        ("app", "django"),
        ("app", "requests"),
        ("requests", "urllib3"),
    ]


def test_jsonld_keywords_and_inline_supplier_are_accepted():
    document = spdx3()
    for node in document["@graph"]:
        if "spdxId" in node:
            node["@id"] = node.pop("spdxId")
        node["@type"] = node.pop("type")
    django = next(n for n in document["@graph"] if n.get("@id") == NS + "django")
    django["suppliedBy"] = {"type": "Organization", "name": "DSF inline"}
    parsed = parse_sbom(orjson.dumps(document))
    assert len(parsed.components) == 4
    assert parsed.components[1].supplier == "DSF inline"


def test_spdx2_documents_keep_working():
    for spec in ("SPDX-2.2", "SPDX-2.3"):
        assert parse_sbom(samples.to_json(samples.spdx(spec))).spec_version == spec
        assert parse_sbom(samples.to_tag_value(samples.spdx(spec))).spec_version == spec


def _node(document: dict[str, Any], suffix: str) -> dict[str, Any]:
    return next(n for n in document["@graph"] if n.get("spdxId") == NS + suffix)


def _change(change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    document = spdx3()
    change(document)
    return document


BREAKAGES = {
    "other context": (
        lambda d: d.update({"@context": "https://schema.org/"}),
        "@context",
        "does not use the SPDX 3.0 context",
    ),
    "context object": (
        lambda d: d.update({"@context": {"@vocab": "http://evil/"}}),
        "@context",
        "does not use",
    ),
    "graph not a list": (lambda d: d.update({"@graph": {}}), "@graph", "Must be a list."),
    "no creation info": (lambda d: d["@graph"].pop(0), "@graph.CreationInfo", "Required field specVersion"),
    "spec version 2.3": (
        lambda d: d["@graph"][0].update(specVersion="2.3"),
        "@graph.CreationInfo.specVersion",
        "SPDX 2.3 is not supported; use SPDX 3.0.0 or 3.0.1.",
    ),
    "element not an object": (lambda d: d["@graph"].append("x"), "@graph[25]", "Must be an object."),
    "element without type": (lambda d: _node(d, "app").pop("type"), "@graph[5].type", "Required field type"),
    "duplicate id": (
        lambda d: _node(d, "urllib3").update(spdxId=NS + "django"),
        "@graph[8].spdxId",
        "Duplicate SPDXID",
    ),
    "package without name": (
        lambda d: _node(d, "urllib3").pop("name"),
        "@graph[8].name",
        "Required field name",
    ),
    "package without id": (
        lambda d: _node(d, "urllib3").pop("spdxId"),
        "@graph[8].spdxId",
        "Required field spdxId",
    ),
    "bad purl": (
        lambda d: _node(d, "django").update(software_packageUrl="pkg:"),
        "@graph[6].software_packageUrl",
        "Component Django has an invalid package URL",
    ),
    "hash not hex": (
        lambda d: _node(d, "django")["verifiedUsing"][0].update(hashValue="zz"),
        "@graph[6].verifiedUsing[0].hashValue",
        "The sha256 hash is not a valid hexadecimal digest.",
    ),
    "relationship to nowhere": (
        lambda d: _node(d, "rel-1")["to"].append(NS + "ghost"),
        "@graph[14]",
        "Relationship refers to unknown element https://example.com/shop-backend/ghost.",
    ),
    "licence to nowhere": (
        lambda d: _node(d, "rel-6").update(to=[NS + "ghost-licence"]),
        "@graph[19]",
        "Relationship refers to unknown element",
    ),
    "to holds a number": (lambda d: _node(d, "rel-1").update(to=[5]), "@graph[14].to", "Must be a list."),
    "relationship without from": (
        lambda d: _node(d, "rel-1").pop("from"),
        "@graph[14].from",
        "Required field from",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_invalid_spdx3_names_the_place(case):
    change, location, message = BREAKAGES[case]
    error = rejected(_change(change))
    assert error.location == location
    assert message in error.message


def test_spdx3_hostile_inputs():
    data = orjson.dumps(spdx3())
    # Truncated anywhere: malformed JSON, nothing returned.
    for cut in (10, len(data) // 2, len(data) - 1):
        assert rejected(data[:cut]).message.startswith("Malformed JSON")
    # Deep nesting beyond orjson's limit, inside an element.
    deep = b'{"@context": "' + CONTEXT.encode() + b'", "@graph": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    assert rejected(deep).message.startswith("Malformed JSON")
    # The context is never fetched: a remote context of another vocabulary is refused by name.
    assert "SPDX 3.0 context" in rejected({"@context": "http://127.0.0.1:9/ctx.jsonld", "@graph": []}).message
    # A self-dependency is no edge; a relationship cycle is kept as edges (the graph is the document's).
    document = spdx3()
    _node(document, "rel-1")["to"].append(NS + "app")
    assert (NS + "app", NS + "app") not in parse_sbom(orjson.dumps(document)).dependencies


def test_spdx3_component_cap(monkeypatch):
    monkeypatch.setattr(sbom_document, "MAX_COMPONENTS", 3)
    error = rejected(spdx3())
    assert "more than 3 components" in error.message
    assert error.location == "@graph[8]"
