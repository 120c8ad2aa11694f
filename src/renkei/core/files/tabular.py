"""The one safe reader of uploaded tables: CSV/TSV text and Excel .xlsx workbooks, as rows of text.

Uploads are untrusted. Excel workbooks are zip files of XML, so before openpyxl sees one we check
the zip itself: member count, total unpacked size and compression ratio (zip bombs), and no
DOCTYPE in any XML part (entity expansion; openpyxl also parses through defusedxml, see
`renkei/__init__.py`, and is opened read-only without external links). Text is decoded as UTF-8
(with or without BOM), UTF-16 with BOM or CP932 (what Japanese Excel writes), and binary content
is refused. Rows and columns are capped; the caps here are the import's, and a reader with other
needs (a leaked sample of millions of rows, a check sheet) passes its own. Exports quote cells that
would start a formula (`FORMULA_STARTS`); reading takes that quote off again. Every problem is a
`RenkeiError` with a message a person can act on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import ZIP_MAGIC, limit_mb, too_large

# Caps of an import (one sheet is one kind of records); read at call time, so tests can lower them.
MAX_ROWS_PER_SHEET = 20_000
MAX_COLUMNS = 60
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
# Worksheet XML compresses well (often 10–30×); far beyond that is a bomb, not a spreadsheet.
MAX_COMPRESSION_RATIO = 150
RATIO_CHECK_FROM_BYTES = 1024 * 1024
EXCEL_MAX_ROW = 1_048_576

# CP932 is the superset of Shift_JIS that Japanese Windows and Excel actually write.
ENCODINGS = {
    "auto": "auto",
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "cp932": "cp932",
    "ms932": "cp932",
    "windows-31j": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
}
# What upload forms offer (every reader accepts these and the other names above).
ENCODING_CHOICES = [("auto", gettext_lazy("Detect")), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Exports prefix these with a quote so spreadsheet programs do not run them as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RawSheet:
    """One sheet's non-empty rows: (row number as a spreadsheet shows it, cell texts)."""

    title: str
    rows: list[tuple[int, list[str]]]


def refuse_unreadable(data: bytes, filename: str, limit: int, *, csv_accepted: bool = True) -> None:
    """Refuse what no reader can take: over the size limit (413), empty, or an old/encrypted .xls."""
    if len(data) > limit:
        raise too_large(limit)
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy it all
        raise RenkeiError(_("The file is empty."), field_name="file")
    if data.startswith(OLE_MAGIC) or PurePath(filename).suffix.lower() == ".xls":
        if csv_accepted:
            message = _("This is an old Excel (.xls) or password-protected file. Save it as .xlsx without a password, or as CSV.")
        else:
            message = _("This is an old Excel (.xls) or password-protected file. Save it as .xlsx without a password.")
        raise RenkeiError(message, field_name="file")


def is_workbook(data: bytes, filename: str) -> bool:
    return data.startswith(ZIP_MAGIC) or PurePath(filename).suffix.lower() in {".xlsx", ".xlsm"}


# --- CSV -----------------------------------------------------------------------------------------


def decode_text(data: bytes, encoding: str = "auto") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or CP932 as saved by Japanese Excel."""
    codec = ENCODINGS.get(encoding.strip().lower().replace("_", "-"))
    if codec is None:
        raise RenkeiError(_("Unknown text encoding: {encoding}").format(encoding=encoding), field_name="encoding")
    if codec != "auto":
        candidates = [codec]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "cp932"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text.lstrip("\ufeff")
    raise RenkeiError(
        _("This is not a CSV or Excel file, or its text encoding is unknown. Save it as CSV (UTF-8 or Shift_JIS) or as .xlsx."),
        field_name="file",
    )


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    return any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in sample)


def read_csv(data: bytes, *, encoding: str = "auto", title: str = "CSV") -> RawSheet:
    """One sheet of text cells (comma- or tab-separated); the row number counts records as a
    spreadsheet shows them."""
    text = decode_text(data, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for record in reader:
            number += 1
            if any(cell.strip() for cell in record):
                rows.append((number, [clean_text(c) for c in record]))
                _check_row_cap(len(rows), title)
    except csv.Error as exc:
        raise RenkeiError(
            _("The CSV file is malformed near row {row}: {problem}").format(row=number + 1, problem=str(exc)),
            field_name="file",
        ) from exc
    return RawSheet(title=title, rows=rows)


def _check_row_cap(count: int, title: str) -> None:
    # The header is one of the counted rows.
    if count > MAX_ROWS_PER_SHEET + 1:
        raise RenkeiError(
            _("{sheet} has more than {limit} rows; split it into several files.").format(
                sheet=title, limit=f"{MAX_ROWS_PER_SHEET:,}"
            ),
            field_name="file",
        )


# --- Excel ---------------------------------------------------------------------------------------


def check_workbook_zip(data: bytes) -> None:
    """Refuse anything that is not a plausible .xlsx before any XML is parsed."""
    not_workbook = RenkeiError(_("This is not an Excel workbook (.xlsx)."), field_name="file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise not_workbook from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise RenkeiError(_("The workbook has too many parts to be a spreadsheet."), field_name="file")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise RenkeiError(
                _("The workbook is too large when unpacked (limit {limit} MB).").format(limit=limit_mb(MAX_UNPACKED_BYTES)),
                field_name="file",
            )
        for member in members:
            if (
                member.file_size > RATIO_CHECK_FROM_BYTES
                and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
            ):
                raise RenkeiError(
                    _("The workbook is compressed suspiciously well and was refused for safety."), field_name="file"
                )
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") and n.endswith(".xml") for n in names):
            raise not_workbook
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                try:
                    with archive.open(member) as part:
                        head = part.read(4096)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
                    raise not_workbook from exc
                if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
                    raise RenkeiError(_("The workbook contains XML that is not allowed."), field_name="file")


def _damaged() -> RenkeiError:
    return RenkeiError(_("The workbook could not be read; it may be damaged."), field_name="file")


@contextmanager
def open_workbook(data: bytes) -> Iterator[Any]:
    """The checked workbook opened read-only (values, no external links), closed afterwards.

    openpyxl raises many types for a damaged file, also while rows are iterated (malformed sheet
    XML): inside the block they become the one "may be damaged" error; a RenkeiError passes."""
    check_workbook_zip(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise _damaged() from exc
    try:
        yield workbook
    except RenkeiError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
        raise _damaged() from exc
    finally:
        workbook.close()


def read_workbook(data: bytes) -> list[RawSheet]:
    """Every worksheet's non-empty rows as text, within the import's row and column caps."""
    sheets: list[RawSheet] = []
    with open_workbook(data) as workbook:
        for worksheet in workbook.worksheets:
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if number > EXCEL_MAX_ROW:
                    break
                cells = [cell_text(v) for v in values]
                if any(cells):
                    rows.append((number, cells))
                    _check_row_cap(len(rows), worksheet.title)
            sheets.append(RawSheet(title=worksheet.title, rows=rows))
    return sheets


def cell_text(value: Any) -> str:
    """A cell as the text a person would type: whole numbers without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))


def clean_text(text: str) -> str:
    """The text stripped, without the quote an export put before a formula-like start."""
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text
