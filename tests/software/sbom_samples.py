"""Small SBOM documents built in code for the parser tests (and a large generated one for timing).

Each builder returns a fresh dict that a test may break on purpose; the serialisers turn the same
structure into CycloneDX XML and SPDX tag-value, so every format is tested on identical content.
"""

from __future__ import annotations

import copy
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

SHA256_APP = "a" * 64
SHA256_DJANGO = "0123456789abcdef" * 4
SHA1_DJANGO = "0123456789abcdef01234567" + "89abcdef01234567"
SHA256_FILE = "fedcba9876543210" * 4


# ------------------------------------------------------------------------------- CycloneDX


def cyclonedx(spec_version: str = "1.5") -> dict[str, Any]:
    """A shop front end: four libraries (one nested in a bundle), a delivered file, a service."""
    return copy.deepcopy(
        {
            "bomFormat": "CycloneDX",
            "specVersion": spec_version,
            "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "version": 1,
            "metadata": {
                "component": {
                    "type": "application",
                    "bom-ref": "root",
                    "name": "shop-frontend",
                    "version": "2.1.0",
                }
            },
            "components": [
                {
                    "type": "library",
                    "bom-ref": "pkg:pypi/django@4.2.1",
                    "name": "Django",
                    "version": "4.2.1",
                    "purl": "pkg:pypi/django@4.2.1",
                    "supplier": {"name": "Django Software Foundation"},
                    "licenses": [{"license": {"id": "BSD-3-Clause"}}],
                    "hashes": [
                        {"alg": "SHA-256", "content": SHA256_DJANGO.upper()},
                        {"alg": "SHA-1", "content": SHA1_DJANGO},
                    ],
                },
                {
                    "type": "library",
                    "bom-ref": "log4j",
                    "group": "org.apache.logging.log4j",
                    "name": "log4j-core",
                    "version": "2.14.1",
                    "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                    "publisher": "The Apache Software Foundation",
                    "licenses": [{"expression": "Apache-2.0 OR MIT"}],
                },
                {
                    "type": "library",
                    "bom-ref": "angular",
                    "group": "@angular",
                    "name": "core",
                    "purl": "pkg:npm/%40angular/core@15.0.0",
                    "licenses": [{"license": {"id": "MIT"}}, {"license": {"name": "Custom Licence 1.0"}}],
                },
                {
                    "type": "library",
                    "bom-ref": "bundle",
                    "name": "vendor-bundle",
                    "version": "1",
                    "components": [
                        {
                            "type": "library",
                            "bom-ref": "lodash",
                            "name": "lodash",
                            "version": "4.17.20",
                            "purl": "pkg:npm/lodash@4.17.20",
                        }
                    ],
                },
                {
                    "type": "library",
                    "bom-ref": "gh",
                    "name": "left-pad",
                    "version": "1.0.0",
                    "purl": "pkg:github/someone/left-pad@1.0.0",
                },
                {
                    "type": "file",
                    "bom-ref": "file-1",
                    "name": "shop-frontend-2.1.0.tar.gz",
                    "hashes": [{"alg": "SHA-256", "content": SHA256_FILE}],
                },
            ],
            "services": [{"bom-ref": "svc-payments", "name": "payments"}],
            "dependencies": [
                {"ref": "root", "dependsOn": ["pkg:pypi/django@4.2.1", "bundle", "svc-payments"]},
                {"ref": "pkg:pypi/django@4.2.1", "dependsOn": ["log4j", "angular"]},
                {"ref": "bundle", "dependsOn": ["lodash"]},
                {"ref": "lodash", "dependsOn": []},
            ],
        }
    )


def to_json(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document)


def _xml_component(comp: dict[str, Any], tag: str = "component") -> str:
    attrs = f" type={quoteattr(comp['type'])}" if "type" in comp else ""
    if "bom-ref" in comp:
        attrs += f" bom-ref={quoteattr(comp['bom-ref'])}"
    parts = []
    if "supplier" in comp:
        parts.append(f"<supplier><name>{escape(comp['supplier']['name'])}</name></supplier>")
    for key in ("publisher", "group", "name", "version"):
        if key in comp:
            parts.append(f"<{key}>{escape(comp[key])}</{key}>")
    if "hashes" in comp:
        hashes = "".join(
            f"<hash alg={quoteattr(h['alg'])}>{escape(h['content'])}</hash>" for h in comp["hashes"]
        )
        parts.append(f"<hashes>{hashes}</hashes>")
    if "licenses" in comp:
        entries = []
        for entry in comp["licenses"]:
            if "expression" in entry:
                entries.append(f"<expression>{escape(entry['expression'])}</expression>")
            else:
                ((key, value),) = entry["license"].items()
                entries.append(f"<license><{key}>{escape(value)}</{key}></license>")
        parts.append(f"<licenses>{''.join(entries)}</licenses>")
    if "purl" in comp:
        parts.append(f"<purl>{escape(comp['purl'])}</purl>")
    if "components" in comp:
        parts.append(f"<components>{''.join(_xml_component(c) for c in comp['components'])}</components>")
    return f"<{tag}{attrs}>{''.join(parts)}</{tag}>"


