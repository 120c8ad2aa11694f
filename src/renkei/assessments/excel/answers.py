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
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from renkei.assessments import scoring
from renkei.assessments.excel.checksheet import Book, RowProblem, Sheet
from renkei.assessments.frameworks.spec import yesno_labels
from renkei.core.errors import RenkeiError
from renkei.registry.importexport.reading import FORMULA_STARTS

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


# --- reading a filled workbook -------------------------------------------------------------------


@dataclass
class FilledRow:
    row: int
    ref: str
    answer: str
    comment: str


@dataclass
class Filled:
    """The answers a filled workbook gives, and what its meta sheet says it belongs to."""

    meta: dict[str, str]
    sheet: str
    rows: list[FilledRow]
    problems: list[RowProblem] = field(default_factory=list)


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


_HEADER_KEYS = {name: {_key(ja), _key(en)} for name, (ja, en) in HEADERS.items()}
_HEADER_KEYS["ref"] |= {"id"}


def read_meta(book: Book) -> dict[str, str]:
    sheet = book.sheet(META_SHEET)
    if sheet is None:
        return {}
    meta: dict[str, str] = {}
    for _number, cells in sheet.rows:
        if len(cells) >= 2 and cells[0] and cells[0] != "row":
            if cells[0].isdigit():
                meta[f"row:{cells[0]}"] = cells[1]
            else:
                meta[cells[0]] = cells[1]
    return meta


def _find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        positions: dict[str, int] = {}
        for index, text in enumerate(cells):
            key = _key(text)
            for name, keys in _HEADER_KEYS.items():
                if key in keys and name not in positions:
                    positions[name] = index
        if "ref" in positions and "answer" in positions:
            return number, positions
    return None


def read_filled(book: Book) -> Filled:
    """The rows of the answer sheet: question ID, answer and comment as text, with row numbers.

    The answer sheet is the one the meta sheet names, else the first whose header has a question ID
    and an answer column (a partner may have copied the rows into a workbook of their own).
    """
    meta = read_meta(book)
    candidates = [book.sheet(meta["sheet"])] if meta.get("sheet") else []
    candidates += [s for s in book.sheets if s.title not in (META_SHEET, LISTS_SHEET)]
    found: tuple[Sheet, int, dict[str, int]] | None = None
    for sheet in candidates:
        if sheet is None:
            continue
        header = _find_header(sheet)
        if header is not None:
            found = (sheet, *header)
            break
    if found is None:
        raise RenkeiError(
            _("No sheet of this workbook has the columns {id} and {answer}. Use the workbook exported for this assessment.").format(
                id=" / ".join(HEADERS["ref"]), answer=" / ".join(HEADERS["answer"])
            ),
            field_name="file",
        )
    sheet, header_row, positions = found
    filled = Filled(meta=meta, sheet=sheet.title, rows=[])
    seen: dict[str, int] = {}

    def cell(cells: list[str], name: str) -> str:
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for number, cells in sheet.rows:
        if number <= header_row:
            continue
        ref = cell(cells, "ref") or meta.get(f"row:{number}", "").strip()
        answer, comment = cell(cells, "answer"), cell(cells, "comment")
        if not ref:
            if answer or comment:
                filled.problems.append(RowProblem(row=number, message=_("an answer without a question ID")))
            continue
        if ref in seen:
            filled.problems.append(
                RowProblem(row=number, message=_("the question ID “{value}” is also in row {other}").format(value=ref, other=seen[ref]))
            )
            continue
        seen[ref] = number
        filled.rows.append(FilledRow(row=number, ref=ref, answer=answer, comment=comment))
    return filled


def check_meta(filled: Filled, *, assignment_id: int, framework_key: str, framework_version: str) -> None:
    """Refuse a workbook exported for another assessment (or another version of the questions)."""
    meta = filled.meta
    if not meta:
        return
    if meta.get("format") != FORMAT_ID:
        raise RenkeiError(_("This workbook was not exported from this system for an assessment."), field_name="file")
    if meta.get("assignment") != str(assignment_id):
        raise RenkeiError(
            _("This workbook belongs to another assessment (no. {number}). Use the workbook exported for this one.").format(
                number=meta.get("assignment", "?")[:20]
            ),
            field_name="file",
            status=409,
        )
    if meta.get("framework") != framework_key or meta.get("version") != framework_version:
        raise RenkeiError(
            _("This workbook was made for other questions ({key} {version}). Export the workbook again.").format(
                key=meta.get("framework", "?")[:80], version=meta.get("version", "?")[:40]
            ),
            field_name="file",
            status=409,
        )


