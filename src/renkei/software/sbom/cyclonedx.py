"""CycloneDX 1.2–1.7 JSON reader (orjson) for `parsing.parse_sbom`, and what the XML reader
(`cyclonedx_xml.py`) shares with it.

What we take: every component (nested ones flattened, `metadata.component`'s own nested
components included), its bom-ref, name, version, purl, licences, hashes and supplier; the
dependency graph; SHA-256 hashes of components of type "file". `metadata.component` (the product
the BOM describes) is not a component itself: its bom-ref and services' bom-refs are valid
dependency targets, but edges touching them are dropped so every edge joins two components.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NoReturn

from renkei.software.sbom import document as sbom_document
from renkei.software.sbom.document import (
    CYCLONEDX_JSON,
    CYCLONEDX_VERSIONS,
    HASH_LENGTHS,
    HEX,
    ParsedComponent,
    ParsedSbom,
    SbomError,
    check_component_count,
    check_hash,
    combine_licences,
    gettext_noop,
    licence_id_from_name,
    normalise_hash_alg,
    opt_list,
    opt_str,
    purl_identity,
    req_str,
    type_error,
)

# The spellings of hash algorithms CycloneDX documents use, normalised once here.
_HASH_ALGS = {
    alg: normalise_hash_alg(alg)
    for alg in ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384", "SHA3-512")
}
NAMESPACE = re.compile(r"\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}(.*)")


class Collector:
    """Accumulates components, refs and file hashes while walking either representation."""

    def __init__(self) -> None:
        self.components: list[ParsedComponent] = []
        self.file_hashes: dict[str, str] = {}
        # bom-ref → True for components, False for refs that are valid targets but not components.
        self.refs: dict[str, bool] = {}

    def add_ref(self, ref: str, *, is_component: bool, location: str) -> None:
        if ref in self.refs:
            raise SbomError(gettext_noop("Duplicate bom-ref {ref}."), location, ref=ref)
        self.refs[ref] = is_component

    def add_component(
        self,
        *,
        kind: str,
        ref: str,
        name: str,
        group: str,
        version: str,
        purl: str,
        licences: list[str],
        hashes: dict[str, str],
        supplier: str,
        path: str,
    ) -> None:
        check_component_count(len(self.components) + 1, path)
        purl, version = purl.strip(), version.strip()
        if ref:
            self.add_ref(ref, is_component=True, location=f"{path}.bom-ref")
        display = f"{group}/{name}" if group else name
        ecosystem = None
        if purl:
            ecosystem, purl_name, purl_version = purl_identity(
                purl, component=display, location=f"{path}.purl"
            )
            if purl_name:
                display = purl_name
            version = version or purl_version
        if kind == "file" and "sha256" in hashes:
            self.file_hashes[name] = hashes["sha256"]
        self.components.append(
            ParsedComponent(
                ref=ref,
                name=display,
                version=version,
                purl=purl,
                ecosystem=ecosystem,
                licences=combine_licences(licences),
                hashes=hashes,
                supplier=supplier,
                kind=kind,
            )
        )

    def require(self, ref: str, location: str) -> bool:
        """Check a dependency's ref exists; whether it is a component's."""
        is_component = self.refs.get(ref)
        if is_component is None:
            raise SbomError(gettext_noop("Dependency refers to unknown bom-ref {ref}."), location, ref=ref)
        return is_component


def unsupported_version(version: object, location: str) -> SbomError:
    return SbomError(
        gettext_noop("CycloneDX {version} is not supported; use a version from 1.2 to 1.7."),
        location,
        version=str(version),
    )


# --------------------------------------------------------------------------------------- JSON


def _json_component(collector: Collector, comp: Any, path: str) -> list[Any]:
    """Add one component; return its nested components (unvisited)."""
    if type(comp) is not dict:
        raise type_error("object", path)
    kind = req_str(comp, "type", path)
    name = req_str(comp, "name", path)
    licences: list[str] = []
    for i, entry in enumerate(opt_list(comp, "licenses", path)):
        epath = f"{path}.licenses[{i}]"
        if type(entry) is not dict:
            raise type_error("object", epath)
        if "expression" in entry:
            licences.append(req_str(entry, "expression", epath).strip())
            continue
        lic = entry.get("license")
        if type(lic) is not dict:
            raise SbomError(gettext_noop("A licence entry needs a license or an expression."), epath)
        lpath = f"{epath}.license"
        lid = opt_str(lic, "id", lpath)
        if lid:
            licences.append(lid.strip())
        else:
            licences.append(licence_id_from_name(req_str(lic, "name", lpath)))
    hashes: dict[str, str] = {}
    for i, entry in enumerate(opt_list(comp, "hashes", path)):
        hpath = f"{path}.hashes[{i}]"
        if type(entry) is not dict:
            raise type_error("object", hpath)
        alg = normalise_hash_alg(req_str(entry, "alg", hpath))
        hashes[alg] = check_hash(alg, req_str(entry, "content", hpath), f"{hpath}.content")
    supplier = ""
    sup = comp.get("supplier")
    if sup is not None:
        if type(sup) is not dict:
            raise type_error("object", f"{path}.supplier")
        supplier = opt_str(sup, "name", f"{path}.supplier")
    supplier = supplier or opt_str(comp, "publisher", path)
    collector.add_component(
        kind=kind,
        ref=opt_str(comp, "bom-ref", path),
        name=name,
        group=opt_str(comp, "group", path),
        version=opt_str(comp, "version", path),
        purl=opt_str(comp, "purl", path),
        licences=licences,
        hashes=hashes,
        supplier=supplier,
        path=path,
    )
    return opt_list(comp, "components", path)


_NOTHING_NESTED: list[Any] = []


def _fast_json_component(collector: Collector, comp: Any) -> list[Any] | None:
    """Add one component of the common shape without building any location string, and return
    its nested components; None, having changed nothing, when anything is unusual or invalid.

    `_json_component` then reads the component again and raises the error naming the field.
    The checks are `_json_component`'s, in full; only the messages are left to it. A
    10,000-component document spent most of its reading time formatting locations (one per
    field, for an error that almost never comes) and calling one small helper per field.
    """
    if type(comp) is not dict:
        return None
    get = comp.get
    kind = get("type")
    name = get("name")
    if type(kind) is not str or type(name) is not str or not kind.strip() or not name.strip():
        return None
    licences = ""
    entries = get("licenses")
    if entries is not None:
        if type(entries) is not list:
            return None
        parts: list[str] = []
        for entry in entries:
            if type(entry) is not dict:
                return None
            if "expression" in entry:
                value = entry["expression"]
                if type(value) is not str or not value.strip():
                    return None
                parts.append(value.strip())
                continue
            lic = entry.get("license")
            if type(lic) is not dict:
                return None
            value = lic.get("id")
            if value is not None and type(value) is not str:
                return None
            if value:
                parts.append(value.strip())
                continue
            value = lic.get("name")
            if type(value) is not str or not value.strip():
                return None
            parts.append(licence_id_from_name(value))
        licences = parts[0] if len(parts) == 1 else combine_licences(parts)
    hashes: dict[str, str] = {}
    entries = get("hashes")
    if entries is not None:
        if type(entries) is not list:
            return None
        for entry in entries:
            if type(entry) is not dict:
                return None
            alg = entry.get("alg")
            content = entry.get("content")
            if type(alg) is not str or type(content) is not str or not alg.strip() or not content.strip():
                return None
            alg = _HASH_ALGS.get(alg) or normalise_hash_alg(alg)
            expected = HASH_LENGTHS.get(alg)
            if (expected is not None and len(content) != expected) or HEX.fullmatch(content) is None:
                return None
            # `lower` always builds a new string; digests mostly are lower case already.
            hashes[alg] = content if content.islower() else content.lower()
    # A field that is absent reads as ""; one that is present must be a string (an explicit
    # null, which the full reader accepts, is left to it as well).
    supplier = ""
    sup = get("supplier")
    if sup is not None:
        if type(sup) is not dict:
            return None
        supplier = sup.get("name", "")
        if type(supplier) is not str:
            return None
    if not supplier:
        supplier = get("publisher", "")
        if type(supplier) is not str:
            return None
    ref = get("bom-ref", "")
    group = get("group", "")
    version = get("version", "")
    purl = get("purl", "")
    nested = get("components")
    if (
        type(ref) is not str
        or type(group) is not str
        or type(version) is not str
        or type(purl) is not str
        or (nested is not None and type(nested) is not list)
        or (ref and ref in collector.refs)
        or len(collector.components) >= sbom_document.MAX_COMPONENTS
    ):
        return None
    purl, version = purl.strip(), version.strip()
    display = f"{group}/{name}" if group else name
    ecosystem = None
    if purl:
        try:
            ecosystem, purl_name, purl_version = purl_identity(purl, component=display, location="")
        except SbomError:
            return None
        if purl_name:
            display = purl_name
        version = version or purl_version
    # Nothing was changed before this point.
    if ref:
        collector.refs[ref] = True
    if kind == "file" and "sha256" in hashes:
        collector.file_hashes[name] = hashes["sha256"]
    # Positional (ref, name, version, purl, ecosystem, licences, hashes, supplier, kind): keywords
    # cost more than twice as much in a dataclass's generated __init__.
    collector.components.append(
        ParsedComponent(ref, display, version, purl, ecosystem, licences, hashes, supplier, kind)
    )
    return nested or _NOTHING_NESTED


def _walk_json(collector: Collector, items: list[Any], prefix: str) -> None:
    # Explicit stack (depth-first, document order): nesting depth is the document's to choose.
    # Each level runs a plain loop over its iterator, left to descend and resumed afterwards.
    stack: list[tuple[Iterator[tuple[int, Any]], str]] = [(iter(enumerate(items)), prefix)]
    while stack:
        iterator, base = stack[-1]
        for index, comp in iterator:
            nested = _fast_json_component(collector, comp)
            if nested is None:
                nested = _json_component(collector, comp, f"{base}[{index}]")
            if nested:
                stack.append((iter(enumerate(nested)), f"{base}[{index}].components"))
                break
        else:
            stack.pop()


def _walk_json_services(collector: Collector, items: list[Any], prefix: str) -> None:
    stack: list[tuple[list[Any], str]] = [(items, prefix)]
    while stack:
        services, base = stack.pop()
        for index, service in enumerate(services):
            path = f"{base}[{index}]"
            if type(service) is not dict:
                raise type_error("object", path)
            ref = opt_str(service, "bom-ref", path)
            if ref:
                collector.add_ref(ref, is_component=False, location=f"{path}.bom-ref")
            nested = opt_list(service, "services", path)
            if nested:
                stack.append((nested, f"{path}.services"))


def _dependency_error(collector: Collector, dep: Any, path: str) -> NoReturn:
    """Raise the error of a dependency entry that the fast checks in `parse_json` refused."""
    if type(dep) is not dict:
        raise type_error("object", path)
    parent = req_str(dep, "ref", path)
    collector.require(parent, f"{path}.ref")
    opt_list(dep, "dependsOn", path)
    raise AssertionError(f"{path} passed every check")  # unreachable: one of the above raised


def parse_json(document: dict[str, Any]) -> ParsedSbom:
    """Read a decoded CycloneDX JSON document (see the module docstring for what is kept)."""
    if document.get("bomFormat") != "CycloneDX":
        raise SbomError(gettext_noop("bomFormat must be CycloneDX."), "bomFormat")
    spec_version = document.get("specVersion")
    if spec_version not in CYCLONEDX_VERSIONS:
        raise unsupported_version(spec_version, "specVersion")
    collector = Collector()
    document_name = ""
    metadata = document.get("metadata")
    if metadata is not None:
        if type(metadata) is not dict:
            raise type_error("object", "metadata")
        root = metadata.get("component")
        if root is not None:
            if type(root) is not dict:
                raise type_error("object", "metadata.component")
            name = req_str(root, "name", "metadata.component")
            version = opt_str(root, "version", "metadata.component")
            document_name = f"{name} {version}" if version else name
            ref = opt_str(root, "bom-ref", "metadata.component")
            if ref:
                collector.add_ref(ref, is_component=False, location="metadata.component.bom-ref")
            nested = opt_list(root, "components", "metadata.component")
            _walk_json(collector, nested, "metadata.component.components")
    _walk_json(collector, opt_list(document, "components", ""), "components")
    _walk_json_services(collector, opt_list(document, "services", ""), "services")
    edges: dict[tuple[str, str], None] = {}
    refs = collector.refs
    for i, dep in enumerate(opt_list(document, "dependencies", "")):
        # The hot loop of a large graph: locations are only built for an error.
        parent: Any = dep.get("ref") if type(dep) is dict else None
        parent_is_component = refs.get(parent) if type(parent) is str and parent.strip() else None
        children = dep.get("dependsOn") if parent_is_component is not None else None
        if parent_is_component is None or (children is not None and type(children) is not list):
            _dependency_error(collector, dep, f"dependencies[{i}]")
        if not children:
            continue
        for j, child in enumerate(children):
            child_is_component = refs.get(child) if type(child) is str else None
            if child_is_component is None:
                if type(child) is not str:
                    raise type_error("string", f"dependencies[{i}].dependsOn[{j}]")
                collector.require(child, f"dependencies[{i}].dependsOn[{j}]")
            elif parent_is_component and child_is_component:
                edges[(parent, child)] = None
    return ParsedSbom(
        format=CYCLONEDX_JSON,
        spec_version=str(spec_version),
        document_name=document_name,
        components=collector.components,
        dependencies=list(edges),
        file_hashes=collector.file_hashes,
    )
