"""Reading a leaked sample (CSV, Excel .xlsx, or a text dump with unknown columns) into fingerprints.

The safe reading of uploads is core's (`core.files.tabular`): its encoding detection (UTF-8,
UTF-16 with BOM, CP932) and its workbook checks (zip bombs, XML entities) before openpyxl sees a
byte. Its row cap is for imports; a leak may have millions of rows, so rows are read here.

A CSV is a table when its first records split consistently into two or more fields; the first record
is a header when it names known columns (or has no e-mail or phone where the other rows have them).
Anything else is read as text: every e-mail address and phone number in it is found by pattern, and a
line is a row. A big CSV file is split at record boundaries into parts that parallel processes
(fork) fingerprint and, given the ledger, also match: hashing millions of values is the slow part.
The dataset we are about to share is read by `leak_outgoing`.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import multiprocessing
import operator
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import cell_text, decode_text, is_workbook, open_workbook, refuse_unreadable
from renkei.incidents import leak_match, leaks
from renkei.incidents.leak_canaries import looks_like_header

MAX_ROWS = 5_000_000
MAX_COLUMNS = 200
CHUNK_ROWS = 20_000
LAYOUT_SAMPLE = 200
# Below this many characters (some 250,000 rows) one process is quicker than starting others.
PARALLEL_FROM_CHARS = 25_000_000
DELIMITERS = (",", "\t", ";", "|")
_PHONE_IN_TEXT = re.compile(
    r"(?<![\d+])(?:\+81[ -]?|0)(?:\d{1,4}[ -]?\(?\d{1,4}\)?[ -]?\d{4}|\d{9,10})(?!\d)"
)
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー－"})
TEXT_PREVIEW = 300


@dataclass
class Sample:
    """A leaked sample as fingerprints, with a way back to any row's text for the evidence."""

    filename: str
    mode: str  # "csv", "xlsx" or "text"
    header: list[str]
    rows_total: int
    fingerprints: leaks.Fingerprints
    canary_hits: list[leaks.CanaryHit]
    locate: Callable[[Sequence[int]], dict[int, tuple[str, list[str]]]] = field(repr=False)
    # When read with a ledger (large CSV files): already matched, in the reading processes.
    hits: leak_match.Hits | None = None
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


def _split_points(text: str, start: int, parts: int) -> list[int]:
    """Offsets that cut text[start:] into about equal parts at newlines outside quoted fields."""
    points = [start]
    length = len(text) - start
    for index in range(1, parts):
        target = start + length * index // parts
        pos = text.find("\n", max(target, points[-1]))
        quotes = text.count('"', points[-1], pos) if pos >= 0 else 0
        # An odd number of quotes since the last cut means the newline is inside a quoted field.
        while pos >= 0 and quotes % 2:
            nxt = text.find("\n", pos + 1)
            quotes += text.count('"', pos, nxt) if nxt >= 0 else 0
            pos = nxt
        if pos < 0:
            break
        points.append(pos + 1)
    points.append(len(text))
    return points


# --- fingerprinting a CSV table, in parts --------------------------------------------------------


@dataclass
class _Part:
    fingerprints: leaks.Fingerprints
    canary_hits: list[leaks.CanaryHit]
    line_ends: np.ndarray  # per record: lines of the part read up to the end of the record
    line_offsets: np.ndarray  # where each line of the part starts (and, last, where the part ends)
    records: int
    error: tuple[int, str] | None = None
    # With a ledger given, the part is matched where it was read: its hits instead of fingerprints.
    hits: leak_match.Hits | None = None
    comparable: np.ndarray | None = None


# Line breaks that str.splitlines knows besides "\n" (CR is already gone): a part holding one is split
# on "\n" by hand.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _part_lines(part: str, quoted: bool) -> tuple[list[str], np.ndarray]:
    """The part's lines and where each starts. With quotes, each line keeps its newline (the CSV
    reader needs it inside quoted fields); without, a line is only split at the delimiter."""
    if not quoted:
        lines = part.split("\n")
        if lines and not lines[-1]:
            lines.pop()
        extra = 1
    elif not any(c in part for c in _OTHER_BREAKS):
        lines, extra = part.splitlines(keepends=True), 0
    else:
        lines, extra = [line + "\n" for line in part.split("\n")], 0
        if lines[-1] == "\n":
            lines.pop()
        else:
            lines[-1] = lines[-1][:-1]
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)) + extra, out=offsets[1:])
    return lines, offsets


# Set before worker processes are forked, so the text, key and canaries are inherited, not pickled.
_JOB: dict[str, Any] = {}


def _fingerprint_part(bounds: tuple[int, int]) -> _Part:
    # Millions of short-lived lists and strings, none in a cycle: the cyclic collector would only
    # walk them again and again (it doubled the time of this loop).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _fingerprint_part_of(bounds)
    finally:
        if enabled:
            gc.enable()


