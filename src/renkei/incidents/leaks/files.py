"""Reading a leaked sample (CSV, Excel .xlsx, or a text dump with unknown columns) into fingerprints.

The safe reading of uploads is core's (`core.files.tabular`): its encoding detection (UTF-8,
UTF-16 with BOM, CP932) and its workbook checks (zip bombs, XML entities) before openpyxl sees a
byte. Its row cap is for imports; a leak may have millions of rows, so rows are read here.

A CSV is a table when its first records split consistently into two or more fields; the first record
is a header when it names known columns (or has no e-mail or phone where the other rows have them).
Anything else is read as text: every e-mail address and phone number in it is found by pattern, and a
line is a row. A big CSV file is split at record boundaries into parts that parallel processes
(fork) fingerprint and, given the ledger, also match (`csv_parts`): hashing millions of values is
the slow part.
The dataset we are about to share is read by `outgoing`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import cell_text, decode_text, is_workbook, open_workbook, refuse_unreadable
from renkei.incidents.leaks import csv_parts, fingerprinting, matching
from renkei.incidents.leaks.canaries import classify_columns, column_roles, looks_like_header
from renkei.incidents.leaks.identity import Roles

MAX_ROWS = 5_000_000
LAYOUT_SAMPLE = 200
# Below this many characters (some 250,000 rows) one process is quicker than starting others.
PARALLEL_FROM_CHARS = 25_000_000
DELIMITERS = (",", "\t", ";", "|")
_PHONE_IN_TEXT = re.compile(
    r"(?<![\d+])(?:\+81[ -]?|0)(?:\d{1,4}[ -]?\(?\d{1,4}\)?[ -]?\d{4}|\d{9,10})(?!\d)"
)
_LONE_CR = re.compile(rb"\r(?!\n)")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー－"})
TEXT_PREVIEW = 300


@dataclass
class Sample:
    """A leaked sample as fingerprints, with a way back to any row's text for the evidence."""

    filename: str
    mode: str  # "csv", "xlsx" or "text"
    header: list[str]
    rows_total: int
    fingerprints: fingerprinting.Fingerprints
    canary_hits: list[fingerprinting.CanaryHit]
    locate: Callable[[Sequence[int]], dict[int, tuple[str, list[str]]]] = field(repr=False)
    # When read with a ledger (large CSV files): already matched, in the reading processes.
    hits: matching.Hits | None = None
    comparable: np.ndarray | None = None


def too_many_rows() -> RenkeiError:
    return RenkeiError(
        _("The file has more than {limit} rows; split it into several files.").format(limit=f"{MAX_ROWS:,}"),
        field_name="file",
    )


# --- layout of a text file ----------------------------------------------------------------------


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[: 1_000_000], newline=""), delimiter=delimiter)
    try:
        return [r for r in itertools.islice(reader, limit) if any(c.strip() for c in r)]
    except csv.Error:
        return []


