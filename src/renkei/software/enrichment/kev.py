"""The CISA Known Exploited Vulnerabilities catalogue: JSON (known_exploited_vulnerabilities.json)
or the CSV with the same columns, parsed and checked into plain values (no database)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from renkei.software.enrichment.files import EnrichmentError

CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,}$")
MAX_PROBLEMS = 20
COLUMNS = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription",
           "requiredAction", "dueDate", "knownRansomwareCampaignUse")


@dataclass(frozen=True)
class KevRecord:
    cve_id: str
    vendor_project: str
    product: str
    name: str
    date_added: dt.date
    short_description: str
    required_action: str
    due_date: dt.date | None
    ransomware_use: str


@dataclass(frozen=True)
class KevCatalogue:
    version: str
    released: dt.datetime | None
    records: list[KevRecord]


def parse_kev(text: str) -> KevCatalogue:
    """The catalogue in `text` (JSON or CSV). Every row is checked; problems (up to 20, each naming
    the row and the field) are raised together as one `EnrichmentError`."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise EnrichmentError(_("The file is not valid JSON (line {line}).").format(line=exc.lineno)) from exc
        if not isinstance(data, dict) or not isinstance(data.get("vulnerabilities"), list):
            raise EnrichmentError(_("This is not a CISA KEV catalogue: the vulnerabilities list is missing."))
        rows: list[Any] = data["vulnerabilities"]
        version = str(data.get("catalogVersion") or "")[:100]
        released = _datetime(data.get("dateReleased"))
    else:
        reader = csv.DictReader(io.StringIO(stripped))
        missing = [c for c in ("cveID", "dateAdded") if c not in (reader.fieldnames or [])]
        if missing:
            raise EnrichmentError(
                _("This is not a CISA KEV catalogue: the column {column} is missing.").format(column=missing[0])
            )
        rows, version, released = list(reader), "", None
    records: dict[str, KevRecord] = {}
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            record = _record(row)
        except EnrichmentError as exc:
            problems.append(_("Entry {number}: {problem}").format(number=number, problem=exc))
            continue
        known = records.get(record.cve_id)
        if known is None or record.date_added < known.date_added:
            records[record.cve_id] = record
    if problems:
        raise EnrichmentError("\n".join(_limit(problems)))
    if not records:
        raise EnrichmentError(_("The catalogue lists no vulnerabilities."))
    return KevCatalogue(version=version, released=released, records=list(records.values()))


def _limit(problems: list[str]) -> list[str]:
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(_("… and {count} more problems.").format(count=len(problems) - MAX_PROBLEMS))
    return shown


def _record(row: Any) -> KevRecord:
    if not isinstance(row, dict):
        raise EnrichmentError(_("not an object"))
    cve = str(row.get("cveID") or "").strip().upper()
    if not CVE_RE.match(cve):
        raise EnrichmentError(_("cveID is not a CVE ID: {value}").format(value=cve[:40] or "—"))
    added = _date(row.get("dateAdded"), "dateAdded", required=True)
    assert added is not None
    return KevRecord(
        cve_id=cve,
        vendor_project=_text(row.get("vendorProject"), 300),
        product=_text(row.get("product"), 300),
        name=_text(row.get("vulnerabilityName"), 500),
        date_added=added,
        short_description=_text(row.get("shortDescription"), 5000),
        required_action=_text(row.get("requiredAction"), 5000),
        due_date=_date(row.get("dueDate"), "dueDate", required=False),
        ransomware_use=_text(row.get("knownRansomwareCampaignUse"), 20),
    )


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _date(value: Any, field: str, *, required: bool) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise EnrichmentError(_("{field} is missing").format(field=field))
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise EnrichmentError(_("{field} is not a date: {value}").format(field=field, value=text[:40])) from exc


def _datetime(value: Any) -> dt.datetime | None:
    text = str(value or "").strip().replace("Z", "+00:00")
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
