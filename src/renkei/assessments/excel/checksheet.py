"""Excel check sheets: turn one sheet of an uploaded workbook (see `reading`) into a framework.
Pure: no ORM.

Japanese companies exchange security check sheets as .xlsx files with their own layout: a few
title lines, a header row somewhere, then one row per item with an ID (項番), a section that is often
merged over several rows or only filled on the first row of a group, the requirement, sometimes the
answer choices (「はい/いいえ/該当なし」) and a level (Lv1–Lv3, ★3/★4). The person importing one picks
the sheet and the header row and says which column holds what; `check_sheet_spec` then checks every
row and builds the same `FrameworkSpec` a YAML file gives, keeping the sheet's item IDs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from renkei.assessments import scoring
from renkei.assessments.excel.reading import Sheet
from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import spec as frameworks
from renkei.core.errors import ErrorItem, RenkeiError

PREVIEW_ROWS = 15
MAX_CHOICES = 50
MAX_CHOICE_CHARS = 300
DEFAULT_SECTION = ("全般", "General")

# --- choosing the header row and the columns -----------------------------------------------------


def preview_rows(sheet: Sheet, limit: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
    """The first non-empty rows, padded to the same width, for the person to spot the header."""
    rows = sheet.rows[:limit]
    width = max((len(c) for _n, c in rows), default=0)
    return [(n, cells + [""] * (width - len(cells))) for n, cells in rows]


def guess_header_row(sheet: Sheet) -> int | None:
    """The first of the leading rows with the most filled cells (title lines above have fewer)."""
    best: tuple[int, int] | None = None
    for number, cells in sheet.rows[:PREVIEW_ROWS]:
        filled = sum(1 for c in cells if c)
        if best is None or filled > best[1]:
            best = (number, filled)
    return best[0] if best else None


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def column_choices(sheet: Sheet, header_row: int) -> list[tuple[int, str]]:
    """(column index, "C: header text") for every column of the sheet."""
    header = sheet.row(header_row) or []
    width = max(sheet.width, len(header))
    labels = []
    for index in range(width):
        text = header[index] if index < len(header) else ""
        text = " ".join(text.split())[:60] or _("(no header)")
        labels.append((index, f"{column_letter(index)}: {text}"))
    return labels


# Header words of common Japanese and English check sheets, per field, most specific first.
HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "question_en": ("english", "英語", "英文", "(en)"),
    "evidence": ("証跡", "エビデンス", "根拠資料", "evidence", "確認資料", "提出資料"),
    "choices": ("選択肢", "回答選択", "choices", "options", "回答欄", "回答"),
    "level": ("レベル", "level", "lv", "ラベル", "★", "星"),
    "weight": ("重み", "配点", "weight", "点数"),
    "id": ("項番", "管理番号", "番号", "no.", "no", "id", "#", "item"),
    "section": ("分類", "分野", "カテゴリ", "区分", "大項目", "領域", "section", "category", "domain", "項目"),
    "question": ("要求事項", "チェック項目", "確認事項", "確認内容", "設問", "質問", "requirement", "question", "内容"),
}


def guess_columns(headers: Sequence[str]) -> dict[str, int | None]:
    """A first guess of which column holds what, from the header texts (the person corrects it)."""
    normalised = [unicodedata.normalize("NFKC", h).strip().lower() for h in headers]
    taken: set[int] = set()
    guess: dict[str, int | None] = {}
    for name, hints in HEADER_HINTS.items():
        guess[name] = None
        for hint in hints:
            exact = [i for i, h in enumerate(normalised) if h == hint and i not in taken]
            partial = [i for i, h in enumerate(normalised) if hint in h and i not in taken and len(hint) > 1]
            found = exact or partial
            if found:
                guess[name] = found[0]
                taken.add(found[0])
                break
    return guess


# --- levels --------------------------------------------------------------------------------------

_LEVEL_NUMBER = re.compile(r"^(\D*?)\s*(\d+)$")
_LV_PATTERN = re.compile(r"^(lv|level|レベル)\s*\.?\s*\d+$", re.IGNORECASE)


def split_levels(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return [p for p in (part.strip() for part in _split(text)) if p]


def order_levels(levels: Iterable[str]) -> list[str]:
    """Distinct levels in the order first seen, or by their number when all read like Lv1, Lv2, ★3
    with the same prefix (so a sheet starting with a Lv2 row still orders Lv1 < Lv2 < Lv3)."""
    seen = list(dict.fromkeys(levels))
    matches = [_LEVEL_NUMBER.match(level) for level in seen]
    if seen and all(matches) and len({m.group(1).strip().lower() for m in matches if m}) == 1:
        return [level for _n, level in sorted((int(m.group(2)), level) for m, level in zip(matches, seen, strict=True) if m)]
    return seen


def looks_cumulative(levels: Sequence[str]) -> bool:
    """Levels named Lv1 … LvN are usually cumulative (Lv1 ⊂ Lv2 ⊂ Lv3)."""
    return len(levels) > 1 and all(_LV_PATTERN.match(level) for level in levels)


def column_levels(sheet: Sheet, header_row: int, column: int | None, last_row: int | None = None) -> list[str]:
    """The distinct level values of a column below the header, ordered as the framework will."""
    if column is None:
        return []
    found: list[str] = []
    for number, cells in sheet.rows:
        if number <= header_row or (last_row is not None and number > last_row):
            continue
        if column < len(cells):
            found.extend(split_levels(cells[column]))
    return order_levels(found)


# --- answer choices ------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*(?:[／/,，、;；|｜]|\r?\n)\s*")
_NOT_APPLICABLE = re.compile(r"\bN\s*/\s*A\b", re.IGNORECASE)
_NA_MARK = "\x00NA\x00"
TYPE_HINTS = {
    "text": {"自由記述", "記述", "記述式", "テキスト", "文章", "text", "free text"},
    "number": {"数値", "数字", "number"},
    "date": {"日付", "年月日", "date"},
}


def _split(text: str) -> list[str]:
    protected = _NOT_APPLICABLE.sub(_NA_MARK, text)
    return [part.replace(_NA_MARK, "N/A") for part in _SEPARATORS.split(protected)]


def parse_choices(text: str) -> tuple[str, list[str]]:
    """The answer type and options a choices cell stands for.

    Empty: a yes/no question with every yes/no answer. Options that all read as yes/no answers
    (「はい/いいえ/該当なし」, ○/△/×, Yes/No/N/A): a yes/no question with those answers. A single
    word naming a type (自由記述, 数値, 日付): that type. Otherwise a single-choice question.
    """
    text = (text or "").strip()
    if not text:
        return "yesno", list(frameworks.YESNO_VALUES)
    hint = unicodedata.normalize("NFKC", text).strip().lower()
    for answer_type, words in TYPE_HINTS.items():
        if hint in words:
            return answer_type, []
    options = [p for p in (part.strip() for part in _split(text)) if p]
    yesno = _as_yesno(options)
    if yesno is not None:
        return "yesno", yesno
    return "single", options


def _as_yesno(options: Sequence[str]) -> list[str] | None:
    values = []
    for option in options:
        try:
            value = scoring.normalise_value(
                answer_type="yesno", choices=(), yesno_answers=frameworks.YESNO_VALUES, raw=option
            )
        except RenkeiError:
            return None
        values.append(value)
    if len(set(values)) != len(values) or not {"yes", "no"} <= set(values):
        return None
    return [v for v in frameworks.YESNO_VALUES if v in values]


# --- from a sheet to a framework -----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based index) holds what; ID and question are required."""

    id: int
    question: int
    section: int | None = None
    choices: int | None = None
    level: int | None = None
    question_en: int | None = None
    evidence: int | None = None
    weight: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnMapping:
        def index(name: str) -> int | None:
            value = data.get(name)
            return None if value is None or value == "" else int(value)

        return cls(
            id=int(data["id"]),
            question=int(data["question"]),
            **{name: index(name) for name in FIELDS if name not in ("id", "question")},
        )


