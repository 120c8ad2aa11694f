"""SBOM parser: the four formats, every supported spec version, and hostile documents."""

from __future__ import annotations

from typing import Any, ClassVar
from xml.etree import ElementTree

import orjson
import pytest
from packageurl import PackageURL

from renkei.software.models import SbomFormat
from renkei.software.sbom import document as sbom_document
from renkei.software.sbom.document import SbomError
from renkei.software.sbom.parsing import parse_sbom
from tests.software import sbom_samples as samples

CYCLONEDX_SPECS = ["1.4", "1.5", "1.6", "1.7"]
SPDX_SPECS = ["SPDX-2.2", "SPDX-2.3"]


def by_ref(parsed: sbom_document.ParsedSbom) -> dict[str, sbom_document.ParsedComponent]:
    return {c.ref: c for c in parsed.components}


def rejected(data: bytes, **kwargs: Any) -> SbomError:
    with pytest.raises(SbomError) as info:
        parse_sbom(data, **kwargs)
    return info.value


# ---------------------------------------------------------------------------- happy paths


@pytest.mark.parametrize("spec", CYCLONEDX_SPECS)
@pytest.mark.parametrize("serialise", [samples.to_json, samples.to_xml], ids=["json", "xml"])
def test_cyclonedx(spec, serialise):
    parsed = parse_sbom(serialise(samples.cyclonedx(spec)))

    assert parsed.format == (
        SbomFormat.CYCLONEDX_JSON if serialise is samples.to_json else SbomFormat.CYCLONEDX_XML
    )
    assert parsed.spec_version == spec
    assert parsed.document_name == "shop-frontend 2.1.0"
    # Nested components are flattened in document order; metadata.component is not a component.
    assert [c.ref for c in parsed.components] == [
        "pkg:pypi/django@4.2.1",
        "log4j",
        "angular",
        "bundle",
        "lodash",
        "gh",
        "file-1",
    ]
    comps = by_ref(parsed)
    django = comps["pkg:pypi/django@4.2.1"]
    assert (django.ecosystem, django.name, django.version) == ("PyPI", "django", "4.2.1")
    assert django.licences == "BSD-3-Clause"
    assert django.hashes == {"sha256": samples.SHA256_DJANGO, "sha1": samples.SHA1_DJANGO}
    assert django.supplier == "Django Software Foundation"
    log4j = comps["log4j"]
    assert (log4j.ecosystem, log4j.name) == ("Maven", "org.apache.logging.log4j:log4j-core")
    assert log4j.licences == "Apache-2.0 OR MIT"
    assert log4j.supplier == "The Apache Software Foundation"  # publisher when there is no supplier
    angular = comps["angular"]
    # Version from the purl when the component has none; several licences joined with AND.
    assert (angular.ecosystem, angular.name, angular.version) == ("npm", "@angular/core", "15.0.0")
    assert angular.licences == "MIT AND LicenseRef-Custom-Licence-1.0"
    assert (comps["lodash"].ecosystem, comps["lodash"].name) == ("npm", "lodash")
    assert comps["bundle"].ecosystem is None and comps["bundle"].name == "vendor-bundle"
    assert comps["gh"].ecosystem is None and comps["gh"].name == "left-pad"
    assert comps["file-1"].kind == "file"
    assert parsed.file_hashes == {"shop-frontend-2.1.0.tar.gz": samples.SHA256_FILE}
    # Edges from the described product and to the service are dropped; duplicates collapse.
    assert parsed.dependencies == [
        ("pkg:pypi/django@4.2.1", "log4j"),
        ("pkg:pypi/django@4.2.1", "angular"),
        ("bundle", "lodash"),
    ]


