"""Reading NVD CVE JSON 2.0 feed files (`nvdcve-2.0-*.json`, gzipped or not): a pure engine.

`read_nvd_file(path)` returns one `NvdRecord` per `vulnerabilities[].cve`: the best CVSS metric
(the newest CVSS version; NVD's own "Primary" metric before a CNA's "Secondary"; scored with the
`cvss` library as the OSV import does), the CWE ids and the dates. Invalid input raises
`EnrichmentError` naming the file and the field; nothing is returned half-read.

Safety: the compressed and the decompressed size are capped (`MAX_FEED_BYTES`, a gzip bomb stops
at the cap), JSON is parsed with orjson (no object hooks, nesting limited by orjson itself).
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from renkei.software.vulndb.osv import cvss_base_score, gettext_noop, rating_for_score

# The largest yearly NVD 2.0 feed is about 500 MB uncompressed; the cap leaves room.
MAX_FEED_BYTES = 1536 * 1024**2
CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}")
CWE_ID = re.compile(r"CWE-\d{1,6}")
_METRICS = (("cvssMetricV40", "CVSS_V4"), ("cvssMetricV31", "CVSS_V3"), ("cvssMetricV30", "CVSS_V3"),
            ("cvssMetricV2", "CVSS_V2"))


class EnrichmentError(ValueError):
    """An enrichment file is unreadable or invalid; translatable like `osv.OsvError`."""

    def __init__(self, message: str, *, source: str = "", field: str = "", **params: object) -> None:
        self.template = message
        self.params = params
        self.message = message.format(**params) if params else message
        self.source = source
        self.field = field
        super().__init__(f"{source}: {self.message}" if source else self.message)


@dataclass(slots=True)
class NvdRecord:
    cve_id: str
    severity: str
    score: float | None
    vector: str
    method: str
    last_modified: datetime
    cwes: list[str] = field(default_factory=list)
    published: datetime | None = None


def read_bytes(path: Path, *, limit: int = MAX_FEED_BYTES) -> bytes:
    """The file's content, gunzipped when it is gzip, refusing more than `limit` bytes either way."""
    source = str(path.name)
    try:
        with path.open("rb") as handle:
            magic = handle.read(2)
            handle.seek(0)
            if magic == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = unzipped.read(limit + 1)
            else:
                data = handle.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise EnrichmentError(gettext_noop("The file cannot be read: {error}"), source=source, error=str(exc)) from None
    if len(data) > limit:
        raise EnrichmentError(
            gettext_noop("The file is larger than {limit} MB (uncompressed)."), source=source, limit=limit // 2**20
        )
    return data


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_nvd_file(path: Path) -> list[NvdRecord]:
    """Every CVE of one NVD CVE JSON 2.0 feed file (see the module docstring)."""
    return parse_nvd(read_bytes(path), source=path.name)


def parse_nvd(data: bytes, *, source: str = "") -> list[NvdRecord]:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise EnrichmentError(gettext_noop("Malformed JSON: {error}"), source=source, error=str(exc)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise EnrichmentError(
            gettext_noop("This is not an NVD CVE JSON 2.0 feed (no “vulnerabilities” list)."), source=source
        )
    records = []
    for index, item in enumerate(doc["vulnerabilities"]):
        where = f"vulnerabilities[{index}].cve"
        cve = item.get("cve") if isinstance(item, dict) else None
        if not isinstance(cve, dict):
            raise EnrichmentError(gettext_noop("The entry has no “cve” object."), source=source, field=where)
        records.append(_record(cve, source=source, where=where))
    return records


def _record(cve: dict[str, Any], *, source: str, where: str) -> NvdRecord:
    cve_id = cve.get("id")
    if not isinstance(cve_id, str) or not CVE_ID.fullmatch(cve_id):
        raise EnrichmentError(gettext_noop("The CVE id is missing or malformed."), source=source, field=f"{where}.id")
    modified = parse_time(cve.get("lastModified"))
    if modified is None:
        raise EnrichmentError(
            gettext_noop("The date is missing or malformed."), source=source, field=f"{where}.lastModified"
        )
    severity, score, vector, method = _best_metric(cve.get("metrics"))
    return NvdRecord(
        cve_id=cve_id,
        severity=severity,
        score=score,
        vector=vector,
        method=method,
        cwes=_cwes(cve.get("weaknesses")),
        published=parse_time(cve.get("published")),
        last_modified=modified,
    )


def _best_metric(metrics: Any) -> tuple[str, float | None, str, str]:
    """(severity, score, vector, method) of the newest CVSS version; NVD's Primary metric first."""
    if not isinstance(metrics, dict):
        return "unknown", None, "", ""
    for key, method in _METRICS:
        entries = [m for m in metrics.get(key) or [] if isinstance(m, dict) and isinstance(m.get("cvssData"), dict)]
        entries.sort(key=lambda m: m.get("type") != "Primary")
        for entry in entries:
            data = entry["cvssData"]
            vector = data.get("vectorString")
            if not isinstance(vector, str) or len(vector) > 200:
                continue
            score = cvss_base_score(method, vector)
            if score is None:
                continue  # a vector the cvss library cannot score is not trusted
            return rating_for_score(score), score, vector, method
    return "unknown", None, "", ""


def _cwes(weaknesses: Any) -> list[str]:
    found: list[str] = []
    for weakness in weaknesses if isinstance(weaknesses, list) else []:
        for desc in (weakness.get("description") or []) if isinstance(weakness, dict) else []:
            value = desc.get("value") if isinstance(desc, dict) else None
            if isinstance(value, str) and CWE_ID.fullmatch(value) and value not in found:
                found.append(value)
    return found[:20]