def _plain_newlines(text: str) -> str:
    """Newlines as "\\n" only (a lone CR would stop the CSV reader), and no NUL characters."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "") if "\x00" in text else text


def detect_layout(text: str) -> str | None:
    """The CSV delimiter when the text is a table, else None (a text dump)."""
    first = text[:100_000].lstrip("\n").split("\n", 1)[0]
    for delimiter in sorted(DELIMITERS, key=lambda d: -first.count(d)):
        if first.count(delimiter) == 0:
            break
        records = _records(text, delimiter, LAYOUT_SAMPLE)
        if not records:
            continue
        widths = [len(r) for r in records]
        common = max(set(widths), key=widths.count)
        if common >= 2 and widths.count(common) >= 0.9 * len(widths):
            return delimiter
    return None


def _lines_from(text: str, start: int = 0) -> Iterator[str]:
    """Lines of text[start:] with their newlines, without copying the whole text at once."""
    pos, size = start, len(text)
    while pos < size:
        end = text.find("\n", pos)
        end = size if end < 0 else end + 1
        yield text[pos:end]
        pos = end


def _header_end(text: str, delimiter: str) -> tuple[list[str], int]:
    """The first record and the character offset where the next record starts."""
    lines = _lines_from(text)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        first = next(reader, [])
    except csv.Error:
        return [], 0
    return first, sum(len(line) for line in itertools.islice(_lines_from(text), reader.line_num))


def _read_csv_sample(
    text: str,
    delimiter: str,
    filename: str,
    hasher: fingerprinting.Hasher,
    canaries: fingerprinting.CanaryIndex,
    workers: int,
    ledger: list[matching.LedgerEntry] | None,
) -> Sample:
    first, after_first = _header_end(text, delimiter)
    header_rows = _records(text[after_first : after_first + 1_000_000], delimiter, LAYOUT_SAMPLE)
    has_header = looks_like_header(first) or header_by_types(first, header_rows)
    roles = sample_roles(first, header_rows) if has_header else sample_roles([], [first, *header_rows])
    start = after_first if has_header else 0
    first_line = text.count("\n", 0, start) + 1 if has_header else 1
    parts_wanted = workers if len(text) - start >= PARALLEL_FROM_CHARS else 1
    points = csv_parts.split_points(text, start, parts_wanted)
    bounds = list(itertools.pairwise(points))
    parts = csv_parts.fingerprint_parts(
        text, bounds, delimiter=delimiter, hasher=hasher, canaries=canaries, ledger=ledger, workers=workers, roles=roles
    )
    line_starts = [first_line - 1]  # lines before each part, for the row numbers shown
    for part in parts[:-1]:
        line_starts.append(line_starts[-1] + part.line_offsets.size - 1)
    for part, before in zip(parts, line_starts, strict=True):
        if part.error is not None:
            raise RenkeiError(
                _("The CSV file is malformed near line {line}: {problem}").format(
                    line=before + part.error[0], problem=part.error[1]
                ),
                field_name="file",
            )
    offsets = list(itertools.accumulate([0, *(p.records for p in parts[:-1])]))
    total = offsets[-1] + parts[-1].records
    if total > MAX_ROWS:
        raise too_many_rows()
    hits = [fingerprinting.CanaryHit(h.row + off, h.canary_id, h.kind, h.value) for p, off in zip(parts, offsets, strict=True) for h in p.canary_hits]

    def locate(indices: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        out: dict[int, tuple[str, list[str]]] = {}
        wanted = sorted(set(int(i) for i in indices if 0 <= i < total))
        for part_no, group in itertools.groupby(wanted, key=lambda i: bisect_right(offsets, i) - 1):
            part, start = parts[part_no], bounds[part_no][0]
            for index in group:
                local = index - offsets[part_no]
                begin = int(part.line_ends[local - 1]) if local else 0
                end = int(part.line_ends[local])
                source = text[start + int(part.line_offsets[begin]) : start + int(part.line_offsets[end])]
                record = next(csv.reader(source.splitlines(keepends=True), delimiter=delimiter), [])
                out[index] = (str(line_starts[part_no] + begin + 1), record)
        return out

    sample = Sample(
        filename=filename,
        mode="csv",
        header=first if has_header else [],
        rows_total=total,
        fingerprints=fingerprinting.Fingerprints.concat([p.fingerprints for p in parts], offsets),
        canary_hits=hits,
        locate=locate,
    )
    if ledger is not None:
        sample.hits = matching.merge_hits([p.hits or matching.Hits() for p in parts], offsets)
        sample.comparable = np.concatenate([p.comparable for p in parts if p.comparable is not None])
    return sample


def sample_roles(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Roles:
    """Which columns of a sample hold names, addresses, postal codes, birth dates and member numbers:
    by the header, or by the values when the header says nothing (renamed or missing)."""
    return column_roles(classify_columns(header, rows[:LAYOUT_SAMPLE]))


def header_by_types(first: Sequence[str], rows: Sequence[Sequence[str]]) -> bool:
    """No header word, but the first row lacks the e-mails or phones its columns hold below it."""
    if not rows:
        return False
    for index, cell in enumerate(first):
        column = [fingerprinting.normalise(r[index]) for r in rows if index < len(r) and r[index].strip()]
        if len(column) < 3:
            continue
        for test in (fingerprinting.is_email, fingerprinting.is_phone):
            if sum(map(test, column)) >= 0.8 * len(column) and not test(fingerprinting.normalise(cell)):
                return True
    return False


# --- text dumps ---------------------------------------------------------------------------------


def _read_text_sample(text: str, filename: str, hasher: fingerprinting.Hasher, canaries: fingerprinting.CanaryIndex) -> Sample:
    folded = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    raw_lines = text.split("\n")
    if len(raw_lines) > MAX_ROWS:
        raise too_many_rows()
    starts = list(itertools.accumulate((len(line) + 1 for line in folded.split("\n")), initial=0))
    found: list[tuple[int, int, str]] = []
    for match in fingerprinting.EMAIL_IN_TEXT.finditer(folded):
        found.append((bisect_right(starts, match.start()) - 1, fingerprinting.EMAIL, match.group()))
    for match in _PHONE_IN_TEXT.finditer(folded):
        digits = fingerprinting.normalise(match.group())
        if fingerprinting.is_phone(digits):
            found.append((bisect_right(starts, match.start()) - 1, fingerprinting.PHONE, digits))
    found.sort()
    result = fingerprinting.fingerprint_values(found, hasher, canaries=canaries)

    def locate(indices: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        return {
            int(i): (str(int(i) + 1), [raw_lines[int(i)].strip()[:TEXT_PREVIEW]])
            for i in indices
            if 0 <= i < len(raw_lines)
        }

    return Sample(filename, "text", [], len(raw_lines), result.fingerprints, result.canary_hits, locate)


# --- workbooks ----------------------------------------------------------------------------------


def workbook_sheets(data: bytes) -> list[tuple[str, list[tuple[int, list[Any]]]]]:
    """Every worksheet's non-empty rows (row number, raw cell values), after the zip checks."""
    sheets: list[tuple[str, list[tuple[int, list[Any]]]]] = []
    total = 0
    with open_workbook(data) as workbook:
        for worksheet in workbook.worksheets:
            rows: list[tuple[int, list[Any]]] = []
            for number, values in enumerate(worksheet.iter_rows(max_col=csv_parts.MAX_COLUMNS, values_only=True), start=1):
                if any(v not in (None, "") for v in values):
                    rows.append((number, list(values)))
                    total += 1
                    if total > MAX_ROWS:
                        raise too_many_rows()
            sheets.append((worksheet.title, rows))
    return sheets


