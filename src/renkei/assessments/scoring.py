"""Scores and level readiness of one assessment, and the checking of answer values. Pure: no ORM.

Scoring follows the framework's mode:
- percent: points achieved / points achievable × 100, weighted (yes 1, partly 0.5, no and
  "don't know" 0 by default); "not applicable" leaves the question out of both;
- points: the plain sum of points (the quick check: 4 / 2 / 0 / −1, 25 questions, at most 100);
- maturity: the average maturity (0–5) per section, drawn as a radar chart.
Unanswered scored questions count as zero against the maximum, so an incomplete assessment never
looks better than it is. A level is "ready" when every question counting for it is met: answered
yes (or not applicable), a choice worth the full score, or a maturity of at least 3.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from renkei.assessments.frameworks.spec import SCORED_TYPES, levels_of
from renkei.core.errors import RenkeiError

MATURITY_MET = 3
MAX_TEXT_ANSWER = 10_000


@dataclass(frozen=True)
class QuestionData:
    """What scoring needs of a question."""

    ref: str
    section_ref: str
    answer_type: str
    weight: float = 1.0
    levels: tuple[str, ...] = ()
    choices: tuple[Mapping[str, Any], ...] = ()
    required: bool = True


@dataclass(frozen=True)
class FrameworkData:
    scoring: str
    answer_points: Mapping[str, float]
    levels: tuple[str, ...] = ()
    levels_cumulative: bool = False
    sections: tuple[tuple[str, str], ...] = ()  # (ref, title) in order


@dataclass
class Score:
    ref: str
    title: str
    questions: int = 0
    answered: int = 0
    points: float = 0.0
    max_points: float = 0.0
    scored: int = 0  # scored questions that were answered (and not "not applicable")
    percent: float | None = None
    average: float | None = None


@dataclass
class Readiness:
    level: str
    total: int
    met: int
    gaps: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.total > 0 and self.met == self.total

    @property
    def percent(self) -> int:
        return int(100 * self.met / self.total) if self.total else 0


@dataclass
class Summary:
    scoring: str
    overall: Score
    sections: list[Score]
    readiness: list[Readiness]
    unanswered_required: list[str]

    @property
    def complete(self) -> bool:
        return not self.unanswered_required

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for item, readiness in zip(data["readiness"], self.readiness, strict=True):
            item["ready"] = readiness.ready
            item["percent"] = readiness.percent
        return data


def _choice_scores(question: QuestionData) -> dict[str, float]:
    return {str(c["value"]): float(c["score"]) for c in question.choices if c.get("score") is not None}


def question_points(question: QuestionData, value: Any, points: Mapping[str, float]) -> tuple[float, float] | None:
    """(points achieved, points achievable) for one answer, or None when it does not count."""
    if question.answer_type not in SCORED_TYPES:
        return None
    if question.answer_type == "yesno":
        best = max(points.values()) if points else 1.0
        if value == "na":
            return None
        achieved = points.get(str(value), 0.0) if value is not None else 0.0
        return achieved * question.weight, best * question.weight
    scores = _choice_scores(question)
    if not scores:
        return None
    achieved = scores.get(str(value), 0.0) if value is not None else 0.0
    return achieved * question.weight, max(scores.values()) * question.weight


def is_met(question: QuestionData, value: Any) -> bool:
    """Whether an answer fulfils its question for level readiness."""
    if value is None:
        return False
    if question.answer_type == "yesno":
        return value in ("yes", "na")
    if question.answer_type == "maturity":
        try:
            return int(value) >= MATURITY_MET
        except (TypeError, ValueError):
            return False
    scores = _choice_scores(question)
    if scores:
        return scores.get(str(value), math.nan) == max(scores.values())
    return value not in ("", [])


def summarise(framework: FrameworkData, questions: Sequence[QuestionData], values: Mapping[str, Any]) -> Summary:
    """Scores per section and overall, and readiness per level, for one set of answers (ref → value)."""
    titles = dict(framework.sections)
    sections: dict[str, Score] = {ref: Score(ref=ref, title=title) for ref, title in framework.sections}
    overall = Score(ref="", title=_("Overall"))
    readiness = {level: Readiness(level=level, total=0, met=0) for level in framework.levels}
    unanswered: list[str] = []
    for question in questions:
        section = sections.setdefault(question.section_ref, Score(ref=question.section_ref, title=titles.get(question.section_ref, "")))
        value = values.get(question.ref)
        given = value not in (None, "", [])
        for score in (section, overall):
            score.questions += 1
            score.answered += int(given)
        if not given and question.required:
            unanswered.append(question.ref)
        counted = question_points(question, value if given else None, framework.answer_points)
        if counted is not None:
            achieved, achievable = counted
            for score in (section, overall):
                score.points += achieved
                score.max_points += achievable
                score.scored += int(given)
        for level in levels_of(framework.levels, question.levels, framework.levels_cumulative):
            entry = readiness.get(level)
            if entry is None:
                continue
            entry.total += 1
            if given and is_met(question, value):
                entry.met += 1
            else:
                entry.gaps.append(question.ref)
    for score in [*sections.values(), overall]:
        _finish(score, framework.scoring)
    return Summary(
        scoring=framework.scoring,
        overall=overall,
        sections=list(sections.values()),
        readiness=[r for r in readiness.values() if r.total],
        unanswered_required=unanswered,
    )


def _finish(score: Score, scoring: str) -> None:
    score.points = round(score.points, 2)
    score.max_points = round(score.max_points, 2)
    if score.max_points > 0:
        score.percent = round(100 * score.points / score.max_points, 1)
    if scoring == "maturity" and score.scored:
        # The average over answered questions: an unanswered maturity is unknown, not zero.
        score.average = round(score.points / score.scored, 2)


# --- answer values -------------------------------------------------------------------------------


def normalise_value(
    *, answer_type: str, choices: Iterable[Mapping[str, Any]], yesno_answers: Iterable[str], raw: Any
) -> Any:
    """The stored form of an answer, or RenkeiError saying what is wrong with it.

    None, "" and [] clear the answer. Choices are matched by value, or by label in either language
    (so an Excel cell reading 「はい」 is accepted as well as "yes").
    """
    if raw is None or raw == "" or raw == []:
        return None
    if answer_type == "file":
        raise RenkeiError(_("Attach the file as evidence instead."), field_name="value")
    if answer_type == "number":
        return _number(raw)
    if answer_type == "date":
        return _date(raw)
    if answer_type == "text":
        text = str(raw).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise RenkeiError(_("The answer is too long ({n} characters at most).").format(n=MAX_TEXT_ANSWER), field_name="value")
        return text or None
    options = _options(answer_type, choices, yesno_answers)
    if answer_type == "multiple":
        items = raw if isinstance(raw, list) else [p for p in str(raw).replace("、", ",").replace("\n", ",").split(",")]
        values = [_match_option(options, item) for item in items if str(item).strip()]
        ordered = [value for value in options if value in values]
        return ordered or None
    if isinstance(raw, list):
        raise RenkeiError(_("Choose one answer."), field_name="value")
    return _match_option(options, raw)


def _options(answer_type: str, choices: Iterable[Mapping[str, Any]], yesno_answers: Iterable[str]) -> dict[str, set[str]]:
    """Allowed values → the spellings accepted for each (value, Japanese and English labels)."""
    from renkei.assessments.frameworks.spec import yesno_labels

    if answer_type == "yesno":
        labels = yesno_labels()
        spelled = {
            "yes": {"はい", "実施している", "○", "◯", "y"},
            "partly": {"一部", "一部実施", "一部実施している", "△"},
            "no": {"いいえ", "実施していない", "×", "n"},
            "na": {"該当なし", "対象外", "n/a", "-", "－"},
            "unknown": {"わからない", "不明", "?"},
        }
        return {v: {v, labels[v].lower(), *spelled[v]} for v in yesno_answers}
    options: dict[str, set[str]] = {}
    for choice in choices:
        value = str(choice["value"])
        options[value] = {value, str(choice.get("ja") or "").lower(), str(choice.get("en") or "").lower()} - {""}
    return options


def _match_option(options: Mapping[str, set[str]], raw: Any) -> str:
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    lowered = text.lower()
    for value, spellings in options.items():
        if lowered in spellings:
            return value
    for value, spellings in options.items():
        # "3: Defined company-wide" or "3" typed for a maturity choice whose label starts with it.
        if any(s.split(":", 1)[0].strip() == lowered for s in spellings if ":" in s):
            return value
    raise RenkeiError(
        _("“{value}” is not one of the answers: {choices}").format(value=text[:100], choices=", ".join(options)),
        field_name="value",
    )


def _number(raw: Any) -> float | int:
    if isinstance(raw, bool):
        raise RenkeiError(_("Enter a number."), field_name="value")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        try:
            number = float(str(raw).strip().replace(",", "").replace("，", ""))
        except ValueError as exc:
            raise RenkeiError(_("Enter a number."), field_name="value") from exc
    if not math.isfinite(number) or abs(number) > 1e15:
        raise RenkeiError(_("Enter a number."), field_name="value")
    return int(number) if number.is_integer() else number


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise RenkeiError(_("Enter a date as YYYY-MM-DD."), field_name="value") from exc