def _fingerprint_part_of(bounds: tuple[int, int]) -> _Part:
    text: str = _JOB["text"]
    hasher: leaks.Hasher = _JOB["hasher"]
    canaries: Mapping[str, int] = _JOB["canaries"]
    delimiter: str = _JOB["delimiter"]
    ledger: list[leak_match.LedgerEntry] | None = _JOB.get("ledger")
    # Matched here: rows with e-mails or phones get their whole-row fingerprint only if they match.
    rows_mode: bool | str = "unless_values" if ledger is not None else True
    quoted = text.find('"', bounds[0], bounds[1]) >= 0
    lines, line_offsets = _part_lines(text[bounds[0] : bounds[1]], quoted)
    parts: list[leaks.TableFingerprints] = []
    offsets: list[int] = []
    done = 0
    if not quoted:
        # One record per line, split at the delimiter: what the CSV reader would return, at a third
        # of its cost.
        count = operator.methodcaller("count", delimiter)
        for start in range(0, len(lines), CHUNK_ROWS):
            chunk = lines[start : start + CHUNK_ROWS]
            widths = set(map(count, chunk))
            width = widths.pop() + 1 if len(widths) == 1 else 0
            if 1 < width <= MAX_COLUMNS:
                # Every line has as many fields: all the cells of the chunk as one string.
                cells = "\x00".join(chunk).replace(delimiter, "\x00")
                if "\r" in cells:  # CR LF line ends: the CR ends each row's last cell
                    cells = cells.replace("\r\x00", "\x00").removesuffix("\r")
                parts.append(leaks.fingerprint_cells(cells, width, hasher, canaries=canaries, include_rows=rows_mode))
            else:
                rows = [line.split(delimiter)[:MAX_COLUMNS] for line in chunk]
                parts.append(leaks.fingerprint_table(rows, hasher, canaries=canaries, include_rows=rows_mode))
            offsets.append(start)
        done = len(lines)
        ends = np.arange(1, done + 1, dtype=np.int64)

        def record(index: int) -> list[str]:
            return lines[index].split(delimiter)[:MAX_COLUMNS]

    else:
        reader = csv.reader(lines, delimiter=delimiter)
        line_ends: list[int] = []
        records: list[list[str]] = []
        try:
            for row in reader:
                records.append(row if len(row) <= MAX_COLUMNS else row[:MAX_COLUMNS])
                line_ends.append(reader.line_num)
                if len(records) == CHUNK_ROWS:
                    parts.append(leaks.fingerprint_table(records, hasher, canaries=canaries, include_rows=rows_mode))
                    offsets.append(done)
                    done += len(records)
                    records = []
        except csv.Error as exc:
            # Reported by the parent with the line; a message cannot be translated in a child process.
            empty = np.zeros(0, np.int64)
            return _Part(leaks.Fingerprints.empty(), [], empty, empty, 0, error=(reader.line_num, str(exc)))
        if records:
            parts.append(leaks.fingerprint_table(records, hasher, canaries=canaries, include_rows=rows_mode))
            offsets.append(done)
            done += len(records)
        ends = np.asarray(line_ends, dtype=np.int64)

        def record(index: int) -> list[str]:
            begin = int(ends[index - 1]) if index else 0
            return next(csv.reader(lines[begin : int(ends[index])], delimiter=delimiter), [])[:MAX_COLUMNS]

    fingerprints = _concat(parts, offsets)
    result = _Part(fingerprints, _shift_hits(parts, offsets), ends, line_offsets, done)
    if ledger is not None:
        deferred = np.zeros(done, dtype=bool)
        for part, offset in zip(parts, offsets, strict=True):
            deferred[part.deferred + offset] = True

        def row_fingerprints(indices: np.ndarray) -> np.ndarray:
            table = leaks.fingerprint_table([record(int(i)) for i in indices], hasher, include_values=False)
            out = np.zeros(indices.size, dtype=np.uint64)
            out[table.fingerprints.rows] = table.fingerprints.values
            return out

        result.hits = leak_match.find_hits(fingerprints, ledger, deferred=deferred, row_fingerprints=row_fingerprints)
        result.comparable = leak_match.comparable_rows(fingerprints, done) | deferred
        result.fingerprints = leaks.Fingerprints.empty()  # not needed by the parent: not sent back
    return result


def _concat(parts: list[leaks.TableFingerprints], offsets: list[int]) -> leaks.Fingerprints:
    """The parts' fingerprints in one, ordered by row (as matching wants them; done here, in the
    parallel workers, rather than once for the whole sample)."""
    joined = leaks.Fingerprints.concat([p.fingerprints for p in parts], offsets)
    by_row = np.argsort(joined.rows, kind="stable")
    return leaks.Fingerprints(joined.values[by_row], joined.rows[by_row], joined.kinds[by_row])


def _shift_hits(parts: list[leaks.TableFingerprints], offsets: list[int]) -> list[leaks.CanaryHit]:
    return [
        leaks.CanaryHit(h.row + off, h.canary_id, h.kind, h.value)
        for part, off in zip(parts, offsets, strict=True)
        for h in part.canary_hits
    ]


def _parallel(bounds: list[tuple[int, int]], workers: int) -> list[_Part]:
    if workers <= 1 or len(bounds) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_fingerprint_part(b) for b in bounds]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(bounds) - 1, mp_context=context) as pool:
        futures = [pool.submit(_fingerprint_part, b) for b in bounds[1:]]
        first = _fingerprint_part(bounds[0])  # this process takes a share too
        return [first, *(f.result() for f in futures)]