@pytest.mark.parametrize("serialise", [samples.to_json, samples.to_xml], ids=["json", "xml"])
def test_repeated_dependency_collapses_in_lenient_reading(serialise):
    document = samples.cyclonedx()
    document["dependencies"][2]["dependsOn"] = ["lodash", "lodash"]  # the JSON schema's uniqueItems
    parsed = parse_sbom(serialise(document), validate=False)
    assert parsed.dependencies.count(("bundle", "lodash")) == 1


@pytest.mark.parametrize("spec", SPDX_SPECS)
@pytest.mark.parametrize("serialise", [samples.to_json, samples.to_tag_value], ids=["json", "tag-value"])
def test_spdx(spec, serialise):
    parsed = parse_sbom(serialise(samples.spdx(spec)))

    assert parsed.format == (
        SbomFormat.SPDX_JSON if serialise is samples.to_json else SbomFormat.SPDX_TAG_VALUE
    )
    assert parsed.spec_version == spec
    assert parsed.document_name == "shop-backend-1.4.0"
    comps = by_ref(parsed)
    assert list(comps) == [
        "SPDXRef-App",
        "SPDXRef-Package-django",
        "SPDXRef-Package-requests",
        "SPDXRef-Package-urllib3",
    ]
    app = comps["SPDXRef-App"]
    assert (app.name, app.version, app.ecosystem, app.licences) == ("shop-backend", "1.4.0", None, "")
    assert app.supplier == "Example Vendor K.K."
    django = comps["SPDXRef-Package-django"]
    assert (django.ecosystem, django.name, django.purl) == ("PyPI", "django", "pkg:pypi/django@4.2.1")
    assert django.licences == "BSD-3-Clause"  # concluded wins over declared
    assert django.hashes == {"sha256": samples.SHA256_DJANGO}
    assert django.supplier == "Jane Doe (jane@example.com)"
    requests = comps["SPDXRef-Package-requests"]
    assert requests.licences == "Apache-2.0"  # concluded NOASSERTION → declared
    assert requests.supplier == ""
    assert comps["SPDXRef-Package-urllib3"].licences == ""
    # Only SHA-256 checksums are declared file hashes.
    assert parsed.file_hashes == {"./dist/shop_backend-1.4.0-py3-none-any.whl": samples.SHA256_FILE}
    # DEPENDS_ON and CONTAINS forward, DEPENDENCY_OF reversed; file and external-document ends ignored.
    assert parsed.dependencies == [
        ("SPDXRef-App", "SPDXRef-Package-django"),
        ("SPDXRef-App", "SPDXRef-Package-requests"),
        ("SPDXRef-Package-requests", "SPDXRef-Package-urllib3"),
    ]


def test_format_values_match_the_model():
    assert {
        sbom_document.CYCLONEDX_JSON,
        sbom_document.CYCLONEDX_XML,
        sbom_document.SPDX_JSON,
        sbom_document.SPDX_TAG_VALUE,
        sbom_document.SPDX3_JSONLD,
    } == set(SbomFormat.values)


