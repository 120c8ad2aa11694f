"""CycloneDX 1.2–1.7 schema validation against the official schemas (JSON Schema and XSD).

The schemas are the ones `cyclonedx-python-lib` ships (the CycloneDX project's own files, with the
SPDX licence list, JSF and cryptography definitions they reference); no schema is copied here.

- JSON: `jsonschema-rs` (a compiled Draft 7 validator). The `jsonschema` package, which
  cyclonedx-python-lib's own validator uses, took minutes on a 10,000-component document
  (`uniqueItems` on lists of objects compares every pair); jsonschema-rs validates it in
  about 20 ms, so validation stays on by default (see bench/RESULTS.md, "sbom").
- XML: lxml's XSD validator, on a tree parsed without DTDs, entities or network access (the
  reader in `cyclonedx_xml.py` refuses any DTD first, with defusedxml).

A failure raises `SbomError` whose location is the JSON path of the offending value
(`components[12].hashes[0].content`) or the XML line, and whose message names the rule
(`enum`, `required`, `pattern` … for JSON; the XSD validation rule such as
`cvc-enumeration-valid` for XML). Validators are compiled once per version and kept.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from cyclonedx.schema import SchemaVersion
from cyclonedx.schema._res import BOM_JSON, BOM_XML, CRYPTOGRAPHY_DEFS, JSF, SPDX_JSON
from lxml import etree

from renkei.software.sbom.document import SbomError, gettext_noop

# The versions whose schemas we validate against (1.0 and 1.1 predate the JSON format and the
# dependency graph; they are not read).
VALIDATED_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
# An invalid value can be a whole list: the validator's message quotes it.
_MAX_DETAIL = 300
_SCHEMA_BASE = "http://cyclonedx.org/schema/"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def json_path(parts: list[str | int]) -> str:
    """`["components", 12, "version"]` → `components[12].version` (the readers' location shape)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@lru_cache(maxsize=8)
def _json_validator(version: str) -> Any:
    schema_file = BOM_JSON[SchemaVersion.from_version(version)]
    if schema_file is None:  # pragma: no cover - every validated version has a JSON schema
        raise LookupError(version)
    resources = [
        (_SCHEMA_BASE + Path(path).name, orjson.loads(Path(path).read_bytes()))
        for path in (SPDX_JSON, JSF, CRYPTOGRAPHY_DEFS)
    ]
    return jsonschema_rs.Draft7Validator(
        orjson.loads(Path(schema_file).read_bytes()),
        registry=jsonschema_rs.Registry(resources),
        validate_formats=True,
    )


def validate_json(document: dict[str, Any], version: str) -> None:
    """Raise `SbomError` at the first place `document` breaks the CycloneDX `version` JSON schema."""
    validator = _json_validator(version)
    # is_valid skips building error objects: a third faster on a valid document, the usual case.
    if validator.is_valid(document):
        return
    error = next(validator.iter_errors(document))
    schema_path = list(error.schema_path)
    rule = str(schema_path[-1]) if schema_path else "schema"
    raise SbomError(
        gettext_noop("Not valid under the CycloneDX {version} schema (rule {rule}): {detail}"),
        json_path(list(error.instance_path)) or "(document)",
        version=version,
        rule=rule,
        detail=_shorten(error.message),
    )


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


@lru_cache(maxsize=8)
def _xml_schema(version: str) -> etree.XMLSchema:
    schema_file = BOM_XML[SchemaVersion.from_version(version)]
    if schema_file is None:  # pragma: no cover
        raise LookupError(version)
    # The XSD imports spdx.SNAPSHOT.xsd beside it, read from the file system (no network).
    return etree.XMLSchema(etree.parse(schema_file, parser=_safe_parser()))


def _rule(type_name: str) -> str:
    """libxml2's `SCHEMAV_CVC_ENUMERATION_VALID` → the XSD validation rule `cvc-enumeration-valid`."""
    return type_name.removeprefix("SCHEMAV_").lower().replace("_", "-")


def validate_xml(data: bytes, version: str) -> None:
    """Raise `SbomError` naming the line of the first element that breaks the CycloneDX XSD.

    Call only on data the defusedxml reader has accepted (no DTD, no entities).
    """
    schema = _xml_schema(version)
    try:
        tree = etree.fromstring(data, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        # The reader has parsed it already: what libxml2 refuses here is beyond its safety limits
        # (more than 256 levels of nesting, a text node over 10 MB), kept on for a hostile file.
        raise SbomError(
            gettext_noop(
                "The XML document is beyond the validating parser's limits ({error}); "
                "it can only be read without validation."
            ),
            f"line {exc.lineno}",
            error=_shorten(str(exc)),
        ) from None
    if schema.validate(tree):
        return
    error = schema.error_log[0]
    raise SbomError(
        gettext_noop("Not valid under the CycloneDX {version} schema (rule {rule}): {detail}"),
        f"line {error.line}",
        version=version,
        rule=_rule(error.type_name),
        detail=_shorten(error.message.replace("{http://cyclonedx.org/schema/bom/" + version + "}", "")),
    )
