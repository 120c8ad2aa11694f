"""SPDX 2.2/2.3 readers (JSON and tag-value) for `sbom.parse_sbom`.

What we take: packages (SPDXID, name, versionInfo, the first `purl` external reference,
licenseConcluded or else licenseDeclared — NOASSERTION/NONE count as no licence — checksums,
supplier), SHA-256 checksums of `files`, and relationships between packages:
DEPENDS_ON and CONTAINS as parent → child, DEPENDENCY_OF, the *_DEPENDENCY_OF variants and
CONTAINED_BY reversed to parent → child. CONTAINS is kept as a dependency because tools such as
syft describe a whole image or project with it alone; relationships touching files, snippets, the
document or other documents (DESCRIBES …) are checked for dangling ids and otherwise ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from renkei.software.sbom.document import (
    SPDX_JSON,
    SPDX_TAG_VALUE,
    SPDX_VERSIONS,
    ParsedComponent,
    ParsedSbom,
    SbomError,
    check_component_count,
    check_hash,
    gettext_noop,
    normalise_hash_alg,
    opt_list,
    opt_str,
    purl_identity,
    req_str,
    type_error,
)

_FORWARD = frozenset({"DEPENDS_ON", "CONTAINS"})
_REVERSE = frozenset(
    {
        "DEPENDENCY_OF",
        "BUILD_DEPENDENCY_OF",
        "DEV_DEPENDENCY_OF",
        "OPTIONAL_DEPENDENCY_OF",
        "PROVIDED_DEPENDENCY_OF",
        "TEST_DEPENDENCY_OF",
        "RUNTIME_DEPENDENCY_OF",
        "CONTAINED_BY",
    }
)
_NO_LICENCE = frozenset({"", "NOASSERTION", "NONE"})
_SUPPLIER_PREFIXES = ("Organization:", "Person:", "Tool:")
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@dataclass(slots=True)
class _Package:
    """A package as read, before its purl is resolved (locations kept for messages)."""

    spdx_id: str
    name: str
    location: str
    version: str = ""
    purl: str = ""
    purl_location: str = ""
    concluded: str = ""
    declared: str = ""
    hashes: dict[str, str] = field(default_factory=dict)
    supplier: str = ""


@dataclass(slots=True)
class _Relationship:
    element: str
    kind: str
    related: str
    location: str


def _unsupported_version(version: object, location: str) -> SbomError:
    return SbomError(
        gettext_noop("{version} is not supported; use SPDX-2.2 or SPDX-2.3."), location, version=str(version)
    )


def _supplier(value: str) -> str:
    value = value.strip()
    if value == "NOASSERTION":
        return ""
    for prefix in _SUPPLIER_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :].strip()
    return value


def _licence(concluded: str, declared: str) -> str:
    concluded, declared = concluded.strip(), declared.strip()
    if concluded not in _NO_LICENCE:
        return concluded
    return "" if declared in _NO_LICENCE else declared


def _build(
    packages: list[_Package],
    elements: dict[str, bool],
    relationships: list[_Relationship],
    *,
    fmt: str,
    spec_version: str,
    document_name: str,
    file_hashes: dict[str, str],
) -> ParsedSbom:
    components: list[ParsedComponent] = []
    for package in packages:
        ecosystem = None
        name, version = package.name, package.version
        if package.purl:
            ecosystem, purl_name, purl_version = purl_identity(
                package.purl, component=package.name, location=package.purl_location
            )
            name = purl_name or name
            version = version or purl_version
        components.append(
            ParsedComponent(
                ref=package.spdx_id,
                name=name,
                version=version,
                purl=package.purl,
                ecosystem=ecosystem,
                licences=_licence(package.concluded, package.declared),
                hashes=package.hashes,
                supplier=_supplier(package.supplier),
                kind="package",
            )
        )
    edges: dict[tuple[str, str], None] = {}
    for rel in relationships:
        for element in (rel.element, rel.related):
            if element not in elements and not (
                element.startswith("DocumentRef-") or element in ("NONE", "NOASSERTION")
            ):
                raise SbomError(
                    gettext_noop("Relationship refers to unknown element {element}."),
                    rel.location,
                    element=element,
                )
        if not (elements.get(rel.element) and elements.get(rel.related)):
            continue
        if rel.kind in _FORWARD:
            edges[(rel.element, rel.related)] = None
        elif rel.kind in _REVERSE:
            edges[(rel.related, rel.element)] = None
    return ParsedSbom(
        format=fmt,
        spec_version=spec_version,
        document_name=document_name,
        components=components,
        dependencies=list(edges),
        file_hashes=file_hashes,
    )


def _register(elements: dict[str, bool], spdx_id: str, *, is_package: bool, location: str) -> None:
    if spdx_id in elements:
        raise SbomError(gettext_noop("Duplicate SPDXID {id}."), location, id=spdx_id)
    elements[spdx_id] = is_package


# --------------------------------------------------------------------------------------- JSON


def _json_checksums(obj: dict[str, Any], path: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for i, entry in enumerate(opt_list(obj, "checksums", path)):
        cpath = f"{path}.checksums[{i}]"
        if type(entry) is not dict:
            raise type_error("object", cpath)
        alg = normalise_hash_alg(req_str(entry, "algorithm", cpath))
        hashes[alg] = check_hash(alg, req_str(entry, "checksumValue", cpath), f"{cpath}.checksumValue")
    return hashes


def parse_json(document: dict[str, Any]) -> ParsedSbom:
    """Read a decoded SPDX JSON document (see the module docstring for what is kept)."""
    spec_version = document.get("spdxVersion")
    if spec_version not in SPDX_VERSIONS:
        raise _unsupported_version(spec_version, "spdxVersion")
    elements: dict[str, bool] = {opt_str(document, "SPDXID", "") or "SPDXRef-DOCUMENT": False}
    packages: list[_Package] = []
    raw_packages = opt_list(document, "packages", "")
    check_component_count(len(raw_packages), "packages")
    for i, pkg in enumerate(raw_packages):
        path = f"packages[{i}]"
        if type(pkg) is not dict:
            raise type_error("object", path)
        spdx_id = req_str(pkg, "SPDXID", path)
        _register(elements, spdx_id, is_package=True, location=f"{path}.SPDXID")
        package = _Package(
            spdx_id=spdx_id,
            name=req_str(pkg, "name", path),
            location=path,
            version=opt_str(pkg, "versionInfo", path),
            concluded=opt_str(pkg, "licenseConcluded", path),
            declared=opt_str(pkg, "licenseDeclared", path),
            hashes=_json_checksums(pkg, path),
            supplier=opt_str(pkg, "supplier", path),
        )
        for j, ref in enumerate(opt_list(pkg, "externalRefs", path)):
            rpath = f"{path}.externalRefs[{j}]"
            if type(ref) is not dict:
                raise type_error("object", rpath)
            if opt_str(ref, "referenceType", rpath) == "purl" and not package.purl:
                package.purl = req_str(ref, "referenceLocator", rpath).strip()
                package.purl_location = f"{rpath}.referenceLocator"
        packages.append(package)
    file_hashes: dict[str, str] = {}
    for i, entry in enumerate(opt_list(document, "files", "")):
        path = f"files[{i}]"
        if type(entry) is not dict:
            raise type_error("object", path)
        _register(elements, req_str(entry, "SPDXID", path), is_package=False, location=f"{path}.SPDXID")
        name = req_str(entry, "fileName", path)
        sha256 = _json_checksums(entry, path).get("sha256")
        if sha256:
            file_hashes[name] = sha256
    for i, entry in enumerate(opt_list(document, "snippets", "")):
        path = f"snippets[{i}]"
        if type(entry) is not dict:
            raise type_error("object", path)
        _register(elements, req_str(entry, "SPDXID", path), is_package=False, location=f"{path}.SPDXID")
    relationships: list[_Relationship] = []
    for i, entry in enumerate(opt_list(document, "relationships", "")):
        path = f"relationships[{i}]"
        if type(entry) is not dict:
            raise type_error("object", path)
        relationships.append(
            _Relationship(
                element=req_str(entry, "spdxElementId", path),
                kind=req_str(entry, "relationshipType", path),
                related=req_str(entry, "relatedSpdxElement", path),
                location=path,
            )
        )
    return _build(
        packages,
        elements,
        relationships,
        fmt=SPDX_JSON,
        spec_version=str(spec_version),
        document_name=opt_str(document, "name", ""),
        file_hashes=file_hashes,
    )


# ---------------------------------------------------------------------------------- tag-value

_PACKAGE_TAGS = frozenset(
    {
        "PackageVersion",
        "PackageSupplier",
        "PackageChecksum",
        "PackageLicenseConcluded",
        "PackageLicenseDeclared",
        "ExternalRef",
    }
)


class _TagValueReader:
    """A line parser for SPDX tag-value; every error names its line."""

    def __init__(self) -> None:
        self.spec_version = ""
        self.document_name = ""
        self.elements: dict[str, bool] = {}
        self.packages: list[_Package] = []
        self.relationships: list[_Relationship] = []
        self.file_hashes: dict[str, str] = {}
        # The element the current tags describe: ("document" | "package" | "file" | "other", start line).
        self.section = "document"
        self.section_line = 0
        self.package: _Package | None = None
        self.file_name = ""
        self.file_id = ""
        self.file_sha256 = ""

    def close_section(self) -> None:
        if self.section == "package" and self.package is not None:
            if not self.package.spdx_id:
                raise SbomError(
                    gettext_noop("Package {name} has no SPDXID."),
                    self.package.location,
                    name=self.package.name,
                )
            self.packages.append(self.package)
            check_component_count(len(self.packages), self.package.location)
            self.package = None
        elif self.section == "file":
            if not self.file_id:
                raise SbomError(
                    gettext_noop("File {name} has no SPDXID."),
                    f"line {self.section_line}",
                    name=self.file_name,
                )
            if self.file_sha256:
                self.file_hashes[self.file_name] = self.file_sha256

    def open_section(self, section: str, line: int) -> None:
        self.close_section()
        self.section, self.section_line = section, line
        self.file_name = self.file_id = self.file_sha256 = ""

    def checksum(self, value: str, location: str) -> tuple[str, str]:
        alg, sep, digest = value.partition(":")
        if not sep or not alg.strip() or not digest.strip():
            raise SbomError(gettext_noop("A checksum must look like SHA256: <hex digest>."), location)
        alg = normalise_hash_alg(alg)
        return alg, check_hash(alg, digest.strip(), location)

    def tag(self, tag: str, value: str, line: int) -> None:
        location = f"line {line}"
        if not self.spec_version:
            if tag != "SPDXVersion":
                raise SbomError(gettext_noop("The document must start with SPDXVersion."), location)
            if value not in SPDX_VERSIONS:
                raise _unsupported_version(value, location)
            self.spec_version = value
            return
        if tag in _PACKAGE_TAGS:
            if self.package is None:
                raise SbomError(gettext_noop("{tag} appears outside a package."), location, tag=tag)
            self.package_tag(self.package, tag, value, location)
        elif tag == "SPDXID":
            if self.section == "package" and self.package is not None:
                self.package.spdx_id = value
            elif self.section == "file":
                self.file_id = value
            _register(self.elements, value, is_package=self.section == "package", location=location)
        elif tag == "PackageName":
            if not value:
                raise SbomError(gettext_noop("Required field {field} is empty."), location, field=tag)
            self.open_section("package", line)
            self.package = _Package(spdx_id="", name=value, location=location)
        elif tag == "FileName":
            if not value:
                raise SbomError(gettext_noop("Required field {field} is empty."), location, field=tag)
            self.open_section("file", line)
            self.file_name = value
        elif tag == "FileChecksum":
            if self.section != "file":
                raise SbomError(gettext_noop("{tag} appears outside a file."), location, tag=tag)
            alg, digest = self.checksum(value, location)
            if alg == "sha256":
                self.file_sha256 = digest
        elif tag == "SnippetSPDXID":
            self.open_section("other", line)
            _register(self.elements, value, is_package=False, location=location)
        elif tag == "LicenseID":
            self.open_section("other", line)
        elif tag == "DocumentName" and self.section == "document":
            self.document_name = value
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) != 3:
                raise SbomError(
                    gettext_noop("A relationship must look like: <SPDXID> <TYPE> <SPDXID>."), location
                )
            self.relationships.append(_Relationship(parts[0], parts[1], parts[2], location))

    def package_tag(self, package: _Package, tag: str, value: str, location: str) -> None:
        if tag == "PackageVersion":
            package.version = value
        elif tag == "PackageSupplier":
            package.supplier = value
        elif tag == "PackageLicenseConcluded":
            package.concluded = value
        elif tag == "PackageLicenseDeclared":
            package.declared = value
        elif tag == "PackageChecksum":
            alg, digest = self.checksum(value, location)
            package.hashes[alg] = digest
        elif tag == "ExternalRef":
            parts = value.split()
            if len(parts) != 3:
                raise SbomError(
                    gettext_noop("An external reference must look like: <CATEGORY> <TYPE> <LOCATOR>."),
                    location,
                )
            if parts[1] == "purl" and not package.purl:
                package.purl, package.purl_location = parts[2], location


def parse_tag_value(data: bytes) -> ParsedSbom:
    """Read an SPDX tag-value document; multi-line values are `<text>…</text>` blocks."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        raise SbomError(gettext_noop("The file is not UTF-8 text."), f"line {bad_line}") from None
    reader = _TagValueReader()
    # Split on newlines only (not str.splitlines' form feeds, U+2028 …) so line numbers match an editor's.
    lines = text.replace("\r\n", "\n").split("\n")
    index, count = 0, len(lines)
    while index < count:
        number = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep or not _TAG.fullmatch(tag):
            raise SbomError(gettext_noop("Expected a line of the form Tag: value."), f"line {number}")
        value = value.strip()
        if value.startswith("<text>"):
            body = value[6:]
            while "</text>" not in body:
                if index >= count:
                    raise SbomError(gettext_noop("This <text> block is never closed."), f"line {number}")
                body += "\n" + lines[index]
                index += 1
            value = body[: body.index("</text>")].strip()
        reader.tag(tag, value, number)
    reader.close_section()
    # The document's own id may be left implicit; relationships still name it.
    reader.elements.setdefault("SPDXRef-DOCUMENT", False)
    return _build(
        reader.packages,
        reader.elements,
        reader.relationships,
        fmt=SPDX_TAG_VALUE,
        spec_version=reader.spec_version,
        document_name=reader.document_name,
        file_hashes=reader.file_hashes,
    )