def test_minimal_documents():
    parsed = parse_sbom(b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    assert (parsed.components, parsed.dependencies, parsed.file_hashes, parsed.document_name) == (
        [],
        [],
        {},
        "",
    )
    parsed = parse_sbom(b"# exported\n\nSPDXVersion: SPDX-2.3\nDocumentName: empty\n")
    assert (parsed.format, parsed.document_name, parsed.components) == (
        sbom_document.SPDX_TAG_VALUE,
        "empty",
        [],
    )


def test_utf8_byte_order_mark_is_accepted():
    assert parse_sbom(b"\xef\xbb\xbf" + samples.to_json(samples.cyclonedx())).spec_version == "1.5"


def test_deeply_nested_xml_components_do_not_recurse():
    """Lenient reading (the validating parser refuses such depth: test_validation.py)."""
    depth = 3000
    inner = "".join(
        f'<component type="library" bom-ref="c{i}"><name>c{i}</name><components>' for i in range(depth)
    )
    inner += "</components></component>" * depth
    data = f'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>{inner}</components></bom>'.encode()
    parsed = parse_sbom(data, validate=False)
    assert len(parsed.components) == depth
    assert parsed.components[-1].ref == f"c{depth - 1}"


@pytest.mark.parametrize(
    ("purl", "ecosystem", "name"),
    [
        ("pkg:golang/github.com/gorilla/mux@v1.8.0", "Go", "github.com/gorilla/mux"),
        ("pkg:cargo/serde@1.0.0", "crates.io", "serde"),
        ("pkg:gem/rails@7.0.0", "RubyGems", "rails"),
        ("pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet", "Newtonsoft.Json"),
        ("pkg:composer/Laravel/Framework@10.0.0", "Packagist", "laravel/framework"),
        ("pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12", "Debian", "curl"),
        ("pkg:deb/ubuntu/curl@7.81.0-1", None, "curl-doc-name"),
        ("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64", "Alpine", "musl"),
        ("pkg:apk/wolfi/musl@1.2.4-r2", None, "curl-doc-name"),
        ("pkg:pypi/Django_Extensions@3.2.3", "PyPI", "django-extensions"),
        ("pkg:generic/openssl@3.0.0", None, "curl-doc-name"),
    ],
)
def test_ecosystem_from_purl(purl, ecosystem, name):
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "name": "curl-doc-name", "purl": purl}],
    }
    (component,) = parse_sbom(orjson.dumps(document)).components
    assert (component.ecosystem, component.name) == (ecosystem, name)


@pytest.mark.parametrize(
    "purl",
    [
        "pkg:pypi/Django_Foo.Bar@1.0+local",
        "pkg:npm/%40Scope/Name@1.0.0",
        "pkg:npm/@scope/name@1.0.0",
        "pkg:npm/@scope@1.0.0",
        "pkg:npm/a/b@1",
        "pkg:composer/Laravel/Framework@v1.0",
        "pkg:golang/github.com/Foo/Bar@v1.2.3",
        "pkg:apk/Alpine/Musl@1.2-r0",
        "pkg:deb/Debian/curl@7.0-1~deb12u1",
        "pkg:maven/a/b/c@1",
        "pkg:gem/x@1.0.0",
    ],
)
def test_fast_purl_path_agrees_with_packageurl(purl):
    fast = sbom_document._fast_purl(purl)
    try:
        slow = PackageURL.from_string(purl)
    except ValueError:
        assert fast is None
        return
    if fast is not None:
        assert fast == (slow.type, slow.namespace or "", slow.name, slow.version or "")


def test_fast_purl_path_agrees_on_a_large_document():
    for comp in samples.large_cyclonedx(3000)["components"]:
        slow = PackageURL.from_string(comp["purl"])
        assert sbom_document._fast_purl(comp["purl"]) == (
            slow.type,
            slow.namespace or "",
            slow.name,
            slow.version,
        )


def test_ten_thousand_components_are_all_read_by_the_fast_path(monkeypatch):
    """10,000 components of the common shape never reach the full reader, which builds a location
    string for every field. The parse's time (target 0.3 s) is in `python -m bench.sbom` and
    `python -m bench.software` (bench/RESULTS.md)."""
    from renkei.software.sbom import cyclonedx

    data = samples.to_json(samples.large_cyclonedx(10_000))
    slow = []
    full_reader = cyclonedx._json_component

    def counted(collector, comp, path):  # type: ignore[no-untyped-def]
        slow.append(path)
        return full_reader(collector, comp, path)

    monkeypatch.setattr(cyclonedx, "_json_component", counted)
    parsed = parse_sbom(data)
    assert len(parsed.components) == 10_000
    assert len(parsed.dependencies) == 19_997
    assert parsed.components[1].name == "@scope1/lib1"
    assert slow == []
    # The counter does see a component the fast path leaves to the full reader.
    document = samples.cyclonedx()
    document["components"][0]["licenses"] = [{"expression": 5}]
    with pytest.raises(SbomError):
        parse_sbom(orjson.dumps(document), validate=False)  # the schema would refuse it first
    assert slow


