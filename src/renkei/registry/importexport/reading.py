"""Read an uploaded CSV or Excel file into rows of fields, one sheet per kind of records.

The file is read by core's safe tabular reader (`core.files.tabular`: encoding detection, zip-bomb
and XML checks, row and column caps); here its sheets are matched to kinds and its headers to the
fields of each kind, and every problem is a `RenkeiError` with a message a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.files.tabular import RawSheet, is_workbook, read_csv, read_workbook, refuse_unreadable
from renkei.core.files.uploads import upload_limit
from renkei.registry.importexport.schema import (
    KINDS,
    SCHEMAS,
    detect_kind,
    kind_for_sheet_name,
    normalise_key,
)


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


def parse_upload(
    data: bytes, *, filename: str, kind: str | None = None, encoding: str = "auto", max_bytes: int | None = None
) -> ParsedUpload:
    """Read a CSV or .xlsx file into rows per kind, or raise RenkeiError saying what is wrong."""
    limit = upload_limit() if max_bytes is None else max_bytes
    refuse_unreadable(data, filename, limit)
    if kind is not None and kind not in KINDS:
        raise RenkeiError(_("Unknown kind of records: {kind}").format(kind=kind), field_name="kind")
    if is_workbook(data, filename):
        sheets = _choose_sheets(read_workbook(data), kind)
    else:
        raw_sheet = read_csv(data, encoding=encoding, title=PurePath(filename).name or "CSV")
        sheets = [(raw_sheet, kind or _detect(raw_sheet))]
    parsed = _map_headers(sheets)
    if not any(s.rows for s in parsed):
        raise RenkeiError(_("The file has no rows to import."), field_name="file")
    return ParsedUpload(filename=PurePath(filename).name, sheets=parsed)


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
    named = [(s, kind_for_sheet_name(s.title)) for s in raw if kind_for_sheet_name(s.title)]
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