def to_xml(document: dict[str, Any]) -> bytes:
    """The same CycloneDX content as XML (the subset the sample uses)."""
    ns = f"http://cyclonedx.org/schema/bom/{document['specVersion']}"
    body = []
    if "metadata" in document:
        body.append(f"<metadata>{_xml_component(document['metadata']['component'])}</metadata>")
    if "components" in document:
        body.append(f"<components>{''.join(_xml_component(c) for c in document['components'])}</components>")
    if "services" in document:
        services = "".join(
            f"<service bom-ref={quoteattr(s['bom-ref'])}><name>{escape(s['name'])}</name></service>"
            for s in document["services"]
        )
        body.append(f"<services>{services}</services>")
    if "dependencies" in document:
        deps = "".join(
            f"<dependency ref={quoteattr(d['ref'])}>"
            + "".join(f"<dependency ref={quoteattr(c)}/>" for c in d.get("dependsOn", []))
            + "</dependency>"
            for d in document["dependencies"]
        )
        body.append(f"<dependencies>{deps}</dependencies>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="{ns}" version="1">\n'
        + "\n".join(body)
        + "\n</bom>\n"
    ).encode()


def large_cyclonedx(count: int = 10_000) -> dict[str, Any]:
    """`count` components over PyPI, npm and Maven, each with licence, hash and supplier; a dependency chain."""
    components = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            name, purl, group = f"package-{i}", f"pkg:pypi/package-{i}@1.{i % 50}.{i % 7}", ""
        elif kind == 1:
            name, purl, group = f"lib{i}", f"pkg:npm/%40scope{i % 20}/lib{i}@{i % 9}.2.3", f"@scope{i % 20}"
        else:
            name, purl, group = (
                f"artifact-{i}",
                f"pkg:maven/org.example.g{i % 30}/artifact-{i}@3.{i % 11}.0",
                (f"org.example.g{i % 30}"),
            )
        comp: dict[str, Any] = {
            "type": "library",
            "bom-ref": purl,
            "name": name,
            "version": purl.rsplit("@", 1)[1],
            "purl": purl,
            "supplier": {"name": f"Supplier {i % 100}"},
            "licenses": [{"license": {"id": ("MIT", "Apache-2.0", "BSD-3-Clause")[i % 3]}}],
            "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
        }
        if group:
            comp["group"] = group
        components.append(comp)
    dependencies = [
        {"ref": components[i]["bom-ref"], "dependsOn": [c["bom-ref"] for c in components[i + 1 : i + 3]]}
        for i in range(count)
    ]
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "big-product", "version": "1.0"}},
        "components": components,
        "dependencies": dependencies,
    }


# ------------------------------------------------------------------------------------ SPDX