def test_component_cap(monkeypatch):
    assert sbom_document.MAX_COMPONENTS == 200_000
    monkeypatch.setattr(sbom_document, "MAX_COMPONENTS", 5)
    error = rejected(samples.to_json(samples.cyclonedx()))
    assert "more than 5 components" in error.message
    assert error.location == "components[4]"  # the sixth, after the nested one
    document = samples.spdx()
    document["packages"] *= 2
    assert rejected(samples.to_json(document)).location == "packages"
    document = samples.spdx()
    document["packages"] = [
        dict(p, SPDXID=f"{p['SPDXID']}-{i}") for i in range(2) for p in document["packages"]
    ]
    document["relationships"] = []
    assert rejected(samples.to_tag_value(document)).location.startswith("line ")


def test_error_can_be_translated():
    error = rejected(b'{"bomFormat": "CycloneDX", "specVersion": "1.1"}')
    assert error.message == "CycloneDX 1.1 is not supported; use a version from 1.2 to 1.7."
    assert (
        error.render(lambda msgid: msgid.replace("is not supported", "NG"))
        == "CycloneDX 1.1 NG; use a version from 1.2 to 1.7."
    )
    assert str(error) == f"{error.message} (specVersion)"


# ---------------------------------------------------------------------- hostile and invalid


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\xef\xbb\xbf"])
def test_empty_file(data):
    assert rejected(data).message == "The file is empty."


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"\x00\x01\x02garbage", b"PK\x03\x04zipfile", b"Hello, world\n"],
)
def test_binary_garbage(data):
    error = rejected(data, filename="upload.bin")
    assert error.message.startswith("upload.bin is not a CycloneDX (JSON, XML) or SPDX")
    assert rejected(data).message.startswith("This is not a CycloneDX")


def test_malformed_json():
    error = rejected(b'{"bomFormat": "CycloneDX",\n "specVersion": "1.5",,}')
    assert error.message.startswith("Malformed JSON")
    assert error.location.startswith("line 2")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2]", "The JSON document must be an object."),
        (
            b'{"hello": "world"}',
            "This JSON document is neither CycloneDX (bomFormat) nor SPDX (spdxVersion, or @context for SPDX 3).",
        ),
        (b'{"bomFormat": "SWID", "specVersion": "1.5"}', "bomFormat must be CycloneDX."),
        (b"{" * 5000 + b"}" * 5000, "Malformed JSON"),
        (
            b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "\xff"}]}',
            "Malformed JSON",
        ),
    ],
)
def test_json_that_is_not_an_sbom(data, message):
    assert rejected(data).message.startswith(message)


@pytest.mark.parametrize(
    ("spec", "shown"), [("1.1", "1.1"), ("1.8", "1.8"), ("2.0", "2.0"), (1.5, "1.5"), (None, "None")]
)
def test_unsupported_cyclonedx_version(spec, shown):
    document = samples.cyclonedx()
    document["specVersion"] = spec
    error = rejected(samples.to_json(document))
    assert error.message == f"CycloneDX {shown} is not supported; use a version from 1.2 to 1.7."
    assert error.location == "specVersion"


@pytest.mark.parametrize("spec", ["SPDX-2.1", "SPDX-3.0", "2.3"])
def test_unsupported_spdx_version(spec):
    document = samples.spdx()
    document["spdxVersion"] = spec
    error = rejected(samples.to_json(document))
    assert error.message == f"{spec} is not supported; use SPDX-2.2 or SPDX-2.3."
    assert error.location == "spdxVersion"
    if spec.startswith("SPDX"):
        error = rejected(samples.to_tag_value(document))
        assert error.location == "line 1"


def _broken_cyclonedx(change):
    document = samples.cyclonedx()
    change(document)
    return document