def _read_csv_sample(
    text: str,
    delimiter: str,
    filename: str,
    hasher: leaks.Hasher,
    canaries: Mapping[str, int],
    workers: int,
    ledger: list[leak_match.LedgerEntry] | None,
) -> Sample:
    first, after_first = _header_end(text, delimiter)
    header_rows = _records(text[after_first : after_first + 1_000_000], delimiter, LAYOUT_SAMPLE)
    has_header = looks_like_header(first) or header_by_types(first, header_rows)
    start = after_first if has_header else 0
    first_line = text.count("\n", 0, start) + 1 if has_header else 1
    parts_wanted = workers if len(text) - start >= PARALLEL_FROM_CHARS else 1
    points = _split_points(text, start, parts_wanted)
    bounds = list(itertools.pairwise(points))
    _JOB.update(text=text, hasher=hasher, canaries=canaries, delimiter=delimiter, ledger=ledger)
    try:
        parts = _parallel(bounds, workers)
    finally:
        _JOB.clear()
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
    hits = [leaks.CanaryHit(h.row + off, h.canary_id, h.kind, h.value) for p, off in zip(parts, offsets, strict=True) for h in p.canary_hits]

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
        fingerprints=leaks.Fingerprints.concat([p.fingerprints for p in parts], offsets),
        canary_hits=hits,
        locate=locate,
    )
    if ledger is not None:
        sample.hits = leak_match.merge_hits([p.hits or leak_match.Hits() for p in parts], offsets)
        sample.comparable = np.concatenate([p.comparable for p in parts if p.comparable is not None])
    return sample


def header_by_types(first: Sequence[str], rows: Sequence[Sequence[str]]) -> bool:
    """No header word, but the first row lacks the e-mails or phones its columns hold below it."""
    if not rows:
        return False
    for index, cell in enumerate(first):
        column = [leaks.normalise(r[index]) for r in rows if index < len(r) and r[index].strip()]
        if len(column) < 3:
            continue
        for test in (leaks.is_email, leaks.is_phone):
            if sum(map(test, column)) >= 0.8 * len(column) and not test(leaks.normalise(cell)):
                return True
    return False


# --- text dumps ---------------------------------------------------------------------------------


def _read_text_sample(text: str, filename: str, hasher: leaks.Hasher, canaries: Mapping[str, int]) -> Sample:
    folded = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    raw_lines = text.split("\n")
    if len(raw_lines) > MAX_ROWS:
        raise too_many_rows()
    starts = list(itertools.accumulate((len(line) + 1 for line in folded.split("\n")), initial=0))
    found: list[tuple[int, int, str]] = []
    for match in leaks.EMAIL_IN_TEXT.finditer(folded):
        found.append((bisect_right(starts, match.start()) - 1, leaks.EMAIL, match.group()))
    for match in _PHONE_IN_TEXT.finditer(folded):
        digits = leaks.normalise(match.group())
        if leaks.is_phone(digits):
            found.append((bisect_right(starts, match.start()) - 1, leaks.PHONE, digits))
    found.sort()
    result = leaks.fingerprint_values(found, hasher, canaries=canaries)

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
            for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if any(v not in (None, "") for v in values):
                    rows.append((number, list(values)))
                    total += 1
                    if total > MAX_ROWS:
                        raise too_many_rows()
            sheets.append((worksheet.title, rows))
    return sheets


def _read_xlsx_sample(data: bytes, filename: str, hasher: leaks.Hasher, canaries: Mapping[str, int]) -> Sample:
    located: list[tuple[str, list[str]]] = []
    parts: list[leaks.TableFingerprints] = []
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
        for start in range(0, len(body), CHUNK_ROWS):
            chunk = body[start : start + CHUNK_ROWS]
            offsets.append(len(located))
            parts.append(leaks.fingerprint_table([cells for _n, cells in chunk], hasher, canaries=canaries))
            located.extend((f"{title}!{number}", cells) for number, cells in chunk)
    hits = [leaks.CanaryHit(h.row + off, h.canary_id, h.kind, h.value) for p, off in zip(parts, offsets, strict=True) for h in p.canary_hits]

    def locate(indices: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        return {int(i): located[int(i)] for i in indices if 0 <= i < len(located)}

    fps = leaks.Fingerprints.concat([p.fingerprints for p in parts], offsets)
    return Sample(filename, "xlsx", header, len(located), fps, hits, locate)


def read_sample(
    data: bytes,
    *,
    filename: str,
    hasher: leaks.Hasher,
    canaries: Mapping[str, int] | None = None,
    encoding: str = "auto",
    max_bytes: int,
    workers: int = 1,
    ledger: list[leak_match.LedgerEntry] | None = None,
) -> Sample:
    """Fingerprint a leaked sample; raise RenkeiError with a clear message for a file we refuse.

    Given the ledger, a CSV table is also matched against it where it is read, part by part in
    parallel processes (`Sample.hits`); other samples are matched afterwards (`leak_match.match`)."""
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
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
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
