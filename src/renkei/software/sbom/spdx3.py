"""SPDX 3.0 reader (JSON-LD serialisation) for `parsing.parse_sbom`.

The document is read as the plain JSON it is: an object with the SPDX 3.0 `@context` and a
`@graph` of elements, each with `type` and `spdxId` (the context's aliases of `@type`/`@id`; the
JSON-LD keywords are accepted as well). The context is checked by name and never fetched.

What we take: every `software_Package` (name, `software_packageVersion`, the purl from
`software_packageUrl` or else the first `packageUrl` external identifier, the `verifiedUsing`
hashes, the supplier's name), SHA-256 hashes of `software_File`s, the licences given by
`hasConcludedLicense` (else `hasDeclaredLicense`) relationships — to a licence expression, a
listed licence or a custom licence — and dependencies between packages: `dependsOn`, `contains`,
`hasOptionalDependency`, `hasProvidedDependency`, `hasStaticLink` and `hasDynamicLink`, from →
each of to. Relationships naming an element that is neither in the graph, nor imported by the
document, nor one of SPDX's own individuals (NoneElement …) are refused.
"""

from __future__ import annotations

from typing import Any

from renkei.software.sbom.document import (
    SPDX3_JSONLD,
    SPDX3_VERSIONS,
    ParsedComponent,
    ParsedSbom,
    SbomError,
    check_component_count,
    check_hash,
    combine_licences,
    gettext_noop,
    licence_id_from_name,
    opt_list,
    opt_str,
    purl_identity,
    req_str,
    type_error,
)

_DEPENDENCY_TYPES = frozenset(
    {
        "dependsOn",
        "contains",
        "hasOptionalDependency",
        "hasProvidedDependency",
        "hasStaticLink",
        "hasDynamicLink",
    }
)
_LICENCE_TYPES = ("hasConcludedLicense", "hasDeclaredLicense")
_LISTED_PREFIXES = ("https://spdx.org/licenses/", "http://spdx.org/licenses/")
# SPDX's own individuals (NoneElement, NoAssertionLicense …) live under the model's namespace.
_SPDX_TERMS = ("https://spdx.org/rdf/3.0", "http://spdx.org/rdf/3.0")
_NO_LICENCE_SUFFIXES = ("NoAssertionLicense", "NoneLicense")
_AGENT_TYPES = frozenset({"Agent", "Organization", "Person", "SoftwareAgent"})
# SPDX 3 HashAlgorithm names → ours (`document.HASH_LENGTHS`).
_HASH_ALGS = {
    "sha3_256": "sha3-256",
    "sha3_384": "sha3-384",
    "sha3_512": "sha3-512",
    "blake2b256": "blake2b-256",
    "blake2b384": "blake2b-384",
    "blake2b512": "blake2b-512",
}


def _type(node: dict[str, Any], path: str) -> str:
    value = node.get("type", node.get("@type"))
    if type(value) is not str or not value:
        raise SbomError(gettext_noop("Required field {field} is missing."), f"{path}.type", field="type")
    return value


def _node_id(node: dict[str, Any], path: str) -> str:
    for key in ("spdxId", "@id"):
        if key in node:
            return req_str(node, key, path)
    return ""


def _check_context(document: dict[str, Any]) -> None:
    context = document.get("@context")
    names = context if type(context) is list else [context]
    if not any(type(name) is str and any(t in name for t in ("spdx.org/rdf/3.0",)) for name in names):
        raise SbomError(gettext_noop("This JSON-LD document does not use the SPDX 3.0 context."), "@context")