CYCLONEDX_BREAKAGES = {
    "component without name": (
        lambda d: d["components"][1].pop("name"),
        "components[1].name",
        "Required field name is missing.",
    ),
    "nested component without name": (
        lambda d: d["components"][3]["components"][0].pop("name"),
        "components[3].components[0].name",
        "Required field name is missing.",
    ),
    "blank name": (
        lambda d: d["components"][0].update(name="  "),
        "components[0].name",
        "Required field name is empty.",
    ),
    "component without type": (
        lambda d: d["components"][2].pop("type"),
        "components[2].type",
        "Required field type is missing.",
    ),
    "duplicate bom-ref": (
        lambda d: d["components"][4].update({"bom-ref": "log4j"}),
        "components[4].bom-ref",
        "Duplicate bom-ref log4j.",
    ),
    "bom-ref of the described product reused": (
        lambda d: d["components"][0].update({"bom-ref": "root"}),
        "components[0].bom-ref",
        "Duplicate bom-ref root.",
    ),
    "unknown dependency target": (
        lambda d: d["dependencies"][1]["dependsOn"].append("ghost"),
        "dependencies[1].dependsOn[2]",
        "Dependency refers to unknown bom-ref ghost.",
    ),
    "unknown dependency source": (
        lambda d: d["dependencies"].append({"ref": "ghost", "dependsOn": []}),
        "dependencies[4].ref",
        "Dependency refers to unknown bom-ref ghost.",
    ),
    "invalid purl": (
        lambda d: d["components"][1].update(purl="pkg:maven"),
        "components[1].purl",
        "Component org.apache.logging.log4j/log4j-core has an invalid package URL pkg:maven:",
    ),
    "purl without scheme": (
        lambda d: d["components"][0].update(purl="django@4.2.1"),
        "components[0].purl",
        "Component Django has an invalid package URL django@4.2.1:",
    ),
    "hash not hex": (
        lambda d: d["components"][0]["hashes"][0].update(content="z" * 64),
        "components[0].hashes[0].content",
        "The sha256 hash is not a valid hexadecimal digest.",
    ),
    "hash too short": (
        lambda d: d["components"][5]["hashes"][0].update(content="abcd"),
        "components[5].hashes[0].content",
        "The sha256 hash is not a valid hexadecimal digest.",
    ),
}

CYCLONEDX_JSON_ONLY_BREAKAGES = {
    "version is a number": (
        lambda d: d["components"][0].update(version=4.2),
        "components[0].version",
        "Must be a string.",
    ),
    "components is an object": (lambda d: d.update(components={"a": 1}), "components", "Must be a list."),
    "component is a string": (
        lambda d: d["components"].insert(0, "django"),
        "components[0]",
        "Must be an object.",
    ),
    "supplier is a string": (
        lambda d: d["components"][0].update(supplier="DSF"),
        "components[0].supplier",
        "Must be an object.",
    ),
    "licence entry empty": (
        lambda d: d["components"][0]["licenses"].append({}),
        "components[0].licenses[1]",
        "A licence entry needs a license or an expression.",
    ),
    "licence with neither id nor name": (
        lambda d: d["components"][0]["licenses"].append({"license": {"url": "https://x"}}),
        "components[0].licenses[1].license.name",
        "Required field name is missing.",
    ),
    "dependsOn holds a number": (
        lambda d: d["dependencies"][0]["dependsOn"].append(3),
        "dependencies[0].dependsOn[3]",
        "Must be a string.",
    ),
    "dependency without ref": (
        lambda d: d["dependencies"][2].pop("ref"),
        "dependencies[2].ref",
        "Required field ref is missing.",
    ),
    "metadata is a list": (lambda d: d.update(metadata=[]), "metadata", "Must be an object."),
    "described product without name": (
        lambda d: d["metadata"]["component"].pop("name"),
        "metadata.component.name",
        "Required field name is missing.",
    ),
}


