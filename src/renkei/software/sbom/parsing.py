"""SBOM parsing: detect the format of a document from its content and hand it to its reader.

`parse_sbom(data)` is the entry point of the pure SBOM engine (no Django); the readers live in
`cyclonedx.py`, `cyclonedx_xml.py`, `spdx.py` and `spdx3.py`, the schema validation in
`validation.py`, the result types and shared helpers in `document.py`.
"""

from __future__ import annotations

import re

from renkei.software.sbom import cyclonedx, cyclonedx_xml, spdx, spdx3, validation
from renkei.software.sbom.document import CYCLONEDX_VERSIONS, ParsedSbom, SbomError, gettext_noop, load_json

_LEADING_SPACE = re.compile(rb"\s*")


def parse_sbom(data: bytes, *, filename: str = "", validate: bool = True) -> ParsedSbom:
    """Parse an SBOM document, detecting its format from the content.

    Supports CycloneDX 1.2–1.7 JSON and XML, SPDX 2.2/2.3 JSON and tag-value and SPDX 3.0 JSON-LD.
    With `validate` (the default) a CycloneDX document must conform to its version's official
    schema; without it, only what Renkei reads is checked (lenient reading). `filename` is only
    used in messages. Raises `SbomError` naming the field or line at fault; nothing is returned for
    a document that is partly invalid.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    leading = _LEADING_SPACE.match(data)
    start = leading.end() if leading else 0
    head = data[start : start + 8192]
    if not head:
        raise SbomError(gettext_noop("The file is empty."))
    first = head[:1]
    if first == b"{":
        document = load_json(data)
        if "bomFormat" in document:
            version = document.get("specVersion")
            if validate and document.get("bomFormat") == "CycloneDX" and version in CYCLONEDX_VERSIONS:
                validation.validate_json(document, version)
            return cyclonedx.parse_json(document)
        if "spdxVersion" in document:
            return spdx.parse_json(document)
        if "@context" in document or "@graph" in document:
            return spdx3.parse_jsonld(document)
        raise SbomError(
            gettext_noop(
                "This JSON document is neither CycloneDX (bomFormat) nor SPDX (spdxVersion, or @context for SPDX 3)."
            )
        )
    if first == b"<":
        return cyclonedx_xml.parse_xml(data, validate=validate)
    if _looks_like_tag_value(head):
        return spdx.parse_tag_value(data)
    if first == b"[":
        raise SbomError(gettext_noop("The JSON document must be an object."))
    if filename:
        raise SbomError(
            gettext_noop(
                "{filename} is not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value, JSON-LD) document."
            ),
            filename=filename,
        )
    raise SbomError(
        gettext_noop("This is not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value, JSON-LD) document.")
    )


def _looks_like_tag_value(head: bytes) -> bool:
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        return stripped.startswith(b"SPDXVersion:")
    return False
