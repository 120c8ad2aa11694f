"""Read an uploaded CSV or Excel file safely into plain rows of text, one sheet per kind.

Uploads are untrusted. Excel workbooks are zip files of XML, so before openpyxl sees one we check
the zip itself: member count, total unpacked size and compression ratio (zip bombs), and no
DOCTYPE in any XML part (entity expansion; openpyxl also parses through defusedxml). Rows and
columns are capped, and every problem is a `RenkeiError` with a message a person can act on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem, RenkeiError
from renkei.registry.importexport.schema import (
    KINDS,
    SCHEMAS,
    detect_kind,
    kind_for_sheet_name,
    normalise_key,
)

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
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Exports prefix these with a quote so spreadsheet programs do not run them as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ParsedSheet:
    """The rows of one kind: field name → text, with the header each field had in the file."""

    kind: str
    title: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ParsedUpload:
    filename: str
    sheets: list[ParsedSheet]

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "sheets": [
                {"kind": s.kind, "title": s.title, "headers": s.headers, "rows": s.rows, "problems": s.problems}
                for s in self.sheets
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedUpload:
        sheets = [
            ParsedSheet(
                kind=s["kind"],
                title=s["title"],
                headers=dict(s["headers"]),
                rows=[(int(n), dict(values)) for n, values in s["rows"]],
                problems=[(int(n), str(m)) for n, m in s["problems"]],
            )
            for s in data["sheets"]
            if s["kind"] in KINDS
        ]
        return cls(filename=str(data["filename"]), sheets=sheets)


@dataclass
class RawSheet:
    title: str
    kind_from_name: str | None
    rows: list[tuple[int, list[str]]]


def file_too_large_message(limit: int) -> str:
    return _("The file is too large (limit {limit} MB).").format(limit=max(1, limit // 2**20))


def parse_upload(
    data: bytes, *, filename: str, kind: str | None = None, encoding: str = "auto", max_bytes: int | None = None
) -> ParsedUpload:
    """Read a CSV or .xlsx file into rows per kind, or raise RenkeiError saying what is wrong."""
    limit = settings.RENKEI_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise RenkeiError(file_too_large_message(limit), field_name="file", status=413)
    if not data.strip():
        raise RenkeiError(_("The file is empty."), field_name="file")
    if kind is not None and kind not in KINDS:
        raise RenkeiError(_("Unknown kind of records: {kind}").format(kind=kind), field_name="kind")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise RenkeiError(
            _("This is an old Excel (.xls) or password-protected file. Save it as .xlsx without a password, or as CSV."),
            field_name="file",
        )
    if data.startswith(ZIP_MAGIC) or suffix in {".xlsx", ".xlsm"}:
        raw = read_workbook(data)
        sheets = _choose_sheets(raw, kind)
    else:
        raw_sheet = read_csv(data, encoding=encoding, title=PurePath(filename).name or "CSV")
        sheets = [(raw_sheet, kind or _detect(raw_sheet))]
    parsed = _map_headers(sheets)
    if not any(s.rows for s in parsed):
        raise RenkeiError(_("The file has no rows to import."), field_name="file")
    return ParsedUpload(filename=PurePath(filename).name, sheets=parsed)


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
    """One sheet of text cells; the row number counts records as a spreadsheet shows them."""
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
                rows.append((number, [_clean_text(c) for c in record]))
                _check_row_cap(len(rows), title)
    except csv.Error as exc:
        raise RenkeiError(
            _("The CSV file is malformed near row {row}: {problem}").format(row=number + 1, problem=str(exc)),
            field_name="file",
        ) from exc
    return RawSheet(title=title, kind_from_name=None, rows=rows)


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
                _("The workbook is too large when unpacked (limit {limit} MB).").format(limit=MAX_UNPACKED_BYTES // 2**20),
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


def read_workbook(data: bytes) -> list[RawSheet]:
    """Every worksheet's non-empty rows as text, read with openpyxl in read-only mode."""
    check_workbook_zip(data)
    from openpyxl import load_workbook

    sheets: list[RawSheet] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise RenkeiError(_("The workbook could not be read; it may be damaged."), field_name="file") from exc
    try:
        for worksheet in workbook.worksheets:
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if number > EXCEL_MAX_ROW:
                    break
                cells = [cell_text(v) for v in values]
                if any(cells):
                    rows.append((number, cells))
                    _check_row_cap(len(rows), worksheet.title)
            sheets.append(RawSheet(title=worksheet.title, kind_from_name=kind_for_sheet_name(worksheet.title), rows=rows))
    except RenkeiError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
        raise RenkeiError(_("The workbook could not be read; it may be damaged."), field_name="file") from exc
    finally:
        workbook.close()
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
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


