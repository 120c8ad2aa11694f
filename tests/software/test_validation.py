"""CycloneDX 1.2–1.7 documents checked against the official schemas (JSON Schema and XSD).

The valid and invalid examples are written here from the schemas that cyclonedx-python-lib ships
(the specification's own files); each invalid one breaks one rule, and the error must name the
JSON path (or XML line) and that rule. `--no-validate` (validate=False) reads them leniently.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from renkei.software.sbom.document import SbomError
from renkei.software.sbom.parsing import parse_sbom
from renkei.software.sbom.scan import main
from tests.software import sbom_samples as samples

ALL_VERSIONS = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]


def valid(spec: str) -> dict[str, Any]:
    """The shared sample, made valid for 1.2 and 1.3 (where every component needs a version)."""
    document = samples.cyclonedx(spec)
    if spec in ("1.2", "1.3"):
        for comp in document["components"]:
            comp.setdefault("version", "1.0.0")
    return document


def rejected(data: bytes) -> SbomError:
    with pytest.raises(SbomError) as info:
        parse_sbom(data)
    return info.value


@pytest.mark.parametrize("spec", ALL_VERSIONS)
@pytest.mark.parametrize("serialise", [samples.to_json, samples.to_xml], ids=["json", "xml"])
def test_valid_documents_of_every_version_pass(spec, serialise):
    parsed = parse_sbom(serialise(valid(spec)))
    assert parsed.spec_version == spec
    assert len(parsed.components) == 7
    assert ("pkg:pypi/django@4.2.1", "log4j") in parsed.dependencies


def test_cyclonedx_1_7_fields_are_accepted():
    # Fields new in 1.7 (per its schema): a component's isExternal and versionRange, citations.
    document = valid("1.7")
    document["components"].append(
        {
            "type": "library",
            "bom-ref": "ext",
            "name": "ext-lib",
            "isExternal": True,
            "versionRange": "vers:npm/>=1.0.0|<2.0.0",
        }
    )
    document["citations"] = [
        {"pointers": ["/components/0"], "timestamp": "2025-01-01T00:00:00Z", "attributedTo": "root"}
    ]
    parsed = parse_sbom(samples.to_json(document))
    assert parsed.spec_version == "1.7"
    assert parsed.components[-1].name == "ext-lib" and parsed.components[-1].version == ""
    # The same field is refused by the 1.6 schema, which has no versionRange.
    document["specVersion"] = "1.6"
    del document["citations"]
    document["components"][-1].pop("isExternal")
    error = rejected(samples.to_json(document))
    assert error.location == "components[6]"


def _break(spec: str, change) -> bytes:  # type: ignore[no-untyped-def]
    document = valid(spec)
    change(document)
    return samples.to_json(document)


JSON_VIOLATIONS = {
    # case: (change, JSON path, rule)
    "unknown component type": (
        lambda d: d["components"][1].update(type="gadget"),
        "components[1].type",
        "enum",
    ),
    "component without name": (lambda d: d["components"][2].pop("name"), "components[2]", "required"),
    "hash not hex": (
        lambda d: d["components"][0]["hashes"][0].update(content="zz"),
        "components[0].hashes[0].content",
        "pattern",
    ),
    "unknown hash algorithm": (
        lambda d: d["components"][0]["hashes"][1].update(alg="SHA-999"),
        "components[0].hashes[1].alg",
        "enum",
    ),
    "timestamp not a date-time": (
        lambda d: d["metadata"].update(timestamp="yesterday"),
        "metadata.timestamp",
        "format",
    ),
    "licence id not on the SPDX list": (
        lambda d: d["components"][0].update(licenses=[{"license": {"id": "NOT-A-LICENCE"}}]),
        "components[0].licenses*",  # where and how each version's schema says it differs
        "",
    ),
    "repeated dependency": (
        lambda d: d["dependencies"][2].update(dependsOn=["lodash", "lodash"]),
        "dependencies[2].dependsOn",
        "uniqueItems",
    ),
    "serial number not a URN": (lambda d: d.update(serialNumber="12345"), "serialNumber", "pattern"),
    "bom-ref a number": (
        lambda d: d["components"][1].update({"bom-ref": 5}),
        "components[1].bom-ref",
        "type",
    ),
    "nested component without type": (
        lambda d: d["components"][3]["components"][0].pop("type"),
        "components[3].components[0]",
        "required",
    ),
}


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6", "1.7"])
@pytest.mark.parametrize("case", sorted(JSON_VIOLATIONS))
def test_json_violation_names_path_and_rule(spec, case):
    change, path, rule = JSON_VIOLATIONS[case]
    data = _break(spec, change)
    error = rejected(data)
    if path.endswith("*"):
        assert error.location.startswith(path[:-1])
    else:
        assert error.location == path
    rule = rule or error.params["rule"]
    assert error.message.startswith(f"Not valid under the CycloneDX {spec} schema (rule {rule}): ")
    assert error.params["rule"] == rule


def test_cyclonedx_1_2_and_1_3_require_a_version():
    for spec in ("1.2", "1.3"):
        error = rejected(samples.to_json(samples.cyclonedx(spec)))  # "angular" has none
        assert (error.location, error.params["rule"]) == ("components[2]", "required")
        assert '"version" is a required property' in error.message
        # Read leniently, the version comes from the purl.
        parsed = parse_sbom(samples.to_json(samples.cyclonedx(spec)), validate=False)
        assert parsed.components[2].version == "15.0.0"


XML_VIOLATIONS = {
    "unknown component type": (
        b'type="library" bom-ref="log4j"',
        b'type="gadget" bom-ref="log4j"',
        "cvc-enumeration-valid",
        "The value 'gadget' is not an element of the set",
    ),
    "component without name": (b"<name>log4j-core</name>", b"", "element-content", "Expected is ( name )"),
    "unknown hash algorithm": (b'alg="SHA-1"', b'alg="SHA-999"', "cvc-enumeration-valid", "SHA-999"),
    "unknown element": (
        b"<purl>pkg:npm/lodash",
        b"<colour>red</colour><purl>pkg:npm/lodash",
        "element-content",
        "colour",
    ),
}


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6", "1.7"])
@pytest.mark.parametrize("case", sorted(XML_VIOLATIONS))
def test_xml_violation_names_line_and_rule(spec, case):
    old, new, rule, detail = XML_VIOLATIONS[case]
    data = samples.to_xml(valid(spec)).replace(b"\n<components>", b"\n\n\n<components>")
    assert old in data
    error = rejected(data.replace(old, new, 1))
    assert error.location == "line 6"  # the sample writes each top-level section on one line
    assert error.params["rule"] == rule
    assert detail in error.message
    assert "{http://cyclonedx.org" not in error.message  # element names without their namespace
    # Leniently read, unless the reader itself needs what is missing.
    if case != "component without name":
        assert parse_sbom(data.replace(old, new, 1), validate=False).spec_version == spec


def test_deep_xml_beyond_the_validating_parser_limits_is_refused_clearly():
    depth = 300
    inner = "".join(f'<component type="library"><name>c{i}</name><components>' for i in range(depth))
    inner += "</components></component>" * depth
    data = f'<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><components>{inner}</components></bom>'.encode()
    error = rejected(data)
    assert "beyond the validating parser's limits" in error.message
    assert error.message.endswith("it can only be read without validation.")
    assert len(parse_sbom(data, validate=False).components) == depth


def test_deep_json_nesting_is_validated_without_recursion_trouble():
    # orjson refuses more than 1,024 levels; 500 nested components (1,000 levels) are validated.
    depth = 500
    nested = '{"type":"library","name":"c","components":[' * depth + '{"type":"library","name":"leaf"}'
    nested += "]}" * depth
    data = ('{"bomFormat":"CycloneDX","specVersion":"1.7","components":[' + nested + "]}").encode()
    assert len(parse_sbom(data).components) == depth + 1
    bad = data.replace(b'"name":"leaf"', b'"name":7')
    error = rejected(bad)
    assert error.location.endswith(".components[0].name") and error.params["rule"] == "type"


def test_large_document_is_validated():
    # 10,000 components: the compiled validator checks uniqueItems without comparing every pair
    # (its time, with and without validation, is in `python -m bench.sbom`: bench/RESULTS.md).
    document = samples.large_cyclonedx(10_000)
    document["specVersion"] = "1.7"
    assert len(parse_sbom(orjson.dumps(document)).components) == 10_000
    document["components"][9_876]["hashes"][0]["content"] = "not hex"
    error = rejected(orjson.dumps(document))
    assert error.location == "components[9876].hashes[0].content"


def test_hostile_xml_of_version_1_7_is_refused_before_validation():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><components><component type="library">'
        b"<name>&xxe;</name></component></components></bom>"
    )
    error = rejected(data)
    assert (
        error.message == "XML document type declarations, entities and external references are not allowed."
    )
    truncated = samples.to_xml(valid("1.7"))[:-40]
    assert rejected(truncated).message.startswith("Malformed XML")
    assert rejected(samples.to_json(valid("1.7"))[:-10]).message.startswith("Malformed JSON")


# ---------------------------------------------------------------------------- the CLI


def _osv(directory: Path) -> Path:
    directory.mkdir()
    record = {
        "id": "PYSEC-0000-1",
        "modified": "2024-01-01T00:00:00Z",
        "summary": "A problem",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "django"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.2.2"}]}],
            }
        ],
    }
    (directory / "PYSEC-0000-1.json").write_text(json.dumps(record))
    return directory


def test_scan_refuses_an_invalid_document_with_exit_2_and_reads_it_with_no_validate(tmp_path, capsys):
    osv = _osv(tmp_path / "osv")
    sbom = tmp_path / "bom.json"
    sbom.write_bytes(_break("1.7", JSON_VIOLATIONS["unknown component type"][0]))
    assert main([str(sbom), "--osv", str(osv)]) == 2
    err = capsys.readouterr().err
    assert "Not valid under the CycloneDX 1.7 schema (rule enum)" in err
    assert "(components[1].type)" in err
    assert main([str(sbom), "--osv", str(osv), "--no-validate", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["components"] == 7
    assert [c["name"] for c in report["components"]] == ["django"]
    xml = tmp_path / "bom.xml"
    xml.write_bytes(samples.to_xml(valid("1.7")).replace(b'alg="SHA-1"', b'alg="SHA-999"'))
    assert main([str(xml), "--osv", str(osv)]) == 2
    assert "(line 4)" in capsys.readouterr().err
    assert main([str(xml), "--osv", str(osv), "--no-validate"]) == 0


def test_scan_help_offers_no_validate():
    out = io.StringIO()
    from renkei.software.sbom.scan import build_parser

    build_parser().print_help(out)
    assert "--no-validate" in out.getvalue()