@pytest.mark.parametrize("case", sorted(CYCLONEDX_BREAKAGES | CYCLONEDX_JSON_ONLY_BREAKAGES))
def test_invalid_cyclonedx_json(case):
    """The reader's own checks, which hold in lenient reading (`validate=False`) too; with
    validation on, the schema names the same faults first where it covers them (test_validation.py)."""
    change, location, message = (CYCLONEDX_BREAKAGES | CYCLONEDX_JSON_ONLY_BREAKAGES)[case]
    error = rejected(samples.to_json(_broken_cyclonedx(change)), validate=False)
    assert error.location == location
    assert error.message.startswith(message)


@pytest.mark.parametrize("case", sorted(CYCLONEDX_BREAKAGES))
def test_invalid_cyclonedx_xml(case):
    change, location, message = CYCLONEDX_BREAKAGES[case]
    error = rejected(samples.to_xml(_broken_cyclonedx(change)), validate=False)
    assert error.location == location
    assert error.message.startswith(message)


XML_ATTACKS = {
    "doctype": b'<?xml version="1.0"?><!DOCTYPE bom><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>',
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library">'
        b"<name>&xxe;</name></component></components></bom>"
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><metadata><component type="application">'
        b"<name>&lol9;</name></component></metadata></bom>"
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE bom SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>'
    ),
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>'
    ),
}


class _CountingTreeBuilder:
    """The tree builder defusedxml hands the parser, counting what the document delivered."""

    seen: ClassVar[dict[str, int]] = {"elements": 0, "characters": 0}

    def __init__(self) -> None:
        self._builder = ElementTree.TreeBuilder()

    def start(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.seen["elements"] += 1
        return self._builder.start(tag, attrs)

    def data(self, text):  # type: ignore[no-untyped-def]
        self.seen["characters"] += len(text)
        return self._builder.data(text)

    def end(self, tag):  # type: ignore[no-untyped-def]
        return self._builder.end(tag)

    def close(self):  # type: ignore[no-untyped-def]
        return self._builder.close()


@pytest.mark.parametrize("case", sorted(XML_ATTACKS))
def test_xml_entity_tricks_are_refused_without_expansion(case, monkeypatch):
    """Refused at the declaration: no element and no character (so no expanded entity) reaches the
    tree. The refusal's time is in `python -m bench.uploads` (bench/RESULTS.md)."""
    import defusedxml.ElementTree

    def counting_fromstring(text, **flags):  # type: ignore[no-untyped-def]
        # defusedxml's own fromstring, with the counting tree builder; the reader's flags unchanged.
        parser = defusedxml.ElementTree.DefusedXMLParser(target=_CountingTreeBuilder(), **flags)
        parser.feed(text)
        return parser.close()

    monkeypatch.setattr(defusedxml.ElementTree, "fromstring", counting_fromstring)
    monkeypatch.setattr(_CountingTreeBuilder, "seen", {"elements": 0, "characters": 0})
    error = rejected(XML_ATTACKS[case])
    assert (
        error.message == "XML document type declarations, entities and external references are not allowed."
    )
    assert _CountingTreeBuilder.seen == {"elements": 0, "characters": 0}
    # The counter does see a document that is read.
    assert len(parse_sbom(samples.to_xml(samples.cyclonedx())).components) > 0
    assert _CountingTreeBuilder.seen["elements"] > 0 and _CountingTreeBuilder.seen["characters"] > 0


@pytest.mark.parametrize(
    ("data", "message", "location"),
    [
        (b"<html><body>hello</body></html>", "This XML document is not a CycloneDX BOM.", ""),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><spdx:SpdxDocument '
            b'xmlns:spdx="http://spdx.org/rdf/terms#"/></rdf:RDF>',
            "This XML document is not a CycloneDX BOM.",
            "",
        ),
        (
            b'<components xmlns="http://cyclonedx.org/schema/bom/1.5"/>',
            "This XML document is not a CycloneDX BOM.",
            "",
        ),
        (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.1"/>',
            "CycloneDX 1.1 is not supported; use a version from 1.2 to 1.7.",
            "bom",
        ),
        (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">\n<components>\n</bom>',
            "Malformed XML",
            "line 3, column 2",
        ),
        (b"<\x00\xff\xfe", "Malformed XML", "line 1, column 1"),
    ],
)
def test_xml_that_is_not_a_supported_bom(data, message, location):
    error = rejected(data)
    assert error.message.startswith(message)
    assert error.location == location