# --- from raw cells to rows of fields -----------------------------------------------------------


def _detect(sheet: RawSheet) -> str:
    headers = sheet.rows[0][1] if sheet.rows else []
    kind = detect_kind(headers)
    if kind is None:
        raise RenkeiError(
            _("Could not tell whether the file holds organisations, relationships or contacts. Choose the kind, or check the column headers."),
            field_name="kind",
        )
    return kind


def _choose_sheets(raw: list[RawSheet], kind: str | None) -> list[tuple[RawSheet, str]]:
    named = [(s, s.kind_from_name) for s in raw if s.kind_from_name]
    if named:
        chosen = [(s, k) for s, k in named if kind is None or k == kind]
        if not chosen:
            raise RenkeiError(
                _("The workbook has no sheet named {name}.").format(
                    name=f"{SCHEMAS[kind or KINDS[0]].sheet_ja} / {SCHEMAS[kind or KINDS[0]].sheet_en}"
                ),
                field_name="kind",
            )
        return [(s, k) for s, k in chosen if k is not None]
    non_empty = [s for s in raw if s.rows]
    if not non_empty:
        raise RenkeiError(_("The file has no rows to import."), field_name="file")
    first = non_empty[0]
    return [(first, kind or _detect(first))]


def _map_headers(sheets: list[tuple[RawSheet, str]]) -> list[ParsedSheet]:
    problems: list[ErrorItem] = []
    seen_kinds: set[str] = set()
    parsed: list[ParsedSheet] = []
    for raw, kind in sheets:
        if kind in seen_kinds:
            problems.append(ErrorItem(_("Two sheets hold {kind}; keep one.").format(kind=kind)))
            continue
        seen_kinds.add(kind)
        sheet, sheet_problems = _map_sheet(raw, kind)
        problems.extend(sheet_problems)
        parsed.append(sheet)
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    return parsed


def _map_sheet(raw: RawSheet, kind: str) -> tuple[ParsedSheet, list[ErrorItem]]:
    schema = SCHEMAS[kind]
    problems: list[ErrorItem] = []
    if not raw.rows:
        return ParsedSheet(kind=kind, title=raw.title, headers={}), problems
    header_row, header_cells = raw.rows[0]
    fields: list[str | None] = []
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for text in header_cells:
        if not text:
            fields.append(None)
            continue
        name = schema.header_index.get(normalise_key(text))
        if name is None:
            unknown.append(text)
        elif name in headers:
            problems.append(
                ErrorItem(_("{sheet}: the column {header} appears twice.").format(sheet=raw.title, header=text), row=header_row)
            )
        else:
            headers[name] = text
        fields.append(name)
    if unknown:
        problems.append(
            ErrorItem(
                _("{sheet}: unknown columns {headers}. Expected: {expected}.").format(
                    sheet=raw.title,
                    headers=", ".join(unknown),
                    expected=", ".join(f"{c.ja} / {c.en}" for c in schema.columns),
                ),
                row=header_row,
            )
        )
    missing = [schema.column(n) for n in schema.required if n not in headers]
    if missing:
        problems.append(
            ErrorItem(
                _("{sheet}: missing columns {headers}.").format(
                    sheet=raw.title, headers=", ".join(f"{c.ja} / {c.en}" for c in missing)
                ),
                row=header_row,
            )
        )
    sheet = ParsedSheet(kind=kind, title=raw.title, headers=headers)
    for number, cells in raw.rows[1:]:
        values: dict[str, str] = {}
        stray: int | None = None
        for index, text in enumerate(cells):
            name = fields[index] if index < len(fields) else None
            if name is not None:
                values[name] = text
            elif text and stray is None:
                stray = index + 1
        if stray is not None:
            sheet.problems.append(
                (number, _("Column {column} has a value but no header.").format(column=stray))
            )
        sheet.rows.append((number, values))
    return sheet, problems
