"""Reading OSV advisories (https://ossf.github.io/osv-schema/) from files, directories and zips.

A pure engine (no Django). `iter_osv_files(paths)` yields the raw records from directory trees,
`.zip` archives laid out like osv.dev's per-ecosystem `all.zip`, and single .json/.yaml/.yml files;
`parse_advisory(data, source=...)` validates what Renkei uses and returns an `Advisory`.
`load_advisories(paths)` does both.

Archives are read lazily, one member at a time, with caps on the member count, the declared and
the actual sizes and the compression ratio, so a hostile archive cannot exhaust memory or disk.
Invalid input raises `OsvError` naming the file and the field at fault.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import yaml
from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from renkei.software.vulndb.versions import ecosystem_base, normalise_package_name

# The C loader is several times faster; both construct only plain data.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

OSV_SUFFIXES = (".json", ".yaml", ".yml")
MAX_ZIP_MEMBERS = 1_000_000
MAX_ZIP_TOTAL_BYTES = 2 * 1024**3
MAX_RECORD_BYTES = 20 * 1024**2
# OSV JSON compresses about 5-15×; far more means a crafted member ("zip bomb").
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECK_FROM_BYTES = 1024**2

SEVERITIES = ("critical", "high", "medium", "low", "unknown")
_DATABASE_RATINGS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "low",
}
_CVSS_PRIORITY = {"CVSS_V4": 3, "CVSS_V3": 2, "CVSS_V2": 1}
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


def gettext_noop(message: str) -> str:
    """Mark a message for translation (Django's makemessages picks it up) without translating it."""
    return message


class OsvError(ValueError):
    """An OSV source or record is unreadable or invalid; `source` names the file, `field` the field.

    `template` and `params` let a caller translate: ``gettext(err.template).format(**err.params)``.
    """

    def __init__(self, message: str, *, source: str = "", field: str = "", **params: object) -> None:
        self.template = message
        self.params = {"field": field, **params} if field else params
        self.message = message.format(**self.params) if self.params else message
        self.source = source
        self.field = field
        super().__init__(f"{source}: {self.message}" if source else self.message)


@dataclass(slots=True)
class AffectedSpec:
    """One `affected` entry: the package (ecosystem without release suffix, normalised name), its
    ranges as OSV has them (`type`, `events`, optional `repo`) and the enumerated `versions`."""

    ecosystem: str
    name: str
    ranges: list[dict[str, Any]]
    versions: list[str]


@dataclass(slots=True)
class Advisory:
    """An OSV record reduced to what Renkei uses. `severity` is one of `SEVERITIES`."""

    id: str
    aliases: list[str]
    modified: datetime
    published: datetime | None
    withdrawn: datetime | None
    summary: str
    details: str
    severity: str
    cvss_score: float | None
    cvss_vector: str
    affected: list[AffectedSpec]
    references: list[str]
    # Where `severity` comes from: "CVSS_V4", "CVSS_V3", "CVSS_V2", "database" (a label such as
    # GitHub's `database_specific.severity`) or "" when there is none.
    severity_method: str = ""


@dataclass(frozen=True, slots=True)
class Rating:
    """The severity one OSV record gives: its level, CVSS score and vector, method and record ID."""

    record: str
    severity: str
    score: float | None = None
    vector: str = ""
    method: str = ""

    @classmethod
    def of(cls, advisory: Advisory) -> Rating | None:
        if advisory.severity == "unknown":
            return None
        return cls(advisory.id, advisory.severity, advisory.cvss_score, advisory.cvss_vector, advisory.severity_method)

    def as_json(self) -> dict[str, Any]:
        return {"record": self.record, "severity": self.severity, "score": self.score, "vector": self.vector,
                "method": self.method}


def best_rating(ratings: Iterable[Rating | None]) -> Rating | None:
    """The rating a vulnerability known under several records (PYSEC, GHSA, CVE …) takes.

    Any record that has a rating counts; the highest level wins (a security team plans for the
    worst reading), then a CVSS-scored rating over a bare label, then the newer CVSS version and
    the higher score, then the record ID (so the choice does not depend on import order).
    """
    known = [r for r in ratings if r is not None and r.severity in SEVERITIES[:-1]]
    if not known:
        return None
    return min(
        known,
        key=lambda r: (
            SEVERITIES.index(r.severity),
            -_CVSS_PRIORITY.get(r.method, 0),
            -(r.score or 0.0),
            r.record,
        ),
    )


# --- Sources --------------------------------------------------------------------------------------


def iter_osv_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, bytes]]:
    """Yield `(source, raw bytes)` for every OSV record under `paths`, in a stable order.

    A path may be a directory (searched recursively for .json/.yaml/.yml and .zip files), a .zip
    archive (members ending in .json/.yaml/.yml; the source is "archive.zip:member") or a single
    record file. Raises `OsvError` for a missing path, an unsupported file or an unsafe archive.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _iter_directory(path)
        elif path.is_file():
            yield from _iter_file(path, explicit=True)
        else:
            raise OsvError(gettext_noop("No such file or directory."), source=str(path))


def _iter_directory(root: Path) -> Iterator[tuple[str, bytes]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            yield from _iter_file(Path(dirpath) / filename, explicit=False)


def _iter_file(path: Path, *, explicit: bool) -> Iterator[tuple[str, bytes]]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _iter_zip(path)
    elif suffix in OSV_SUFFIXES:
        try:
            too_big = path.stat().st_size > MAX_RECORD_BYTES
            data = b"" if too_big else path.read_bytes()
        except OSError as exc:
            message = gettext_noop("Cannot read the file: {error}")
            raise OsvError(message, source=str(path), error=exc.strerror or str(exc)) from exc
        if too_big:
            raise OsvError(gettext_noop("The record is larger than 20 MB."), source=str(path))
        yield str(path), data
    elif explicit:
        raise OsvError(gettext_noop("Not a directory, .zip, .json or .yaml file."), source=str(path))


def _iter_zip(path: Path) -> Iterator[tuple[str, bytes]]:
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise OsvError(gettext_noop("Not a readable zip archive."), source=source) from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise OsvError(gettext_noop("The archive has more than 1,000,000 files."), source=source)
        if sum(info.file_size for info in members) > MAX_ZIP_TOTAL_BYTES:
            raise OsvError(gettext_noop("The archive unpacks to more than 2 GB."), source=source)
        read_total = 0
        for info in members:
            if not info.filename.lower().endswith(OSV_SUFFIXES):
                continue
            member = f"{source}:{info.filename}"
            if info.file_size > MAX_RECORD_BYTES:
                raise OsvError(gettext_noop("The record is larger than 20 MB."), source=member)
            if info.file_size > _RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                raise OsvError(gettext_noop("The record is compressed suspiciously well."), source=member)
            try:
                with archive.open(info) as handle:
                    # Read at most one byte more than allowed: the header's sizes may lie.
                    data = handle.read(MAX_RECORD_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
                raise OsvError(gettext_noop("Cannot read the archive member."), source=member) from exc
            read_total += len(data)
            if len(data) > MAX_RECORD_BYTES or read_total > MAX_ZIP_TOTAL_BYTES:
                raise OsvError(gettext_noop("The archive unpacks to more than its limits."), source=member)
            yield member, data


def load_advisories(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Advisory]:
    """Parse every record under `paths` (see `iter_osv_files`); raises `OsvError` on the first bad one."""
    for source, data in iter_osv_files(paths):
        yield parse_advisory(data, source=source)


# --- Records --------------------------------------------------------------------------------------


def parse_advisory(data: bytes, *, source: str) -> Advisory:
    """Validate one OSV record (JSON or YAML, chosen by `source`'s suffix or the first byte).

    `modified` is required; `affected[].package` entries without a package are skipped (they can
    only be matched by commit). Raises `OsvError` naming `source` and the field at fault.
    """
    doc = _decode(data, source)
    reader = _Reader(source)
    if not isinstance(doc, dict):
        raise OsvError(gettext_noop("The record must be an object."), source=source)
    advisory_id = reader.req_str(doc, "id", "id")
    affected_raw = reader.opt_list(doc, "affected", "affected")
    severity, score, vector, method = _severity(doc, affected_raw)
    return Advisory(
        id=advisory_id,
        aliases=[
            reader.string(a, f"aliases[{i}]")
            for i, a in enumerate(reader.opt_list(doc, "aliases", "aliases"))
        ],
        modified=reader.req_time(doc, "modified"),
        published=reader.opt_time(doc, "published"),
        withdrawn=reader.opt_time(doc, "withdrawn"),
        summary=reader.opt_str(doc, "summary", "summary"),
        details=reader.opt_str(doc, "details", "details"),
        severity=severity,
        cvss_score=score,
        cvss_vector=vector,
        affected=[spec for i, entry in enumerate(affected_raw) if (spec := _affected(reader, entry, i))],
        references=[
            ref["url"]
            for ref in reader.opt_list(doc, "references", "references")
            if isinstance(ref, dict) and isinstance(ref.get("url"), str)
        ],
        severity_method=method,
    )


def _decode(data: bytes, source: str) -> Any:
    lower = source.lower()
    as_json = lower.endswith(".json") or (
        not lower.endswith((".yaml", ".yml")) and data.lstrip()[:1] in (b"{", b"[")
    )
    try:
        if as_json:
            return orjson.loads(data)
        return yaml.load(data, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader (plain data only)
    except orjson.JSONDecodeError as exc:
        raise OsvError(gettext_noop("Invalid JSON: {error}"), source=source, error=str(exc)) from exc
    except yaml.YAMLError as exc:
        raise OsvError(gettext_noop("Invalid YAML: {error}"), source=source, error=str(exc)) from exc


def _affected(reader: _Reader, entry: Any, index: int) -> AffectedSpec | None:
    where = f"affected[{index}]"
    reader.require(isinstance(entry, dict), where, gettext_noop("{field} must be an object."))
    package = entry.get("package")
    if package is None:
        return None
    reader.require(isinstance(package, dict), f"{where}.package", gettext_noop("{field} must be an object."))
    ecosystem = ecosystem_base(reader.req_str(package, "ecosystem", f"{where}.package.ecosystem"))
    name = reader.req_str(package, "name", f"{where}.package.name")
    ranges = []
    for j, raw in enumerate(reader.opt_list(entry, "ranges", f"{where}.ranges")):
        at = f"{where}.ranges[{j}]"
        reader.require(isinstance(raw, dict), at, gettext_noop("{field} must be an object."))
        kind = reader.req_str(raw, "type", f"{at}.type")
        events = []
        for k, event in enumerate(reader.opt_list(raw, "events", f"{at}.events")):
            ev_at = f"{at}.events[{k}]"
            keys = [key for key in _EVENT_KINDS if isinstance(event, dict) and key in event]
            reader.require(
                len(keys) == 1,
                ev_at,
                gettext_noop("{field} must have exactly one of introduced, fixed, last_affected, limit."),
            )
            events.append({keys[0]: reader.string(event[keys[0]], f"{ev_at}.{keys[0]}")})
        reader.require(bool(events), f"{at}.events", gettext_noop("{field} must not be empty."))
        range_spec: dict[str, Any] = {"type": kind, "events": events}
        if isinstance(raw.get("repo"), str):
            range_spec["repo"] = raw["repo"]
        ranges.append(range_spec)
    versions = [
        reader.string(v, f"{where}.versions[{j}]")
        for j, v in enumerate(reader.opt_list(entry, "versions", f"{where}.versions"))
    ]
    return AffectedSpec(
        ecosystem=ecosystem, name=normalise_package_name(ecosystem, name), ranges=ranges, versions=versions
    )


class _Reader:
    """Field accessors that raise `OsvError` naming the source and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def require(self, ok: bool, field: str, message: str) -> None:
        if not ok:
            raise OsvError(message, source=self.source, field=field)

    def string(self, value: Any, field: str) -> str:
        # YAML reads an unquoted 2 as a number; an integer is unambiguous, a float ("1.10") is not.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.require(isinstance(value, str), field, gettext_noop("{field} must be a string."))
        return value

    def req_str(self, obj: dict[str, Any], key: str, field: str) -> str:
        value = self.string(obj.get(key), field)
        self.require(bool(value.strip()), field, gettext_noop("{field} must not be empty."))
        return value

    def opt_str(self, obj: dict[str, Any], key: str, field: str) -> str:
        value = obj.get(key)
        return "" if value is None else self.string(value, field)

    def opt_list(self, obj: dict[str, Any], key: str, field: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        self.require(isinstance(value, list), field, gettext_noop("{field} must be a list."))
        return value

    def req_time(self, obj: dict[str, Any], key: str) -> datetime:
        value = self.opt_time(obj, key)
        if value is None:
            raise OsvError(gettext_noop("{field} is required."), source=self.source, field=key)
        return value

    def opt_time(self, obj: dict[str, Any], key: str) -> datetime | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day, tzinfo=UTC)
        else:
            try:
                parsed = datetime.fromisoformat(self.string(value, key))
            except ValueError as exc:
                message = gettext_noop("{field} must be an RFC 3339 date and time.")
                raise OsvError(message, source=self.source, field=key) from exc
        # A time without a zone is taken as UTC, as OSV timestamps are.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def headline(details: str, limit: int = 160) -> str:
    """A one-line stand-in for a missing summary: the first sentence of the details, shortened."""
    text = " ".join(details.split())
    end = text.find(". ")
    if 0 < end < limit:
        return text[: end + 1]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Severity -------------------------------------------------------------------------------------


def rating_for_score(score: float) -> str:
    """CVSS qualitative rating: 9.0+ critical, 7.0+ high, 4.0+ medium, otherwise low."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    # 0.0 is CVSS's "none"; we have no such level and still list the finding, so it counts as low.
    return "low"


_CVSS_CLASSES: dict[str, Callable[[str], Any]] = {"CVSS_V4": CVSS4, "CVSS_V3": CVSS3, "CVSS_V2": CVSS2}


@lru_cache(maxsize=8192)
def cvss_base_score(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector via the `cvss` library; None when the vector is malformed."""
    parse = _CVSS_CLASSES.get(kind)
    if parse is None:
        return None
    try:
        return float(parse(vector).base_score)
    except (CVSSError, ValueError, KeyError, TypeError):
        return None


def _severity(doc: dict[str, Any], affected: list[Any]) -> tuple[str, float | None, str, str]:
    entries = list(doc.get("severity") or [])
    ratings = [(doc.get("database_specific") or {}).get("severity")]
    for entry in affected:
        if isinstance(entry, dict):
            entries += entry.get("severity") or []
            for extra in ("database_specific", "ecosystem_specific"):
                block = entry.get(extra)
                if isinstance(block, dict):
                    ratings.append(block.get("severity"))
    # The newest CVSS version wins; within it, the highest score (packages may differ).
    best: tuple[int, float, str, str] | None = None
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("score"), str):
            continue
        kind = entry.get("type")
        priority = _CVSS_PRIORITY.get(kind) if isinstance(kind, str) else None
        if priority is None:
            ratings.append(entry["score"])  # e.g. Ubuntu's own rating in the score field
            continue
        score = cvss_base_score(kind, entry["score"])
        if score is not None and (best is None or (priority, score) > best[:2]):
            best = (priority, score, str(entry["score"]), str(kind))
    if best is not None:
        return rating_for_score(best[1]), best[1], best[2], best[3]
    levels = [_DATABASE_RATINGS.get(r.strip().lower()) for r in ratings if isinstance(r, str)]
    known = [level for level in levels if level]
    if known:
        return min(known, key=SEVERITIES.index), None, "", "database"
    return "unknown", None, "", ""