def spdx(spec_version: str = "SPDX-2.3") -> dict[str, Any]:
    """An application package with three dependencies and a delivered file."""
    return copy.deepcopy(
        {
            "spdxVersion": spec_version,
            "dataLicense": "CC0-1.0",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "shop-backend-1.4.0",
            "documentNamespace": "https://example.com/spdx/shop-backend-1.4.0",
            "creationInfo": {"created": "2024-05-01T00:00:00Z", "creators": ["Tool: example"]},
            "packages": [
                {
                    "SPDXID": "SPDXRef-App",
                    "name": "shop-backend",
                    "versionInfo": "1.4.0",
                    "downloadLocation": "NOASSERTION",
                    "licenseConcluded": "NOASSERTION",
                    "supplier": "Organization: Example Vendor K.K.",
                },
                {
                    "SPDXID": "SPDXRef-Package-django",
                    "name": "Django",
                    "versionInfo": "4.2.1",
                    "downloadLocation": "NOASSERTION",
                    "licenseConcluded": "BSD-3-Clause",
                    "licenseDeclared": "MIT",
                    "supplier": "Person: Jane Doe (jane@example.com)",
                    "checksums": [{"algorithm": "SHA256", "checksumValue": SHA256_DJANGO}],
                    "externalRefs": [
                        {
                            "referenceCategory": "SECURITY",
                            "referenceType": "cpe23Type",
                            "referenceLocator": "cpe:2.3:a:djangoproject:django:4.2.1:*:*:*:*:*:*:*",
                        },
                        {
                            "referenceCategory": "PACKAGE-MANAGER",
                            "referenceType": "purl",
                            "referenceLocator": "pkg:pypi/django@4.2.1",
                        },
                    ],
                },
                {
                    "SPDXID": "SPDXRef-Package-requests",
                    "name": "requests",
                    "versionInfo": "2.31.0",
                    "downloadLocation": "NOASSERTION",
                    "licenseConcluded": "NOASSERTION",
                    "licenseDeclared": "Apache-2.0",
                    "supplier": "NOASSERTION",
                    "externalRefs": [
                        {
                            "referenceCategory": "PACKAGE-MANAGER",
                            "referenceType": "purl",
                            "referenceLocator": "pkg:pypi/requests@2.31.0",
                        }
                    ],
                },
                {
                    "SPDXID": "SPDXRef-Package-urllib3",
                    "name": "urllib3",
                    "versionInfo": "1.26.5",
                    "downloadLocation": "NOASSERTION",
                    "licenseConcluded": "NOASSERTION",
                    "licenseDeclared": "NOASSERTION",
                    "externalRefs": [
                        {
                            "referenceCategory": "PACKAGE-MANAGER",
                            "referenceType": "purl",
                            "referenceLocator": "pkg:pypi/urllib3@1.26.5",
                        }
                    ],
                },
            ],
            "files": [
                {
                    "SPDXID": "SPDXRef-File-wheel",
                    "fileName": "./dist/shop_backend-1.4.0-py3-none-any.whl",
                    "checksums": [
                        {"algorithm": "SHA1", "checksumValue": SHA1_DJANGO},
                        {"algorithm": "SHA256", "checksumValue": SHA256_FILE},
                    ],
                },
                {
                    "SPDXID": "SPDXRef-File-readme",
                    "fileName": "./README.md",
                    "checksums": [{"algorithm": "SHA1", "checksumValue": SHA1_DJANGO}],
                },
            ],
            "relationships": [
                {
                    "spdxElementId": "SPDXRef-DOCUMENT",
                    "relationshipType": "DESCRIBES",
                    "relatedSpdxElement": "SPDXRef-App",
                },
                {
                    "spdxElementId": "SPDXRef-App",
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": "SPDXRef-Package-django",
                },
                {
                    "spdxElementId": "SPDXRef-App",
                    "relationshipType": "CONTAINS",
                    "relatedSpdxElement": "SPDXRef-Package-requests",
                },
                {
                    "spdxElementId": "SPDXRef-Package-urllib3",
                    "relationshipType": "DEPENDENCY_OF",
                    "relatedSpdxElement": "SPDXRef-Package-requests",
                },
                {
                    "spdxElementId": "SPDXRef-App",
                    "relationshipType": "CONTAINS",
                    "relatedSpdxElement": "SPDXRef-File-wheel",
                },
                {
                    "spdxElementId": "SPDXRef-App",
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": "DocumentRef-other:SPDXRef-thing",
                },
            ],
        }
    )


def to_tag_value(document: dict[str, Any]) -> bytes:
    """The same SPDX content as tag-value, with a comment and a multi-line <text> block."""
    lines = [
        f"SPDXVersion: {document['spdxVersion']}",
        "DataLicense: CC0-1.0",
        f"SPDXID: {document['SPDXID']}",
        f"DocumentName: {document['name']}",
        f"DocumentNamespace: {document['documentNamespace']}",
        "Creator: Tool: example",
        "Created: 2024-05-01T00:00:00Z",
        "DocumentComment: <text>Delivered with release 1.4.0.",
        "Second line: of the comment</text>",
        "",
        "# Packages",
    ]
    tv_names = {
        "versionInfo": "PackageVersion",
        "supplier": "PackageSupplier",
        "downloadLocation": "PackageDownloadLocation",
        "licenseConcluded": "PackageLicenseConcluded",
        "licenseDeclared": "PackageLicenseDeclared",
    }
    for package in document["packages"]:
        lines += [f"PackageName: {package['name']}", f"SPDXID: {package['SPDXID']}"]
        for key, tag in tv_names.items():
            if key in package:
                lines.append(f"{tag}: {package[key]}")
        for checksum in package.get("checksums", []):
            lines.append(f"PackageChecksum: {checksum['algorithm']}: {checksum['checksumValue']}")
        for ref in package.get("externalRefs", []):
            lines.append(
                f"ExternalRef: {ref['referenceCategory']} {ref['referenceType']} {ref['referenceLocator']}"
            )
        lines.append("")
    for entry in document.get("files", []):
        lines += [f"FileName: {entry['fileName']}", f"SPDXID: {entry['SPDXID']}"]
        for checksum in entry.get("checksums", []):
            lines.append(f"FileChecksum: {checksum['algorithm']}: {checksum['checksumValue']}")
        lines.append("")
    for rel in document.get("relationships", []):
        lines.append(
            f"Relationship: {rel['spdxElementId']} {rel['relationshipType']} {rel['relatedSpdxElement']}"
        )
    return ("\n".join(lines) + "\n").encode()
