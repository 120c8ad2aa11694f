"""An assessment as a workbook for a partner who prefers Excel, and the filled workbook read back.
Pure: no ORM (the views hand over plain rows and answers).

The workbook has one sheet of answers (「回答」 / "Answers"): question ID, section, question, typical
evidence, level, answer, comment. The answer cells offer a drop-down of the question's answers (or
number / date validation); the sheet is protected so only the answer and comment cells can be typed
in. The protection has no password: it prevents accidental edits of the questions, it is not a
security boundary (the import trusts nothing in the file and checks every value). A hidden sheet
「meta」 names the assessment, framework key and version, and which row holds which question, so
the import can tell the file belongs to this assessment.

Every text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) is written with a
leading quote (formula injection); the reader strips that quote again, so text round-trips.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from renkei.assessments import scoring
from renkei.core.files.tabular import FORMULA_STARTS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_ID = "renkei-assessment/1"
META_SHEET = "meta"
LISTS_SHEET = "lists"
# The file's own layout words, in both languages: the import recognises either, whatever the
# language of the person importing it.
SHEET_TITLES = {"ja": "回答", "en": "Answers"}
GUIDE_TITLES = {"ja": "説明", "en": "Instructions"}
COLUMNS = ("ref", "section", "question", "evidence", "level", "answer", "comment")
HEADERS: dict[str, tuple[str, str]] = {
    "ref": ("質問ID", "Question ID"),
    "section": ("分野", "Section"),
    "question": ("質問", "Question"),
    "evidence": ("証跡の例", "Typical evidence"),
    "level": ("レベル", "Level"),
    "answer": ("回答", "Answer"),
    "comment": ("コメント", "Comment"),
}
WIDTHS = {"ref": 12, "section": 22, "question": 60, "evidence": 32, "level": 10, "answer": 24, "comment": 44}
HEADER_SEARCH_ROWS = 20
MAX_NUMBER = 10**15
MAX_NOTE_CHARS = 5_000
EXCEL_MIN_DATE, EXCEL_MAX_DATE = 1, 2958465  # serial numbers of 1900-01-01 and 9999-12-31
CARRIED_FILL = "FFF2CC"
LOCKED_FILL = "F2F2F2"
HEADER_FILL = "D9E1F2"


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportRow:
    """One question as the workbook shows it; `options` are the answer labels in the file's language
    for choice questions; `value` is what the answer cell holds (label text, number, date or None)."""

    ref: str
    section: str
    text: str
    evidence: str
    levels: tuple[str, ...]
    answer_type: str
    options: tuple[str, ...] = ()
    value: Any = None
    note: str = ""
    carried_over: bool = False


@dataclass(frozen=True)
class ExportInfo:
    assignment_id: int
    framework_key: str
    framework_version: str
    framework_name: str
    organisation: str
    requester: str
    due_date: dt.date | None
    language: str = "ja"


def _lang(language: str) -> int:
    return 1 if language.startswith("en") else 0


def write_workbook(info: ExportInfo, rows: Sequence[ExportRow]) -> bytes:
    """The assessment as .xlsx bytes (see the module docstring for its layout)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = _lang(info.language)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES["en" if lang else "ja"]
    lists = workbook.create_sheet(LISTS_SHEET)
    guide = workbook.create_sheet(GUIDE_TITLES["en" if lang else "ja"])
    meta = workbook.create_sheet(META_SHEET)

    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    locked_fill = PatternFill("solid", fgColor=LOCKED_FILL)
    carried_fill = PatternFill("solid", fgColor=CARRIED_FILL)
    bold = Font(bold=True)
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}

    from openpyxl.utils import get_column_letter

    for name, index in column.items():
        cell = sheet.cell(row=1, column=index, value=HEADERS[name][lang])
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = wrap
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[name]
    sheet.freeze_panes = "A2"

    # Drop-down lists live on a hidden sheet, one column per distinct set of answers: a list typed
    # into the validation itself is limited to 255 characters and breaks on labels with commas.
    list_ranges: dict[tuple[str, ...], str] = {}
    list_cells: dict[tuple[str, ...], list[str]] = {}
    typed_cells: dict[str, list[str]] = {"number": [], "date": [], "text": [], "multiple": []}
    answer_letter = get_column_letter(column["answer"])
    comment_letter = get_column_letter(column["comment"])

    for offset, row in enumerate(rows):
        number = offset + 2
        values = {
            "ref": row.ref,
            "section": row.section,
            "question": row.text,
            "evidence": row.evidence,
            "level": ", ".join(row.levels),
        }
        for name, text in values.items():
            cell = sheet.cell(row=number, column=column[name], value=neutralise(text))
            cell.alignment = wrap
            cell.fill = locked_fill
        answer = sheet.cell(row=number, column=column["answer"], value=neutralise(row.value))
        answer.alignment = wrap
        comment = sheet.cell(row=number, column=column["comment"], value=neutralise(row.note or None))
        comment.alignment = wrap
        comment.protection = unlocked
        if row.answer_type == "file":
            # A file is attached as evidence in the portal; the cell stays locked and empty.
            answer.fill = locked_fill
            continue
        answer.protection = unlocked
        if row.carried_over:
            answer.fill = carried_fill
        ref = f"{answer_letter}{number}"
        if row.answer_type == "date":
            answer.number_format = "yyyy-mm-dd"
        if row.answer_type in typed_cells:
            typed_cells[row.answer_type].append(ref)
        elif row.options:
            key = tuple(row.options)
            if key not in list_ranges:
                list_column = get_column_letter(len(list_ranges) + 1)
                for index, option in enumerate(key, start=1):
                    lists.cell(row=index, column=len(list_ranges) + 1, value=neutralise(option))
                list_ranges[key] = f"{LISTS_SHEET}!${list_column}$1:${list_column}${len(key)}"
                list_cells[key] = []
            list_cells[key].append(ref)

    def validation(cells: list[str], **kwargs: Any) -> None:
        if not cells:
            return
        rule = DataValidation(allow_blank=True, showErrorMessage=True, **kwargs)
        sheet.add_data_validation(rule)
        for ref in cells:
            rule.add(ref)

    for key, cells in list_cells.items():
        validation(
            cells, type="list", formula1=list_ranges[key], errorTitle=_("Answer"), error=_("Choose an answer from the list.")
        )
    validation(
        typed_cells["number"], type="decimal", operator="between", formula1=str(-MAX_NUMBER), formula2=str(MAX_NUMBER),
        errorTitle=_("Answer"), error=_("Enter a number."),
    )  # fmt: skip
    validation(
        typed_cells["date"], type="date", operator="between", formula1=str(EXCEL_MIN_DATE), formula2=str(EXCEL_MAX_DATE),
        errorTitle=_("Answer"), error=_("Enter a date as YYYY-MM-DD."),
    )  # fmt: skip
    validation(
        typed_cells["text"], type="textLength", operator="lessThanOrEqual", formula1=str(scoring.MAX_TEXT_ANSWER),
        errorTitle=_("Answer"), error=_("The answer is too long ({n} characters at most).").format(n=scoring.MAX_TEXT_ANSWER),
    )  # fmt: skip
    for row_offset, row in enumerate(rows):
        if row.answer_type == "multiple" and row.options:
            # No drop-down can pick several answers: the prompt lists them instead.
            validation(
                [f"{answer_letter}{row_offset + 2}"],
                type="custom", formula1="TRUE", showInputMessage=True, promptTitle=_("Answer"),
                prompt=_("One or more of, separated by commas: {choices}").format(choices=", ".join(row.options))[:255],
            )  # fmt: skip
    if rows:
        validation(
            [f"{comment_letter}2:{comment_letter}{len(rows) + 1}"],
            type="textLength", operator="lessThanOrEqual", formula1=str(MAX_NOTE_CHARS),
            errorTitle=_("Comment"), error=_("The comment is too long ({n} characters at most).").format(n=MAX_NOTE_CHARS),
        )  # fmt: skip

    _write_guide(guide, info, len(rows), wrap, bold)
    _write_meta(meta, info, rows, sheet.title)

    # No password: the protection keeps the questions from being changed by accident; the import
    # checks every value whatever the file says.
    for protected in (sheet, lists, guide, meta):
        protected.protection.sheet = True
        protected.protection.formatColumns = False
        protected.protection.formatRows = False
    lists.sheet_state = "hidden"
    meta.sheet_state = "hidden"
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_guide(guide: Any, info: ExportInfo, count: int, wrap: Any, bold: Any) -> None:
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 90
    lines: list[tuple[str, Any]] = [
        (_("Assessment"), info.framework_name),
        (_("Party"), info.organisation),
        (_("Requested by"), info.requester),
        (_("Due date"), info.due_date.isoformat() if info.due_date else ""),
        (_("Questions"), count),
        ("", ""),
        (_("How to answer"), _("Choose each answer from the drop-down list in the answer column and add a comment where useful.")),
        ("", _("Only the answer and comment cells can be changed. Do not add, remove or reorder rows.")),
        ("", _("Answers filled in from the last assessment have a yellow background: check them. Returning the file confirms them.")),
        ("", _("An empty answer cell leaves the current answer unchanged. Evidence files are attached in the portal.")),
        ("", _("Upload the filled file in the portal (or send it to your contact), keeping the .xlsx format.")),
    ]
    for number, (label, value) in enumerate(lines, start=1):
        head = guide.cell(row=number, column=1, value=neutralise(label))
        head.font = bold
        body = guide.cell(row=number, column=2, value=neutralise(value))
        body.alignment = wrap


def _write_meta(meta: Any, info: ExportInfo, rows: Sequence[ExportRow], sheet_title: str) -> None:
    pairs: list[tuple[str, Any]] = [
        ("format", FORMAT_ID),
        ("assignment", info.assignment_id),
        ("framework", info.framework_key),
        ("version", info.framework_version),
        ("language", info.language),
        ("sheet", sheet_title),
        ("header_row", 1),
        ("questions", len(rows)),
    ]
    for number, (key, value) in enumerate(pairs, start=1):
        meta.cell(row=number, column=1, value=key)
        meta.cell(row=number, column=2, value=neutralise(value))
    start = len(pairs) + 2
    meta.cell(row=start, column=1, value="row")
    meta.cell(row=start, column=2, value="question")
    for offset, row in enumerate(rows):
        meta.cell(row=start + 1 + offset, column=1, value=offset + 2)
        meta.cell(row=start + 1 + offset, column=2, value=neutralise(row.ref))