FIELDS = ("id", "section", "question", "choices", "level", "question_en", "evidence", "weight")


@dataclass(frozen=True)
class FrameworkFields:
    key: str
    version: str
    name_ja: str
    name_en: str = ""
    levels_cumulative: bool = False


@dataclass
class RowProblem:
    row: int | None
    message: str


@dataclass
class CheckSheetResult:
    """What importing the sheet would create, or the problems of each row (nothing is created then)."""

    spec: frameworks.FrameworkSpec | None
    problems: list[RowProblem]
    rows_read: int = 0
    skipped_rows: int = 0
    types: dict[str, int] = field(default_factory=dict)
    levels: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.problems

    @property
    def question_count(self) -> int:
        return self.spec.question_count if self.spec else 0

    @property
    def section_count(self) -> int:
        return len(self.spec.sections) if self.spec else 0


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _clean_id(text: str) -> str:
    # Full-width 「Ａ－１」 typed in a Japanese sheet is the same ID as "A-1"; anything else is kept
    # exactly as the sheet has it.
    text = text.strip()
    return text if frameworks.ID_PATTERN.match(text) else unicodedata.normalize("NFKC", text).strip()


def _weight(text: str) -> float | None:
    try:
        number = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return number if 0 < number <= 1000 else None


def check_sheet_spec(
    sheet: Sheet,
    *,
    header_row: int,
    columns: ColumnMapping,
    fields: FrameworkFields,
    last_row: int | None = None,
    filename: str = "",
) -> CheckSheetResult:
    """Check every row below the header and build the framework; every problem is listed with its
    row number, and no spec is returned while there is one (whole or nothing).

    A row with neither ID nor question is skipped (blank lines, section headings: a section value on
    such a row starts the section for the rows below). The section is carried down to the rows
    below until another value appears (merged cells, groups filled only on their first row).
    """
    problems: list[RowProblem] = []
    seen_ids: dict[str, int] = {}
    section_titles: list[str] = []
    questions_by_section: dict[str, list[dict[str, Any]]] = {}
    yesno_used: set[str] = set()
    levels_seen: list[str] = []
    types: Counter[str] = Counter()
    current_section = ""
    rows_read = skipped = 0

    for number, cells in sheet.rows:
        if number <= header_row or (last_row is not None and number > last_row):
            continue
        rows_read += 1
        section = _cell(cells, columns.section)
        if section:
            current_section = " ".join(section.split())
        ref = _clean_id(_cell(cells, columns.id))
        text = _cell(cells, columns.question)
        if not ref and not text:
            skipped += 1
            continue
        before = len(problems)

        def problem(message: str, row: int = number) -> None:
            problems.append(RowProblem(row=row, message=message))

        if not ref:
            problem(_("the ID is missing"))
        elif not frameworks.ID_PATTERN.match(ref):
            problem(_("“{value}” is not a valid ID (letters, digits, . _ -; at most 50 characters)").format(value=ref[:60]))
        elif ref in seen_ids:
            problem(_("the ID “{value}” is also used in row {other}").format(value=ref, other=seen_ids[ref]))
        else:
            seen_ids[ref] = number
        if not text:
            problem(_("the question text is missing"))
        elif len(text) > frameworks.MAX_TEXT:
            problem(_("the question text is too long ({n} characters at most)").format(n=frameworks.MAX_TEXT))
        text_en = _cell(cells, columns.question_en)
        if len(text_en) > frameworks.MAX_TEXT:
            problem(_("the English question text is too long ({n} characters at most)").format(n=frameworks.MAX_TEXT))
        evidence = _cell(cells, columns.evidence)
        if len(evidence) > frameworks.MAX_TEXT:
            problem(_("the evidence hint is too long ({n} characters at most)").format(n=frameworks.MAX_TEXT))
        if len(current_section) > 300:
            problem(_("the section name is too long ({n} characters at most)").format(n=300))
        weight_text = _cell(cells, columns.weight)
        weight = 1.0
        if weight_text:
            parsed = _weight(weight_text)
            if parsed is None:
                problem(_("“{value}” is not a valid weight (a number greater than 0, at most 1000)").format(value=weight_text[:30]))
            else:
                weight = parsed
        answer_type, options = parse_choices(_cell(cells, columns.choices))
        if answer_type == "single":
            if len(options) < 2:
                problem(_("the answer choices need at least two options, separated by / or a new line"))
            elif len(options) > MAX_CHOICES:
                problem(_("too many answer choices ({n} at most)").format(n=MAX_CHOICES))
            duplicates = [o for o, n in Counter(options).items() if n > 1]
            if duplicates:
                problem(_("the choice “{value}” is listed twice").format(value=duplicates[0][:60]))
            if any(len(o) > MAX_CHOICE_CHARS for o in options):
                problem(_("a choice is too long ({n} characters at most)").format(n=MAX_CHOICE_CHARS))
        levels = split_levels(_cell(cells, columns.level))
        if len(problems) > before:
            continue
        if answer_type == "yesno":
            yesno_used.update(options)
        levels_seen.extend(levels)
        types[answer_type] += 1
        title = current_section  # "" until a section appears: the default section
        if title not in questions_by_section:
            section_titles.append(title)
            questions_by_section[title] = []
        question: dict[str, Any] = {"id": ref, "text": {"ja": text, "en": text_en}, "type": answer_type}
        if weight != 1.0:
            question["weight"] = weight
        if levels:
            question["levels"] = list(dict.fromkeys(levels))
        if evidence:
            question["evidence"] = evidence
        if answer_type == "single":
            question["choices"] = [{"value": o, "label": o} for o in options]
        questions_by_section[title].append(question)

    question_total = sum(len(q) for q in questions_by_section.values())
    if not problems and question_total == 0:
        problems.append(RowProblem(row=None, message=_("No questions were found below the header row.")))
    if question_total > frameworks.MAX_QUESTIONS:
        problems.append(
            RowProblem(row=None, message=_("too many questions ({n} at most)").format(n=frameworks.MAX_QUESTIONS))
        )
    levels = order_levels(levels_seen)
    result = CheckSheetResult(
        spec=None, problems=problems, rows_read=rows_read, skipped_rows=skipped, types=dict(types), levels=levels
    )
    if problems:
        return result
    width = len(str(len(section_titles)))
    document = {
        "schema": frameworks.SCHEMA_ID,
        "key": fields.key,
        "version": fields.version,
        "name": {"ja": fields.name_ja, "en": fields.name_en},
        "source": {"ja": f"Excel: {filename} / {sheet.title}", "en": ""},
        "scoring": "percent",
        "levels": levels,
        "levels_cumulative": bool(fields.levels_cumulative and levels),
        "answers": [v for v in frameworks.YESNO_VALUES if v in yesno_used] or list(frameworks.YESNO_VALUES),
        "sections": [
            {
                "id": f"S{index + 1:0{max(2, width)}d}",
                "title": {"ja": title, "en": ""} if title else {"ja": DEFAULT_SECTION[0], "en": DEFAULT_SECTION[1]},
                "questions": questions_by_section[title],
            }
            for index, title in enumerate(section_titles)
        ],
    }
    try:
        result.spec = framework_loading.spec_from_document(document, filename=filename or sheet.title)
    except RenkeiError as exc:
        # The row checks above catch what a sheet can get wrong; this is the schema check's word on
        # the rest (the key, the name), shown as problems without a row.
        result.problems = [RowProblem(row=None, message=item.message) for item in exc.items]
    return result


def problems_error(problems: Sequence[RowProblem]) -> RenkeiError:
    """The problems as one RenkeiError (for the API and commands)."""
    items = [ErrorItem(message=p.message, row=p.row) for p in problems]
    return RenkeiError.from_items(
        _("The check sheet has {n} problem(s); nothing was created.").format(n=len(items)), items
    )