# --- what importing would change -----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    ref: str
    answer_type: str
    choices: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class CurrentAnswer:
    value: Any
    note: str
    carried_over: bool
    version: int


@dataclass
class AnswerPlan:
    """What a filled workbook would save. `values` goes to `answers_save_many` as it is."""

    values: dict[str, tuple[Any, str | None]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    invalid: list[tuple[int, str, str]] = field(default_factory=list)
    changed: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0
    carried_confirmed: int = 0
    empty: int = 0
    missing: int = 0

    @property
    def ok(self) -> bool:
        return not (self.problems or self.unmatched or self.invalid)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.carried_confirmed)


def plan_answers(
    filled: Filled,
    *,
    questions: Mapping[str, QuestionInfo],
    current: Mapping[str, CurrentAnswer],
    yesno_answers: Sequence[str],
    confirm_carried: bool = True,
    file_language: str | None = None,
) -> AnswerPlan:
    """Match the rows to the questions by ID and check every answer.

    An empty answer cell leaves the current answer as it is (a workbook exported before answers were
    given in the portal must not wipe them); an empty comment cell keeps the current comment.
    A carried-over answer that the file returns unchanged is confirmed when `confirm_carried` (the
    partner sent it back as their answer), else left for confirmation in the portal.
    Answer labels are read in the language of the person importing and, failing that, in the
    language the file was exported in (`file_language`), so a file exported in English can be
    imported by someone working in Japanese.
    """
    plan = AnswerPlan(problems=list(filled.problems))
    for row in filled.rows:
        question = questions.get(row.ref)
        if question is None:
            plan.unmatched.append((row.row, row.ref))
            continue
        existing = current.get(row.ref)
        if question.answer_type == "file" or (not row.answer and not row.comment):
            plan.empty += 1
            continue
        if row.answer:
            try:
                value = _normalise(question, row.answer, yesno_answers, file_language)
            except RenkeiError as exc:
                plan.invalid.append((row.row, row.ref, _invalid_message(question, row.answer, yesno_answers, exc)))
                continue
        else:
            value = existing.value if existing else None
        if len(row.comment) > MAX_NOTE_CHARS:
            plan.invalid.append(
                (row.row, row.ref, _("The comment is too long ({n} characters at most).").format(n=MAX_NOTE_CHARS))
            )
            continue
        note = row.comment or None
        same = existing is not None and existing.value == value and (note is None or note == existing.note)
        if same and existing is not None and existing.carried_over:
            if confirm_carried:
                plan.carried_confirmed += 1
                plan.values[row.ref] = (value, note)
                plan.versions[row.ref] = existing.version
            else:
                plan.unchanged += 1
            continue
        if same:
            plan.unchanged += 1
            continue
        if value is None and existing is None and note is None:
            plan.empty += 1
            continue
        plan.changed.append((row.row, row.ref))
        plan.values[row.ref] = (value, note)
        plan.versions[row.ref] = existing.version if existing else 0
    in_file = {r.ref for r in filled.rows}
    plan.missing = sum(1 for ref in questions if ref not in in_file)
    return plan


def _normalise(question: QuestionInfo, raw: str, yesno_answers: Sequence[str], file_language: str | None) -> Any:
    def attempt() -> Any:
        return scoring.normalise_value(
            answer_type=question.answer_type, choices=question.choices, yesno_answers=yesno_answers, raw=raw
        )

    try:
        return attempt()
    except RenkeiError:
        if not file_language or (translation.get_language() or "").startswith(file_language):
            raise
        try:
            with translation.override(file_language):
                return attempt()
        except RenkeiError:
            pass
        raise


def _invalid_message(question: QuestionInfo, raw: str, yesno_answers: Sequence[str], error: RenkeiError) -> str:
    """For a choice question, name the answers as the drop-down shows them (not their codes)."""
    english = (translation.get_language() or "ja").startswith("en")
    if question.answer_type == "yesno":
        names = yesno_labels()
        labels = [str(names[v]) for v in yesno_answers if v in names]
    elif question.answer_type in ("single", "multiple", "maturity"):
        labels = [
            str((c.get("en") if english else None) or c.get("ja") or c.get("en") or c.get("value")) for c in question.choices
        ]
    else:
        return error.message
    return _("“{value}” is not one of the answers: {choices}").format(value=raw[:100], choices=", ".join(labels))
