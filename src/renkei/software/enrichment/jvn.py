"""Reading JVN iPedia / MyJVN XML (a pure engine): Japanese titles and summaries per JVNDB id.

Two published formats are read, by element names (their namespace versions change over time):
- RSS 1.0 with the `sec:` module (MyJVN `getVulnOverviewList`, the iPedia `jvndb*.rdf` feeds):
  `item` → `title`, `description`, `link`, `sec:identifier` (JVNDB-…), `sec:references` with
  `source="CVE"`/`"NVD"` and `id="CVE-…"`, `dcterms:issued`, `dcterms:modified`;
- VULDEF (MyJVN `getVulnDetailInfo`): `Vulinfo` → `VulinfoID`, `VulinfoData/Title`,
  `VulinfoDescription/Overview`, `Related/RelatedItem/VulinfoID` (CVE-…), `DateFirstPublished`,
  `DateLastUpdated`.
Parsed with defusedxml: a DTD, an entity or an external reference is refused, never expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from renkei.software.enrichment.nvd import CVE_ID, EnrichmentError, parse_time, read_bytes
from renkei.software.vulndb.osv import gettext_noop

# MyJVN answers hold at most a few thousand records; a yearly iPedia feed is some tens of MB.
MAX_JVN_BYTES = 512 * 1024**2
JVNDB_ID = re.compile(r"JVNDB-\d{4}-\d{1,8}")


@dataclass(slots=True)
class JvnRecord:
    jvndb_id: str
    title: str
    summary: str
    url: str
    cve_ids: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: Element, name: str) -> Element | None:
    for child in elem:
        if _local(child.tag) == name:
            return child
    return None


def _text(elem: Element | None) -> str:
    return "".join(elem.itertext()).strip() if elem is not None else ""


def read_jvn_file(path: Path) -> list[JvnRecord]:
    return parse_jvn(read_bytes(path, limit=MAX_JVN_BYTES), source=path.name)


def parse_jvn(data: bytes, *, source: str = "") -> list[JvnRecord]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise EnrichmentError(
            gettext_noop("XML document type declarations, entities and external references are not allowed."),
            source=source,
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise EnrichmentError(
            gettext_noop("Malformed XML: {error}."), source=source, field=f"line {line}, column {column}",
            error=str(exc),
        ) from None
    kind = _local(root.tag)
    if kind == "RDF":
        records = [_rss_item(item, source) for item in root if _local(item.tag) == "item"]
    elif kind == "VULDEF-Document":
        records = [_vuldef(info, source) for info in root if _local(info.tag) == "Vulinfo"]
    else:
        raise EnrichmentError(
            gettext_noop("This is neither a JVN RSS (RDF) nor a VULDEF document."), source=source
        )
    return [r for r in records if r is not None]


def _checked_id(value: str, source: str, where: str) -> str:
    if not JVNDB_ID.fullmatch(value):
        raise EnrichmentError(gettext_noop("The JVNDB id is missing or malformed."), source=source, field=where)
    return value


def _safe_url(value: str) -> str:
    return value[:300] if value.startswith(("https://", "http://")) else ""


def _rss_item(item: Element, source: str) -> JvnRecord | None:
    identifier = ""
    cves: list[str] = []
    for child in item:
        name = _local(child.tag)
        if name == "identifier":
            identifier = _text(child)
        elif name == "references":
            ref = child.get("id") or _text(child)
            if CVE_ID.fullmatch(ref) and ref not in cves:
                cves.append(ref)
    if not identifier.startswith("JVNDB-"):
        return None  # a JVN (vendor-coordinated) item without an iPedia id: not ours to key
    jvndb_id = _checked_id(identifier, source, f"item[{identifier}]")
    return JvnRecord(
        jvndb_id=jvndb_id,
        title=_text(_child(item, "title"))[:500],
        summary=_text(_child(item, "description"))[:10000],
        url=_safe_url(_text(_child(item, "link"))),
        cve_ids=cves[:100],
        published=parse_time(_text(_child(item, "issued")) or _text(_child(item, "date"))),
        modified=parse_time(_text(_child(item, "modified"))),
    )


def _vuldef(info: Element, source: str) -> JvnRecord | None:
    jvndb_id = _checked_id(_text(_child(info, "VulinfoID")), source, "Vulinfo.VulinfoID")
    data = _child(info, "VulinfoData")
    if data is None:
        raise EnrichmentError(gettext_noop("The record has no VulinfoData."), source=source, field=jvndb_id)
    description = _child(data, "VulinfoDescription")
    cves: list[str] = []
    related = _child(data, "Related")
    for item in related if related is not None else []:
        ref = _text(_child(item, "VulinfoID"))
        if CVE_ID.fullmatch(ref) and ref not in cves:
            cves.append(ref)
    return JvnRecord(
        jvndb_id=jvndb_id,
        title=_text(_child(data, "Title"))[:500],
        summary=_text(_child(description, "Overview") if description is not None else None)[:10000],
        url=f"https://jvndb.jvn.jp/ja/contents/{jvndb_id[6:10]}/{jvndb_id}.html",
        cve_ids=cves[:100],
        published=parse_time(_text(_child(data, "DateFirstPublished"))),
        modified=parse_time(_text(_child(data, "DateLastUpdated"))),
    )