def _broken_spdx(change):
    document = samples.spdx()
    change(document)
    return document


SPDX_BREAKAGES = {
    "package without name": (
        lambda d: d["packages"][2].pop("name"),
        "packages[2].name",
        "Required field name is missing.",
    ),
    "package without SPDXID": (
        lambda d: d["packages"][1].pop("SPDXID"),
        "packages[1].SPDXID",
        "Required field SPDXID is missing.",
    ),
    "duplicate SPDXID": (
        lambda d: d["packages"][3].update(SPDXID="SPDXRef-App"),
        "packages[3].SPDXID",
        "Duplicate SPDXID SPDXRef-App.",
    ),
    "file reuses a package id": (
        lambda d: d["files"][0].update(SPDXID="SPDXRef-Package-django"),
        "files[0].SPDXID",
        "Duplicate SPDXID SPDXRef-Package-django.",
    ),
    "relationship to unknown element": (
        lambda d: d["relationships"][3].update(relatedSpdxElement="SPDXRef-ghost"),
        "relationships[3]",
        "Relationship refers to unknown element SPDXRef-ghost.",
    ),
    "relationship from unknown element": (
        lambda d: d["relationships"][1].update(spdxElementId="SPDXRef-ghost"),
        "relationships[1]",
        "Relationship refers to unknown element SPDXRef-ghost.",
    ),
    "invalid purl": (
        lambda d: d["packages"][1]["externalRefs"][1].update(referenceLocator="pkg:/django"),
        "packages[1].externalRefs[1].referenceLocator",
        "Component Django has an invalid package URL pkg:/django:",
    ),
    "bad checksum": (
        lambda d: d["packages"][1]["checksums"][0].update(checksumValue="not-hex"),
        "packages[1].checksums[0].checksumValue",
        "The sha256 hash is not a valid hexadecimal digest.",
    ),
}

SPDX_JSON_ONLY_BREAKAGES = {
    "packages is an object": (lambda d: d.update(packages={}), "packages", "Must be a list."),
    "version is a number": (
        lambda d: d["packages"][1].update(versionInfo=4),
        "packages[1].versionInfo",
        "Must be a string.",
    ),
    "relationship without type": (
        lambda d: d["relationships"][0].pop("relationshipType"),
        "relationships[0].relationshipType",
        "Required field relationshipType is missing.",
    ),
    "externalRefs holds a string": (
        lambda d: d["packages"][2]["externalRefs"].append("pkg:pypi/x@1"),
        "packages[2].externalRefs[1]",
        "Must be an object.",
    ),
}


@pytest.mark.parametrize("case", sorted(SPDX_BREAKAGES | SPDX_JSON_ONLY_BREAKAGES))
def test_invalid_spdx_json(case):
    change, location, message = (SPDX_BREAKAGES | SPDX_JSON_ONLY_BREAKAGES)[case]
    error = rejected(samples.to_json(_broken_spdx(change)))
    assert error.location == location
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    "case",
    [
        "duplicate SPDXID",
        "file reuses a package id",
        "relationship to unknown element",
        "relationship from unknown element",
        "invalid purl",
        "bad checksum",
    ],
)
def test_invalid_spdx_tag_value_names_the_line(case):
    change, _, message = SPDX_BREAKAGES[case]
    data = samples.to_tag_value(_broken_spdx(change))
    error = rejected(data)
    assert error.message.startswith(message)
    line = int(error.location.removeprefix("line "))
    # The reported line is the one carrying the bad value.
    assert data.decode().splitlines()[line - 1].split(":", 1)[0] in {
        "SPDXID",
        "Relationship",
        "ExternalRef",
        "PackageChecksum",
    }


