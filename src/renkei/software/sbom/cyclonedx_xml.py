"""CycloneDX 1.2–1.7 XML reader (defusedxml) for `parsing.parse_sbom`: the same components,
dependencies and locations as the JSON reader in `cyclonedx.py`."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from renkei.software.sbom import validation
from renkei.software.sbom.cyclonedx import NAMESPACE, Collector, unsupported_version
from renkei.software.sbom.document import (
    CYCLONEDX_VERSIONS,
    CYCLONEDX_XML,
    ParsedSbom,
    SbomError,
    check_hash,
    gettext_noop,
    licence_id_from_name,
    normalise_hash_alg,
)


class _XmlReader:
    """Walks a CycloneDX XML tree of one namespace, mirroring the JSON reader's locations."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}"

    def tag(self, name: str) -> str:
        return self.ns + name

    def text(self, parent: Element, name: str) -> str:
        child = parent.find(self.ns + name)
        if child is None or child.text is None:
            return ""
        return child.text.strip()

    def req_text(self, parent: Element, name: str, path: str) -> str:
        child = parent.find(self.ns + name)
        if child is None:
            raise SbomError(gettext_noop("Required field {field} is missing."), f"{path}.{name}", field=name)
        value = (child.text or "").strip()
        if not value:
            raise SbomError(gettext_noop("Required field {field} is empty."), f"{path}.{name}", field=name)
        return value

    def component(self, collector: Collector, elem: Element, path: str) -> Element | None:
        """Add one <component>; return its nested <components> element, if any."""
        ns = self.ns
        kind = elem.get("type") or ""
        if not kind:
            raise SbomError(gettext_noop("Required field {field} is missing."), f"{path}.type", field="type")
        name = self.req_text(elem, "name", path)
        licences: list[str] = []
        lic_parent = elem.find(ns + "licenses")
        if lic_parent is not None:
            for i, entry in enumerate(lic_parent):
                epath = f"{path}.licenses[{i}]"
                if entry.tag == ns + "expression":
                    licences.append((entry.text or "").strip())
                elif entry.tag == ns + "license":
                    lid = self.text(entry, "id")
                    if lid:
                        licences.append(lid)
                    else:
                        licences.append(
                            licence_id_from_name(self.req_text(entry, "name", f"{epath}.license"))
                        )
        hashes: dict[str, str] = {}
        hash_parent = elem.find(ns + "hashes")
        if hash_parent is not None:
            for i, entry in enumerate(hash_parent.iter(ns + "hash")):
                hpath = f"{path}.hashes[{i}]"
                raw_alg = entry.get("alg") or ""
                if not raw_alg:
                    raise SbomError(
                        gettext_noop("Required field {field} is missing."), f"{hpath}.alg", field="alg"
                    )
                alg = normalise_hash_alg(raw_alg)
                hashes[alg] = check_hash(alg, (entry.text or "").strip(), f"{hpath}.content")
        supplier = ""
        sup = elem.find(ns + "supplier")
        if sup is not None:
            supplier = self.text(sup, "name")
        collector.add_component(
            kind=kind,
            ref=elem.get("bom-ref") or "",
            name=name,
            group=self.text(elem, "group"),
            version=self.text(elem, "version"),
            purl=self.text(elem, "purl"),
            licences=licences,
            hashes=hashes,
            supplier=supplier or self.text(elem, "publisher"),
            path=path,
        )
        return elem.find(ns + "components")

    def walk(self, collector: Collector, parent: Element | None, prefix: str) -> None:
        if parent is None:
            return
        tag = self.ns + "component"
        stack: list[tuple[Iterator[tuple[int, Element]], str]] = [
            (iter(enumerate(parent.iterfind(tag))), prefix)
        ]
        while stack:
            iterator, base = stack[-1]
            step = next(iterator, None)
            if step is None:
                stack.pop()
                continue
            index, elem = step
            path = f"{base}[{index}]"
            nested = self.component(collector, elem, path)
            if nested is not None:
                stack.append((iter(enumerate(nested.iterfind(tag))), f"{path}.components"))


def parse_xml(data: bytes, *, validate: bool = True) -> ParsedSbom:
    """Parse CycloneDX XML safely: any DTD, entity or external reference is refused, not expanded.

    With `validate`, the document must also conform to its version's official XSD.
    """
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SbomError(
            gettext_noop("XML document type declarations, entities and external references are not allowed.")
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise SbomError(
            gettext_noop("Malformed XML: {error}."), f"line {line}, column {column}", error=str(exc)
        ) from None
    match = NAMESPACE.fullmatch(root.tag)
    if match is None or match.group(2) != "bom":
        raise SbomError(gettext_noop("This XML document is not a CycloneDX BOM."))
    spec_version = match.group(1)
    if spec_version not in CYCLONEDX_VERSIONS:
        raise unsupported_version(spec_version, "bom")
    if validate:
        validation.validate_xml(data, spec_version)
    reader = _XmlReader(root.tag[1:].split("}", 1)[0])
    collector = Collector()
    document_name = ""
    metadata = root.find(reader.tag("metadata"))
    if metadata is not None:
        meta_component = metadata.find(reader.tag("component"))
        if meta_component is not None:
            name = reader.req_text(meta_component, "name", "metadata.component")
            version = reader.text(meta_component, "version")
            document_name = f"{name} {version}" if version else name
            ref = meta_component.get("bom-ref") or ""
            if ref:
                collector.add_ref(ref, is_component=False, location="metadata.component.bom-ref")
            reader.walk(
                collector, meta_component.find(reader.tag("components")), "metadata.component.components"
            )
    reader.walk(collector, root.find(reader.tag("components")), "components")
    services = root.find(reader.tag("services"))
    if services is not None:
        for index, service in enumerate(services.iter(reader.tag("service"))):
            ref = service.get("bom-ref") or ""
            if ref:
                collector.add_ref(ref, is_component=False, location=f"services[{index}].bom-ref")
    edges: dict[tuple[str, str], None] = {}
    dependencies = root.find(reader.tag("dependencies"))
    if dependencies is not None:
        dep_tag = reader.tag("dependency")
        for i, dep in enumerate(dependencies.iterfind(dep_tag)):
            path = f"dependencies[{i}]"
            parent = dep.get("ref") or ""
            if not parent:
                raise SbomError(
                    gettext_noop("Required field {field} is missing."), f"{path}.ref", field="ref"
                )
            parent_is_component = collector.require(parent, f"{path}.ref")
            for j, child_elem in enumerate(dep.iterfind(dep_tag)):
                location = f"{path}.dependsOn[{j}]"
                child = child_elem.get("ref") or ""
                if not child:
                    raise SbomError(gettext_noop("Required field {field} is missing."), location, field="ref")
                if collector.require(child, location) and parent_is_component:
                    edges[(parent, child)] = None
    return ParsedSbom(
        format=CYCLONEDX_XML,
        spec_version=spec_version,
        document_name=document_name,
        components=collector.components,
        dependencies=list(edges),
        file_hashes=collector.file_hashes,
    )