def _read_xlsx_sample(data: bytes, filename: str, hasher: fingerprinting.Hasher, canaries: fingerprinting.CanaryIndex) -> Sample:
    located: list[tuple[str, list[str]]] = []
    parts: list[fingerprinting.TableFingerprints] = []
    offsets: list[int] = []
    header: list[str] = []
    for title, rows in workbook_sheets(data):
        texts = [(number, [cell_text(v) for v in values]) for number, values in rows]
        if not texts:
            continue
        first = texts[0][1]
        has_header = looks_like_header(first) or header_by_types(first, [t for _n, t in texts[1:LAYOUT_SAMPLE]])
        body = texts[1:] if has_header else texts
        header = header or (first if has_header else [])
        roles = sample_roles(first if has_header else [], [t for _n, t in body[:LAYOUT_SAMPLE]])
        for start in range(0, len(body), csv_parts.CHUNK_ROWS):
            chunk = body[start : start + csv_parts.CHUNK_ROWS]
            offsets.append(len(located))
            parts.append(fingerprinting.fingerprint_table([cells for _n, cells in chunk], hasher, canaries=canaries, roles=roles))
            located.extend((f"{title}!{number}", cells) for number, cells in chunk)
    hits = [fingerprinting.CanaryHit(h.row + off, h.canary_id, h.kind, h.value) for p, off in zip(parts, offsets, strict=True) for h in p.canary_hits]

    def locate(indices: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        return {int(i): located[int(i)] for i in indices if 0 <= i < len(located)}

    fps = fingerprinting.Fingerprints.concat([p.fingerprints for p in parts], offsets)
    return Sample(filename, "xlsx", header, len(located), fps, hits, locate)


def read_sample(
    data: bytes,
    *,
    filename: str,
    hasher: fingerprinting.Hasher,
    canaries: fingerprinting.CanaryIndex | None = None,
    encoding: str = "auto",
    max_bytes: int,
    workers: int = 1,
    ledger: list[matching.LedgerEntry] | None = None,
) -> Sample:
    """Fingerprint a leaked sample; raise RenkeiError with a clear message for a file we refuse.

    Given the ledger, a CSV table is also matched against it where it is read, part by part in
    parallel processes (`Sample.hits`); other samples are matched afterwards (`matching.match`)."""
    refuse_unreadable(data, filename, max_bytes)
    canaries = canaries or {}
    name = PurePath(filename).name or "sample"
    if is_workbook(data, filename):
        return _read_xlsx_sample(data, name, hasher, canaries)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Newlines and NULs are looked at on the bytes, several times faster than on the text: in UTF-8
        # and CP932 a 0x0D, 0x0A or 0x00 byte is always that character itself (not so in UTF-16).
        # A CSV saved on Windows ends its lines with CR LF: the readers cope with that (in the parallel
        # parts). Only a CR without LF (old Mac line ends) would stop the CSV reader: those become LF.
        if b"\r" in data and _LONE_CR.search(data) is not None:  # a third of the time of counting CRs
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        text = decode_text(data, encoding)  # refuses binary files (control characters at the start)
        if b"\x00" in data:
            text = text.replace("\x00", "")
    else:
        text = _plain_newlines(decode_text(data, encoding))
    delimiter = detect_layout(text)
    if delimiter is None:
        return _read_text_sample(text, name, hasher, canaries)
    return _read_csv_sample(text, delimiter, name, hasher, canaries, workers, ledger)
