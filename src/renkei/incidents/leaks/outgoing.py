"""The dataset we are about to share: read (CSV or .xlsx, first row naming the columns), fingerprinted,
and written back in the same format and encoding with the canary rows mixed in. Reading reuses the
safe upload checks of `core.files.tabular`."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import cell_text, decode_text, is_workbook, refuse_unreadable
from renkei.incidents.leaks import fingerprinting
from renkei.incidents.leaks.canaries import Canary, classify_columns, typed_value
from renkei.incidents.leaks.csv_parts import CHUNK_ROWS
from renkei.incidents.leaks.files import (
    LAYOUT_SAMPLE,
    MAX_ROWS,
    detect_layout,
    too_many_rows,
    workbook_sheets,
)
from renkei.incidents.leaks.identity import Roles


@dataclass
class Outgoing:
    """A dataset to share: its header and rows as text (for fingerprints and canaries) and as the
    file's own values (to write back unchanged)."""

    filename: str
    file_format: str  # "csv" or "xlsx"
    header: list[str]
    rows: list[list[str]]
    raw_rows: list[list[Any]] = field(default_factory=list)  # workbook cells, typed
    encoding: str = "utf-8"
    delimiter: str = ","
    bom: bool = False
    other_sheets: list[tuple[str, list[list[Any]]]] = field(default_factory=list)
    sheet_title: str = ""
    header_raw: list[Any] = field(default_factory=list)


def _codec(data: bytes) -> tuple[str, bool]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp932", False
    return "utf-8", data.startswith(b"\xef\xbb\xbf")


def read_outgoing(data: bytes, *, filename: str, encoding: str = "auto", max_bytes: int) -> Outgoing:
    """Read a CSV or .xlsx dataset about to be shared: a table whose first row names the columns."""
    refuse_unreadable(data, filename, max_bytes)
    name = PurePath(filename).name or "dataset"
    if is_workbook(data, filename):
        sheets = workbook_sheets(data)
        main = next((i for i, (_t, rows) in enumerate(sheets) if rows), None)
        if main is None:
            raise RenkeiError(_("The file has no rows."), field_name="file")
        title, rows = sheets[main]
        header_raw = rows[0][1]
        out = Outgoing(
            filename=name,
            file_format="xlsx",
            header=[cell_text(v) for v in header_raw],
            rows=[[cell_text(v) for v in values] for _n, values in rows[1:]],
            raw_rows=[values for _n, values in rows[1:]],
            other_sheets=[(t, [v for _n, v in r]) for i, (t, r) in enumerate(sheets) if i != main],
            sheet_title=title,
            header_raw=header_raw,
        )
    else:
        text = decode_text(data, encoding)
        codec, bom = _codec(data) if encoding == "auto" else (encoding, False)
        delimiter = detect_layout(text)
        if delimiter is None:
            raise RenkeiError(_("The file is not a table: save it as CSV with a header row, or as .xlsx."), field_name="file")
        try:
            records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error as exc:
            raise RenkeiError(_("The CSV file is malformed: {problem}").format(problem=str(exc)), field_name="file") from exc
        if len(records) > MAX_ROWS:
            raise too_many_rows()
        out = Outgoing(
            filename=name, file_format="csv", header=records[0], rows=records[1:], encoding=codec, delimiter=delimiter, bom=bom
        )
    if not out.rows:
        raise RenkeiError(_("The file has no rows."), field_name="file")
    return out


def fingerprint_outgoing(
    rows: Sequence[Sequence[str]], hasher: fingerprinting.Hasher, *, roles: Roles | None = None
) -> np.ndarray:
    """All fingerprints of the rows as they will be sent (canaries included), sorted and unique:
    whole rows, e-mails, phones and, given the columns' `roles`, the identifying keys."""
    values = [
        fingerprinting.fingerprint_table(rows[i : i + CHUNK_ROWS], hasher, roles=roles).fingerprints.values
        for i in range(0, len(rows), CHUNK_ROWS)
    ]
    return np.unique(np.concatenate(values)) if values else np.zeros(0, np.uint64)


def mix_in(rows: list[Any], canaries: Sequence[Any], rng: random.Random) -> list[Any]:
    """The rows with the canaries inserted at random positions (never first, so they do not stand out)."""
    out = list(rows)
    for canary in canaries:
        out.insert(rng.randint(1, len(out)) if out else 0, canary)
    return out


def write_outgoing(dataset: Outgoing, canaries: Sequence[Canary], rng: random.Random) -> bytes:
    """The file to send: the same rows, in the same format and encoding, with the canaries mixed in."""
    if dataset.file_format == "csv":
        rows = mix_in(dataset.rows, [c.row for c in canaries], rng)
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=dataset.delimiter, lineterminator="\r\n")
        writer.writerow(dataset.header)
        writer.writerows(rows)
        text = out.getvalue()
        if dataset.encoding == "utf-16":
            return text.encode("utf-16")
        prefix = b"\xef\xbb\xbf" if dataset.bom else b""
        return prefix + text.encode(dataset.encoding, errors="strict")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sample = dataset.raw_rows[:LAYOUT_SAMPLE]
    typed = [
        [typed_value(text, [r[i] if i < len(r) else None for r in sample]) for i, text in enumerate(c.row)]
        for c in canaries
    ]
    sheet = workbook.create_sheet(dataset.sheet_title or "Sheet1")
    sheet.append(dataset.header_raw)
    for row in mix_in(dataset.raw_rows, typed, rng):
        sheet.append(row)
    for title, rows in dataset.other_sheets:
        other = workbook.create_sheet(title)
        for row in rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_styles(dataset: Outgoing) -> list[Any]:
    """Kinds and writing styles of the dataset's columns (for canaries and the ledger)."""
    return classify_columns(dataset.header, dataset.rows[:LAYOUT_SAMPLE])