def _tag_value_lines():
    return samples.to_tag_value(samples.spdx()).decode().splitlines()


def _with_line(index, text):
    lines = _tag_value_lines()
    lines.insert(index, text)
    return ("\n".join(lines) + "\n").encode()


END = len(_tag_value_lines())


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        (_with_line(11, "this line has no tag"), "line 12", "Expected a line of the form Tag: value."),
        (_with_line(14, "Package Version: 1"), "line 15", "Expected a line of the form Tag: value."),
        (_with_line(5, "PackageVersion: 1.0"), "line 6", "PackageVersion appears outside a package."),
        (
            _with_line(14, "PackageChecksum: 0123"),
            "line 15",
            "A checksum must look like SHA256: <hex digest>.",
        ),
        (
            _with_line(14, "ExternalRef: PACKAGE-MANAGER purl"),
            "line 15",
            "An external reference must look like",
        ),
        (_with_line(14, "PackageName:"), "line 15", "Required field PackageName is empty."),
        (
            _with_line(5, "FileChecksum: SHA256: " + "a" * 64),
            "line 6",
            "FileChecksum appears outside a file.",
        ),
        (
            _with_line(END, "Relationship: SPDXRef-App DEPENDS_ON"),
            f"line {END + 1}",
            "A relationship must look like",
        ),
        (
            _with_line(14, "PackageComment: <text>never closed"),
            "line 15",
            "This <text> block is never closed.",
        ),
        (
            b"SPDXVersion: SPDX-2.3\nPackageName: orphan\nPackageVersion: 1\n",
            "line 2",
            "Package orphan has no SPDXID.",
        ),
        (
            b"SPDXVersion: SPDX-2.3\nFileName: ./a\nFileChecksum: SHA1: " + b"a" * 40 + b"\n",
            "line 2",
            "File ./a has no SPDXID.",
        ),
        (b"SPDXVersion: SPDX-2.3\nDocumentName: caf\xe9\n", "line 2", "The file is not UTF-8 text."),
        (b"# comment\nSPDXVersion: SPDX-2.1\n", "line 2", "SPDX-2.1 is not supported"),
    ],
)
def test_invalid_spdx_tag_value(data, location, message):
    error = rejected(data)
    assert error.location == location
    assert error.message.startswith(message)


def test_tag_value_document_must_start_with_its_version():
    # Detection needs SPDXVersion first; anything else is not recognised as tag-value at all.
    assert rejected(b"DocumentName: x\nSPDXVersion: SPDX-2.3\n").message.startswith("This is not a CycloneDX")


def test_detection_looks_past_leading_whitespace_and_comments():
    assert parse_sbom(b" " * 1000 + samples.to_json(samples.cyclonedx())).spec_version == "1.5"
    without_declaration = samples.to_xml(samples.cyclonedx("1.6")).split(b"\n", 1)[1]
    assert parse_sbom(b"\n" * 700 + without_declaration).spec_version == "1.6"
    header = b"".join(b"# generated by a tool with a long banner line %d\n" % i for i in range(40))
    assert parse_sbom(header + samples.to_tag_value(samples.spdx())).format == sbom_document.SPDX_TAG_VALUE


def test_values_are_trimmed():
    document = samples.cyclonedx()
    document["components"][0].update(purl="  pkg:pypi/django@4.2.1 ", version=" 4.2.1 ")
    django = parse_sbom(samples.to_json(document)).components[0]
    assert (django.purl, django.version, django.ecosystem) == ("pkg:pypi/django@4.2.1", "4.2.1", "PyPI")
