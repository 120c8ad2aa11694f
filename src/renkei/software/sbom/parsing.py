"""SBOM parsing: detect the format of a document from its content and hand it to its reader.

`parse_sbom(data)` is the entry point of the pure SBOM engine (no Django); the readers live in
`cyclonedx.py` and `spdx.py`, the result types and shared helpers in `document.py`.
"""

from __future__ import annotations

import re

from renkei.software.sbom import cyclonedx, cyclonedx_xml, spdx
from renkei.software.sbom.document import ParsedSbom, SbomError, gettext_noop, load_json

_LEADING_SPACE = re.compile(rb"\s*")


def parse_sbom(data: bytes, *, filename: str = "") -> ParsedSbom:
    """Parse an SBOM document, detecting its format from the content.

    Supports CycloneDX 1.4–1.6 JSON and XML and SPDX 2.2/2.3 JSON and tag-value. `filename` is only
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
            return cyclonedx.parse_json(document)
        if "spdxVersion" in document:
            return spdx.parse_json(document)
        raise SbomError(
            gettext_noop("This JSON document is neither CycloneDX (bomFormat) nor SPDX (spdxVersion).")
        )
    if first == b"<":
        return cyclonedx_xml.parse_xml(data)
    if _looks_like_tag_value(head):
        return spdx.parse_tag_value(data)
    if first == b"[":
        raise SbomError(gettext_noop("The JSON document must be an object."))
    if filename:
        raise SbomError(
            gettext_noop("{filename} is not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value) document."),
            filename=filename,
        )
    raise SbomError(gettext_noop("This is not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value) document."))


def _looks_like_tag_value(head: bytes) -> bool:
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        return stripped.startswith(b"SPDXVersion:")
    return False