def _hashes(node: dict[str, Any], path: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for i, entry in enumerate(opt_list(node, "verifiedUsing", path)):
        hpath = f"{path}.verifiedUsing[{i}]"
        if type(entry) is not dict:
            raise type_error("object", hpath)
        if _type(entry, hpath) != "Hash":
            continue  # a PackageVerificationCode or another integrity method
        raw = req_str(entry, "algorithm", hpath).strip()
        alg = _HASH_ALGS.get(raw, raw.lower())
        hashes[alg] = check_hash(alg, req_str(entry, "hashValue", hpath).strip(), f"{hpath}.hashValue")
    return hashes


def _purl(node: dict[str, Any], path: str) -> tuple[str, str]:
    purl = opt_str(node, "software_packageUrl", path).strip()
    if purl:
        return purl, f"{path}.software_packageUrl"
    for i, entry in enumerate(opt_list(node, "externalIdentifier", path)):
        epath = f"{path}.externalIdentifier[{i}]"
        if type(entry) is not dict:
            raise type_error("object", epath)
        if opt_str(entry, "externalIdentifierType", epath) == "packageUrl":
            return req_str(entry, "identifier", epath).strip(), f"{epath}.identifier"
    return "", ""


class _Graph:
    """The elements of the graph by id, read once; packages kept in document order."""

    def __init__(self, graph: list[Any]) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.types: dict[str, str] = {}
        self.packages: list[tuple[str, dict[str, Any], str]] = []
        self.files: list[tuple[dict[str, Any], str]] = []
        self.relationships: list[tuple[dict[str, Any], str]] = []
        self.spec_versions: set[str] = set()
        self.document_name = ""
        self.imports: set[str] = set()
        for i, node in enumerate(graph):
            path = f"@graph[{i}]"
            if type(node) is not dict:
                raise type_error("object", path)
            kind = _type(node, path)
            if kind == "CreationInfo":
                self.spec_versions.add(req_str(node, "specVersion", path))
                continue
            element_id = _node_id(node, path)
            if element_id:
                if element_id in self.nodes:
                    raise SbomError(gettext_noop("Duplicate SPDXID {id}."), f"{path}.spdxId", id=element_id)
                self.nodes[element_id] = node
                self.types[element_id] = kind
            if kind == "software_Package":
                if not element_id:
                    raise SbomError(
                        gettext_noop("Required field {field} is missing."), f"{path}.spdxId", field="spdxId"
                    )
                self.packages.append((element_id, node, path))
                check_component_count(len(self.packages), path)
            elif kind == "software_File":
                self.files.append((node, path))
            elif kind == "Relationship" or kind.endswith("_LifecycleScopedRelationship"):
                self.relationships.append((node, path))
            elif kind == "SpdxDocument":
                self.document_name = self.document_name or opt_str(node, "name", path)
                for j, entry in enumerate(opt_list(node, "import", path)):
                    if type(entry) is dict:
                        self.imports.add(req_str(entry, "externalSpdxId", f"{path}.import[{j}]"))

    def known(self, element: str) -> bool:
        return element in self.nodes or element in self.imports or element.startswith(_SPDX_TERMS)

    def licence(self, target: str) -> str | None:
        """The SPDX licence expression a licence relationship points to; "" for none, None if unknown."""
        node = self.nodes.get(target)
        if node is None:
            if target.startswith(_LISTED_PREFIXES):
                return target.rsplit("/", 1)[1]
            if target.startswith(_SPDX_TERMS):
                return "" if target.endswith(_NO_LICENCE_SUFFIXES) else None
            return None
        kind = self.types[target]
        if kind == "simplelicensing_LicenseExpression":
            return str(node.get("simplelicensing_licenseExpression") or "").strip()
        if kind == "expandedlicensing_ListedLicense":
            return target.rsplit("/", 1)[1] if target.startswith(_LISTED_PREFIXES) else None
        if kind == "expandedlicensing_CustomLicense":
            tail = target.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            return (
                tail
                if tail.startswith("LicenseRef-")
                else licence_id_from_name(str(node.get("name") or tail))
            )
        return None

    def supplier(self, node: dict[str, Any], path: str) -> str:
        value = node.get("suppliedBy")
        if value is None:
            return ""
        if type(value) is dict:
            return opt_str(value, "name", f"{path}.suppliedBy")
        if type(value) is not str:
            raise type_error("string", f"{path}.suppliedBy")
        agent = self.nodes.get(value)
        if agent is None or self.types.get(value) not in _AGENT_TYPES:
            return ""
        return opt_str(agent, "name", value)


def _endpoints(rel: dict[str, Any], path: str) -> tuple[str, list[str]]:
    source = req_str(rel, "from", path)
    targets = rel.get("to")
    if type(targets) is str:
        targets = [targets]
    if type(targets) is not list or not all(type(t) is str for t in targets):
        raise type_error("list", f"{path}.to")
    return source, targets


def parse_jsonld(document: dict[str, Any]) -> ParsedSbom:
    """Read a decoded SPDX 3.0 JSON-LD document (see the module docstring for what is kept)."""
    _check_context(document)
    graph = document.get("@graph")
    if type(graph) is not list:
        raise type_error("list", "@graph")
    elements = _Graph(graph)
    if not elements.spec_versions:
        raise SbomError(
            gettext_noop("Required field {field} is missing."), "@graph.CreationInfo", field="specVersion"
        )
    unsupported = sorted(elements.spec_versions - set(SPDX3_VERSIONS))
    if unsupported:
        raise SbomError(
            gettext_noop("SPDX {version} is not supported; use SPDX 3.0.0 or 3.0.1."),
            "@graph.CreationInfo.specVersion",
            version=unsupported[0],
        )
    package_ids = {element_id for element_id, _, _ in elements.packages}
    licences: dict[str, dict[str, list[str]]] = {}
    edges: dict[tuple[str, str], None] = {}
    for rel, path in elements.relationships:
        kind = req_str(rel, "relationshipType", path)
        source, targets = _endpoints(rel, path)
        if kind in _LICENCE_TYPES:
            for target in targets:
                expression = elements.licence(target)
                if expression is None:
                    raise SbomError(
                        gettext_noop("Relationship refers to unknown element {element}."),
                        path,
                        element=target,
                    )
                if expression:
                    licences.setdefault(source, {}).setdefault(kind, []).append(expression)
            continue
        for element in (source, *targets):
            if not elements.known(element):
                raise SbomError(
                    gettext_noop("Relationship refers to unknown element {element}."), path, element=element
                )
        if kind in _DEPENDENCY_TYPES and source in package_ids:
            for target in targets:
                if target in package_ids and target != source:
                    edges[(source, target)] = None
    components: list[ParsedComponent] = []
    for element_id, node, path in elements.packages:
        name = req_str(node, "name", path)
        version = opt_str(node, "software_packageVersion", path).strip()
        purl, purl_location = _purl(node, path)
        ecosystem = None
        if purl:
            ecosystem, purl_name, purl_version = purl_identity(purl, component=name, location=purl_location)
            name = purl_name or name
            version = version or purl_version
        given = licences.get(element_id, {})
        chosen = given.get("hasConcludedLicense") or given.get("hasDeclaredLicense") or []
        components.append(
            ParsedComponent(
                ref=element_id,
                name=name,
                version=version,
                purl=purl,
                ecosystem=ecosystem,
                licences=combine_licences(chosen),
                hashes=_hashes(node, path),
                supplier=elements.supplier(node, path),
                kind="package",
            )
        )
    file_hashes: dict[str, str] = {}
    for node, path in elements.files:
        sha256 = _hashes(node, path).get("sha256")
        if sha256:
            file_hashes[req_str(node, "name", path)] = sha256
    return ParsedSbom(
        format=SPDX3_JSONLD,
        spec_version=sorted(elements.spec_versions)[-1],
        document_name=elements.document_name,
        components=components,
        dependencies=list(edges),
        file_hashes=file_hashes,
    )
