"""Fingerprinting a large CSV table in parts: the text is cut at record boundaries (outside quoted
fields) and each part is read and fingerprinted, and matched against the ledger when one is given,
in its own forked process. Hashing millions of values is the slow part of a trace; `files` decides
the layout and the header and puts the parts together into a `Sample`.
"""

from __future__ import annotations

import csv
import gc
import multiprocessing
import operator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from renkei.incidents.leaks import fingerprinting, matching
from renkei.incidents.leaks.identity import Roles

MAX_COLUMNS = 200
CHUNK_ROWS = 20_000


def split_points(text: str, start: int, parts: int) -> list[int]:
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
class Part:
    fingerprints: fingerprinting.Fingerprints
    canary_hits: list[fingerprinting.CanaryHit]
    line_ends: np.ndarray  # per record: lines of the part read up to the end of the record
    line_offsets: np.ndarray  # where each line of the part starts (and, last, where the part ends)
    records: int
    error: tuple[int, str] | None = None
    # With a ledger given, the part is matched where it was read: its hits instead of fingerprints.
    hits: matching.Hits | None = None
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


def _fingerprint_part(bounds: tuple[int, int]) -> Part:
    # Millions of short-lived lists and strings, none in a cycle: the cyclic collector would only
    # walk them again and again (it doubled the time of this loop).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _fingerprint_part_of(bounds)
    finally:
        if enabled:
            gc.enable()


def _fingerprint_part_of(bounds: tuple[int, int]) -> Part:
    text: str = _JOB["text"]
    hasher: fingerprinting.Hasher = _JOB["hasher"]
    canaries: fingerprinting.CanaryIndex = _JOB["canaries"]
    roles: Roles | None = _JOB.get("roles")
    delimiter: str = _JOB["delimiter"]
    ledger: list[matching.LedgerEntry] | None = _JOB.get("ledger")
    # Matched here: rows with e-mails or phones get their whole-row fingerprint only if they match.
    rows_mode: bool | str = "unless_values" if ledger is not None else True
    quoted = text.find('"', bounds[0], bounds[1]) >= 0
    lines, line_offsets = _part_lines(text[bounds[0] : bounds[1]], quoted)
    parts: list[fingerprinting.TableFingerprints] = []
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
                parts.append(
                    fingerprinting.fingerprint_cells(cells, width, hasher, canaries=canaries, include_rows=rows_mode, roles=roles)
                )
            else:
                rows = [line.split(delimiter)[:MAX_COLUMNS] for line in chunk]
                parts.append(fingerprinting.fingerprint_table(rows, hasher, canaries=canaries, include_rows=rows_mode, roles=roles))
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
                    parts.append(fingerprinting.fingerprint_table(records, hasher, canaries=canaries, include_rows=rows_mode, roles=roles))
                    offsets.append(done)
                    done += len(records)
                    records = []
        except csv.Error as exc:
            # Reported by the parent with the line; a message cannot be translated in a child process.
            empty = np.zeros(0, np.int64)
            return Part(fingerprinting.Fingerprints.empty(), [], empty, empty, 0, error=(reader.line_num, str(exc)))
        if records:
            parts.append(fingerprinting.fingerprint_table(records, hasher, canaries=canaries, include_rows=rows_mode, roles=roles))
            offsets.append(done)
            done += len(records)
        ends = np.asarray(line_ends, dtype=np.int64)

        def record(index: int) -> list[str]:
            begin = int(ends[index - 1]) if index else 0
            return next(csv.reader(lines[begin : int(ends[index])], delimiter=delimiter), [])[:MAX_COLUMNS]

    fingerprints = _concat(parts, offsets)
    result = Part(fingerprints, _shift_hits(parts, offsets), ends, line_offsets, done)
    if ledger is not None:
        deferred = np.zeros(done, dtype=bool)
        for part, offset in zip(parts, offsets, strict=True):
            deferred[part.deferred + offset] = True

        def row_fingerprints(indices: np.ndarray) -> np.ndarray:
            table = fingerprinting.fingerprint_table([record(int(i)) for i in indices], hasher, include_values=False)
            out = np.zeros(indices.size, dtype=np.uint64)
            out[table.fingerprints.rows] = table.fingerprints.values
            return out

        result.hits = matching.find_hits(fingerprints, ledger, deferred=deferred, row_fingerprints=row_fingerprints)
        result.comparable = matching.comparable_rows(fingerprints, done) | deferred
        result.fingerprints = fingerprinting.Fingerprints.empty()  # not needed by the parent: not sent back
    return result


def _concat(parts: list[fingerprinting.TableFingerprints], offsets: list[int]) -> fingerprinting.Fingerprints:
    """The parts' fingerprints in one (not ordered by row: matching sorts only the rows that match)."""
    return fingerprinting.Fingerprints.concat([p.fingerprints for p in parts], offsets)


def _shift_hits(parts: list[fingerprinting.TableFingerprints], offsets: list[int]) -> list[fingerprinting.CanaryHit]:
    return [
        fingerprinting.CanaryHit(h.row + off, h.canary_id, h.kind, h.value)
        for part, off in zip(parts, offsets, strict=True)
        for h in part.canary_hits
    ]


def fingerprint_parts(
    text: str,
    bounds: list[tuple[int, int]],
    *,
    delimiter: str,
    hasher: fingerprinting.Hasher,
    canaries: fingerprinting.CanaryIndex,
    ledger: list[matching.LedgerEntry] | None,
    workers: int,
    roles: Roles | None = None,
) -> list[Part]:
    """Fingerprint (and, given the ledger, match) each text[start:end] of `bounds` as CSV records, in
    up to `workers` processes (this one included)."""
    _JOB.update(text=text, hasher=hasher, canaries=canaries, delimiter=delimiter, ledger=ledger, roles=roles)
    try:
        return _parallel(bounds, workers)
    finally:
        _JOB.clear()


def _parallel(bounds: list[tuple[int, int]], workers: int) -> list[Part]:
    if workers <= 1 or len(bounds) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_fingerprint_part(b) for b in bounds]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(bounds) - 1, mp_context=context) as pool:
        futures = [pool.submit(_fingerprint_part, b) for b in bounds[1:]]
        first = _fingerprint_part(bounds[0])  # this process takes a share too
        return [first, *(f.result() for f in futures)]
