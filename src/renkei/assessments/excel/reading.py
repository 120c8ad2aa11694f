"""Reading an uploaded workbook safely, for the check-sheet import and the answers import. Pure: no ORM.

Reading reuses core's safe tabular reader (`core.files.tabular`: zip-bomb and XML DOCTYPE checks
before openpyxl sees the file; openpyxl itself parses through defusedxml) and adds caps of its own: a
sheet whose declared size is beyond what a check sheet can be ("claims a million rows") is refused
before its rows are read, and reading stops at the row cap instead of padding to the declared size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import cell_text, open_workbook, refuse_unreadable
from renkei.core.files.uploads import ZIP_MAGIC, upload_limit

MAX_SHEETS = 50
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 100
MAX_TOTAL_ROWS = 50_000


# --- reading a workbook --------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet's non-empty rows: (row number as Excel shows it, cell texts without the trailing
    empty cells)."""

    title: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    hidden: bool = False

    @property
    def width(self) -> int:
        return max((len(cells) for _number, cells in self.rows), default=0)

    def row(self, number: int) -> list[str] | None:
        for n, cells in self.rows:
            if n == number:
                return cells
            if n > number:
                break
        return None


@dataclass
class Book:
    filename: str
    sheets: list[Sheet]

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "sheets": [{"title": s.title, "hidden": s.hidden, "rows": s.rows} for s in self.sheets],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Book:
        return cls(
            filename=str(data["filename"]),
            sheets=[
                Sheet(
                    title=str(s["title"]),
                    hidden=bool(s.get("hidden")),
                    rows=[(int(n), [str(c) for c in cells]) for n, cells in s["rows"]],
                )
                for s in data["sheets"]
            ],
        )

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)


def read_book(data: bytes, *, filename: str, max_bytes: int | None = None) -> Book:
    """Every worksheet of an uploaded .xlsx as text rows, or RenkeiError saying what is wrong.

    Refused whole: a file over the upload limit, an old .xls or password-protected file, anything
    that is not an .xlsx (a renamed text file), a zip bomb, XML with a DOCTYPE or entities, a sheet
    that declares or holds more rows or columns than a check sheet can have.
    """
    refuse_unreadable(data, filename, upload_limit() if max_bytes is None else max_bytes, csv_accepted=False)
    if not data.startswith(ZIP_MAGIC):
        raise RenkeiError(_("This is not an Excel workbook (.xlsx)."), field_name="file")
    with open_workbook(data) as workbook:
        worksheets = workbook.worksheets
        if len(worksheets) > MAX_SHEETS:
            raise RenkeiError(
                _("The workbook has more than {limit} sheets.").format(limit=MAX_SHEETS), field_name="file"
            )
        sheets = []
        total = 0
        for worksheet in worksheets:
            sheet = _read_sheet(worksheet)
            total += len(sheet.rows)
            if total > MAX_TOTAL_ROWS:
                raise RenkeiError(
                    _("The workbook has more than {limit} rows in all.").format(limit=f"{MAX_TOTAL_ROWS:,}"),
                    field_name="file",
                )
            sheets.append(sheet)
    if not any(s.rows for s in sheets):
        raise RenkeiError(_("The workbook has no rows."), field_name="file")
    return Book(filename=PurePath(filename).name or "upload.xlsx", sheets=sheets)


def _too_big(title: str, rows: int | None = None, columns: int | None = None) -> RenkeiError:
    if rows is not None:
        message = _(
            "The sheet “{sheet}” declares {n} rows; at most {limit} are read. If the sheet is mostly empty, "
            "delete the unused rows below the table and save the file again."
        ).format(sheet=title, n=f"{rows:,}", limit=f"{MAX_SHEET_ROWS:,}")
    else:
        message = _(
            "The sheet “{sheet}” declares {n} columns; at most {limit} are read. Delete the unused columns "
            "and save the file again."
        ).format(sheet=title, n=f"{columns:,}", limit=MAX_SHEET_COLUMNS)
    return RenkeiError(message, field_name="file")


def _read_sheet(worksheet: Any) -> Sheet:
    title = str(worksheet.title)
    # The declared size (<dimension>) is checked first: a file claiming a million rows is refused
    # without reading them, and openpyxl would otherwise pad its rows to the declared size.
    if (worksheet.max_row or 0) > MAX_SHEET_ROWS:
        raise _too_big(title, rows=worksheet.max_row)
    if (worksheet.max_column or 0) > MAX_SHEET_COLUMNS:
        raise _too_big(title, columns=worksheet.max_column)
    worksheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(worksheet.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            # A row element this far down (even an empty, formatted one) means a sheet far larger
            # than a check sheet; stop here rather than walk a million filler rows.
            raise _too_big(title, rows=number)
        cells = [cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, cells))
    return Sheet(title=title, rows=rows, hidden=getattr(worksheet, "sheet_state", "visible") != "visible")
