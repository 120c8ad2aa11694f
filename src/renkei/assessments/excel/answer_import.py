"""A filled answers workbook read back (see `answer_export` for its layout), and what importing it would
change. Pure: no ORM (the views hand over plain rows and answers).

The reader strips the leading quote the export puts before formula-like text, so text round-trips;
it trusts nothing in the file and checks every value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from renkei.assessments import scoring
from renkei.assessments.excel.answer_export import (
    FORMAT_ID,
    HEADER_SEARCH_ROWS,
    HEADERS,
    LISTS_SHEET,
    MAX_NOTE_CHARS,
    META_SHEET,
)
from renkei.assessments.excel.checksheet import RowProblem
from renkei.assessments.excel.reading import Book, Sheet
from renkei.assessments.frameworks.spec import yesno_labels
from renkei.core.errors import RenkeiError

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
