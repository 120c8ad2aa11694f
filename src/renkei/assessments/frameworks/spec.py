"""The framework file format (`renkei-framework/1`) and its schema check. Pure: no ORM.

A framework is YAML (or the same structure built from an Excel check sheet): framework → sections
→ questions, each with a stable ID, Japanese and English text, an answer type, weight, level tags,
mappings to other frameworks' IDs and a hint on typical evidence. `spec_from_document` checks
everything and raises one `RenkeiError` listing every problem, each naming the file, the item and
what is wrong; nothing is half-loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem, RenkeiError

SCHEMA_ID = "renkei-framework/1"
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 5_000
MAX_TEXT = 4_000
MAX_PROBLEMS_SHOWN = 50

SCORING_MODES = ("percent", "points", "maturity")
ANSWER_TYPES = ("yesno", "single", "multiple", "number", "text", "date", "file", "maturity")
SCORED_TYPES = ("yesno", "single", "maturity")
YESNO_VALUES = ("yes", "partly", "no", "na", "unknown")
# Points of a yes/no answer by scoring mode; "na" is never scored (left out of the maximum).
DEFAULT_POINTS: dict[str, dict[str, float]] = {
    "percent": {"yes": 1, "partly": 0.5, "no": 0, "unknown": 0},
    "points": {"yes": 4, "partly": 2, "no": 0, "unknown": -1},
    "maturity": {"yes": 1, "partly": 0.5, "no": 0, "unknown": 0},
}
MATURITY_CHOICES: tuple[dict[str, Any], ...] = (
    {"value": "0", "ja": "0: 未着手", "en": "0: Not started", "score": 0},
    {"value": "1", "ja": "1: 場当たり的に実施", "en": "1: Ad hoc", "score": 1},
    {"value": "2", "ja": "2: 一部で定めて実施", "en": "2: Partly defined", "score": 2},
    {"value": "3", "ja": "3: 全社で定めて実施", "en": "3: Defined company-wide", "score": 3},
    {"value": "4", "ja": "4: 測定し管理している", "en": "4: Measured and managed", "score": 4},
    {"value": "5", "ja": "5: 継続的に改善している", "en": "5: Continuously improved", "score": 5},
)
CHARTS = ("", "radar")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")

FRAMEWORK_KEYS = {
    "schema", "key", "version", "name", "description", "source", "scoring", "levels", "levels_cumulative",
    "chart", "answers", "answer_points", "sections",
}
SECTION_KEYS = {"id", "title", "questions"}
QUESTION_KEYS = {"id", "text", "type", "weight", "levels", "mappings", "evidence", "required", "choices"}
CHOICE_KEYS = {"value", "label", "score"}


@dataclass
class QuestionSpec:
    ref: str
    text_ja: str
    text_en: str
    answer_type: str
    choices: list[dict[str, Any]] = field(default_factory=list)
    weight: float = 1.0
    levels: list[str] = field(default_factory=list)
    mappings: dict[str, list[str]] = field(default_factory=dict)
    evidence_ja: str = ""
    evidence_en: str = ""
    required: bool = True


@dataclass
class SectionSpec:
    ref: str
    title_ja: str
    title_en: str
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass
class FrameworkSpec:
    key: str
    version: str
    name_ja: str
    name_en: str
    description_ja: str = ""
    description_en: str = ""
    source_ja: str = ""
    source_en: str = ""
    scoring: str = "percent"
    levels: list[str] = field(default_factory=list)
    levels_cumulative: bool = False
    chart: str = ""
    answers: list[str] = field(default_factory=lambda: list(YESNO_VALUES))
    answer_points: dict[str, float] = field(default_factory=dict)
    sections: list[SectionSpec] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    def content_hash(self) -> str:
        """A digest of everything the framework says, to tell an edited file from an unchanged one."""
        encoded = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()


# --- reading -------------------------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases: a framework never needs them, and aliases let a small
    file expand into an enormous structure ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


# YAML 1.2 booleans only: in YAML 1.1 `yes`, `no`, `on` and `off` are booleans, which would turn the
# answers `yes` and `no` (and their points) into True and False.
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NoAliasLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(data: bytes, *, filename: str) -> FrameworkSpec:
    """Parse and check a framework file; raises RenkeiError naming the file, item and problem."""
    if len(data) > MAX_YAML_BYTES:
        raise RenkeiError(
            _("{file}: the file is too large (limit {limit} MB).").format(file=filename, limit=MAX_YAML_BYTES // 2**20),
            field_name="file",
            status=413,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RenkeiError(_("{file}: the file is not UTF-8 text.").format(file=filename), field_name="file") from exc
    try:
        document = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RenkeiError(
            _("{file}: {where}: not valid YAML: {problem}").format(file=filename, where=where, problem=problem),
            field_name="file",
        ) from exc
    return spec_from_document(document, filename=filename)


def builtin_paths() -> list[Path]:
    """The framework files shipped in the package."""
    return sorted(BUILTIN_DIR.glob("*.yaml"))


# --- the schema check ----------------------------------------------------------------------------


class _Checker:
    """Collects problems as (location, message) instead of stopping at the first one."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[ErrorItem] = []

    def problem(self, location: str, message: str) -> None:
        self.problems.append(ErrorItem(message=f"{self.filename}: {location}: {message}", field=location))

    def unknown_keys(self, location: str, value: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(map(str, value)) - allowed):
            self.problem(location, _("unknown field “{key}”").format(key=key))

    def text(self, location: str, value: Any, *, required: bool = True, limit: int = MAX_TEXT) -> tuple[str, str]:
        """A text in Japanese and English: {ja: …, en: …}, or one plain string (taken as Japanese)."""
        if value is None or value == "":
            if required:
                self.problem(location, _("is required"))
            return "", ""
        if isinstance(value, str | int | float):
            ja, en = str(value).strip(), ""
        elif isinstance(value, dict):
            self.unknown_keys(location, value, {"ja", "en"})
            ja = str(value.get("ja") or "").strip()
            en = str(value.get("en") or "").strip()
        else:
            self.problem(location, _("must be a text or {ja: …, en: …}"))
            return "", ""
        if required and not (ja or en):
            self.problem(location, _("is required"))
        if len(ja) > limit or len(en) > limit:
            self.problem(location, _("is too long ({n} characters at most)").format(n=limit))
        return (ja or en), en

    def identifier(self, location: str, value: Any, pattern: re.Pattern[str]) -> str:
        text = "" if value is None else str(value).strip()
        if not text:
            self.problem(location, _("is required"))
        elif not pattern.match(text):
            self.problem(location, _("“{value}” is not a valid ID (letters, digits, . _ -)").format(value=text[:60]))
        return text

    def string_list(self, location: str, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str | int | float):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            self.problem(location, _("must be a list of texts"))
            return []
        return [str(v).strip() for v in value if str(v).strip()]


def spec_from_document(document: Any, *, filename: str) -> FrameworkSpec:
    """Check a parsed framework document and build its spec; every problem is reported at once."""
    check = _Checker(filename)
    if not isinstance(document, dict):
        raise RenkeiError(_("{file}: the document must be a mapping with a “sections” list.").format(file=filename))
    check.unknown_keys(_("framework"), document, FRAMEWORK_KEYS)
    if document.get("schema") != SCHEMA_ID:
        check.problem("schema", _("must be “{expected}”").format(expected=SCHEMA_ID))
    key = check.identifier("key", document.get("key"), KEY_PATTERN)
    version = str(document.get("version") or "").strip()
    if not version:
        check.problem("version", _("is required"))
    elif len(version) > 40:
        check.problem("version", _("is too long ({n} characters at most)").format(n=40))
    name_ja, name_en = check.text("name", document.get("name"), limit=200)
    description_ja, description_en = check.text("description", document.get("description"), required=False)
    source_ja, source_en = check.text("source", document.get("source"), required=False)
    scoring = str(document.get("scoring") or "percent")
    if scoring not in SCORING_MODES:
        check.problem("scoring", _("must be one of: {values}").format(values=", ".join(SCORING_MODES)))
        scoring = "percent"
    chart = str(document.get("chart") or "")
    if chart not in CHARTS:
        check.problem("chart", _("must be one of: {values}").format(values="radar"))
    levels = check.string_list("levels", document.get("levels"))
    if len(set(levels)) != len(levels):
        check.problem("levels", _("a level is listed twice"))
    answers = _answers(check, document.get("answers"))
    points = _answer_points(check, document.get("answer_points"), scoring)
    spec = FrameworkSpec(
        key=key,
        version=version,
        name_ja=name_ja,
        name_en=name_en,
        description_ja=description_ja,
        description_en=description_en,
        source_ja=source_ja,
        source_en=source_en,
        scoring=scoring,
        levels=levels,
        levels_cumulative=bool(document.get("levels_cumulative", False)),
        chart=chart,
        answers=answers,
        answer_points=points,
    )
    sections = document.get("sections")
    if not isinstance(sections, list) or not sections:
        check.problem("sections", _("must be a non-empty list"))
        sections = []
    section_ids: set[str] = set()
    question_ids: set[str] = set()
    for s_index, raw_section in enumerate(sections):
        spec.sections.append(_section(check, s_index, raw_section, spec, section_ids, question_ids))
    if spec.question_count > MAX_QUESTIONS:
        check.problem("sections", _("too many questions ({n} at most)").format(n=MAX_QUESTIONS))
    elif sections and spec.question_count == 0:
        check.problem("sections", _("the framework has no questions"))
    if check.problems:
        problems = check.problems[:MAX_PROBLEMS_SHOWN]
        message = _("{file}: the framework has {n} problem(s); the first: {first}").format(
            file=filename, n=len(check.problems), first=problems[0].message.split(": ", 1)[-1]
        )
        raise RenkeiError.from_items(message, problems)
    return spec


def _answers(check: _Checker, value: Any) -> list[str]:
    if value is None:
        return list(YESNO_VALUES)
    answers = check.string_list("answers", value)
    unknown = [a for a in answers if a not in YESNO_VALUES]
    if unknown:
        check.problem("answers", _("unknown answer “{value}”; allowed: {values}").format(
            value=unknown[0], values=", ".join(YESNO_VALUES)))
    if not {"yes", "no"} <= set(answers):
        check.problem("answers", _("must include yes and no"))
    return [a for a in YESNO_VALUES if a in answers]


def _answer_points(check: _Checker, value: Any, scoring: str) -> dict[str, float]:
    points = {name: float(number) for name, number in DEFAULT_POINTS[scoring].items()}
    if value is None:
        return points
    if not isinstance(value, dict):
        check.problem("answer_points", _("must be a mapping such as {yes: 4, partly: 2, no: 0}"))
        return points
    for name, number in value.items():
        if name not in points:
            check.problem("answer_points", _("unknown answer “{value}”").format(value=name))
        elif not isinstance(number, int | float) or isinstance(number, bool):
            check.problem(f"answer_points.{name}", _("must be a number"))
        else:
            points[str(name)] = float(number)
    return points


def _section(
    check: _Checker, index: int, raw: Any, spec: FrameworkSpec, section_ids: set[str], question_ids: set[str]
) -> SectionSpec:
    location = f"sections[{index}]"
    if not isinstance(raw, dict):
        check.problem(location, _("must be a mapping with id, title and questions"))
        return SectionSpec(ref="", title_ja="", title_en="")
    ref = check.identifier(f"{location}.id", raw.get("id"), ID_PATTERN)
    if ref:
        location = f"{location} ({ref})"
    if ref and ref in section_ids:
        check.problem(f"{location}.id", _("the ID “{value}” is used twice").format(value=ref))
    section_ids.add(ref)
    check.unknown_keys(location, raw, SECTION_KEYS)
    title_ja, title_en = check.text(f"{location}.title", raw.get("title"), limit=300)
    section = SectionSpec(ref=ref, title_ja=title_ja, title_en=title_en)
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        check.problem(f"{location}.questions", _("must be a non-empty list"))
        return section
    for q_index, raw_question in enumerate(questions):
        question = _question(check, f"{location}.questions[{q_index}]", raw_question, spec, question_ids)
        if question is not None:
            section.questions.append(question)
    return section


def _question(
    check: _Checker, location: str, raw: Any, spec: FrameworkSpec, question_ids: set[str]
) -> QuestionSpec | None:
    if not isinstance(raw, dict):
        check.problem(location, _("must be a mapping with id, text and type"))
        return None
    ref = check.identifier(f"{location}.id", raw.get("id"), ID_PATTERN)
    if ref:
        location = f"{location} ({ref})"
    if ref and ref in question_ids:
        check.problem(f"{location}.id", _("the ID “{value}” is used twice").format(value=ref))
    question_ids.add(ref)
    check.unknown_keys(location, raw, QUESTION_KEYS)
    text_ja, text_en = check.text(f"{location}.text", raw.get("text"))
    answer_type = str(raw.get("type") or "")
    if answer_type not in ANSWER_TYPES:
        check.problem(
            f"{location}.type",
            _("unknown answer type “{value}”; allowed: {values}").format(value=answer_type, values=", ".join(ANSWER_TYPES)),
        )
    weight = raw.get("weight", 1)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0 or weight > 1000:
        check.problem(f"{location}.weight", _("must be a number greater than 0"))
        weight = 1
    levels = check.string_list(f"{location}.levels", raw.get("levels"))
    for level in levels:
        if level not in spec.levels:
            check.problem(
                f"{location}.levels",
                _("level “{value}” is not one of the framework's levels ({values})").format(
                    value=level, values=", ".join(spec.levels) or "—"
                ),
            )
    evidence_ja, evidence_en = check.text(f"{location}.evidence", raw.get("evidence"), required=False)
    required = raw.get("required", True)
    if not isinstance(required, bool):
        check.problem(f"{location}.required", _("must be true or false"))
        required = True
    return QuestionSpec(
        ref=ref,
        text_ja=text_ja,
        text_en=text_en,
        answer_type=answer_type,
        choices=_choices(check, location, answer_type, raw.get("choices")),
        weight=float(weight),
        levels=levels,
        mappings=_mappings(check, f"{location}.mappings", raw.get("mappings")),
        evidence_ja=evidence_ja,
        evidence_en=evidence_en,
        required=required,
    )


def _choices(check: _Checker, location: str, answer_type: str, raw: Any) -> list[dict[str, Any]]:
    if answer_type == "maturity" and raw is None:
        return [dict(c) for c in MATURITY_CHOICES]
    if answer_type not in ("single", "multiple", "maturity"):
        if raw not in (None, []):
            check.problem(f"{location}.choices", _("only single, multiple and maturity questions have choices"))
        return []
    if not isinstance(raw, list) or len(raw) < 2:
        check.problem(f"{location}.choices", _("must list at least two choices"))
        return []
    choices: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{location}.choices[{index}]"
        if isinstance(item, str | int | float):
            item = {"value": str(item), "label": str(item)}
        if not isinstance(item, dict):
            check.problem(where, _("must be a mapping with value and label"))
            continue
        check.unknown_keys(where, item, CHOICE_KEYS)
        value = str(item.get("value") if item.get("value") is not None else "").strip()
        if not value:
            check.problem(f"{where}.value", _("is required"))
        elif value in seen:
            check.problem(f"{where}.value", _("the value “{value}” is used twice").format(value=value))
        seen.add(value)
        ja, en = check.text(f"{where}.label", item.get("label", value), limit=300)
        score = item.get("score")
        if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
            check.problem(f"{where}.score", _("must be a number"))
            score = None
        choices.append({"value": value, "ja": ja, "en": en, "score": score})
    return choices


def _mappings(check: _Checker, location: str, raw: Any) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        check.problem(location, _("must be a mapping of framework keys to lists of IDs"))
        return {}
    mappings: dict[str, list[str]] = {}
    for name, ids in raw.items():
        values = check.string_list(f"{location}.{name}", ids)
        if values:
            mappings[str(name)] = values
    return mappings


def spec_to_document(spec: FrameworkSpec) -> dict[str, Any]:
    """The YAML document of a spec (for downloading a framework, e.g. one imported from Excel)."""

    def text(ja: str, en: str) -> dict[str, str] | str:
        return {"ja": ja, "en": en} if en else ja

    def question(q: QuestionSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"id": q.ref, "text": text(q.text_ja, q.text_en), "type": q.answer_type}
        if q.weight != 1:
            out["weight"] = q.weight
        if q.levels:
            out["levels"] = q.levels
        if q.mappings:
            out["mappings"] = q.mappings
        if q.evidence_ja or q.evidence_en:
            out["evidence"] = text(q.evidence_ja, q.evidence_en)
        if not q.required:
            out["required"] = False
        if q.choices and q.answer_type != "maturity":
            out["choices"] = [
                {"value": c["value"], "label": text(c["ja"], c["en"]), **({"score": c["score"]} if c.get("score") is not None else {})}
                for c in q.choices
            ]
        return out

    document: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "key": spec.key,
        "version": spec.version,
        "name": text(spec.name_ja, spec.name_en),
    }
    if spec.description_ja or spec.description_en:
        document["description"] = text(spec.description_ja, spec.description_en)
    if spec.source_ja or spec.source_en:
        document["source"] = text(spec.source_ja, spec.source_en)
    document["scoring"] = spec.scoring
    if spec.levels:
        document["levels"] = spec.levels
    if spec.levels_cumulative:
        document["levels_cumulative"] = True
    if spec.chart:
        document["chart"] = spec.chart
    if spec.answers != list(YESNO_VALUES):
        document["answers"] = spec.answers
    if spec.answer_points != DEFAULT_POINTS[spec.scoring]:
        document["answer_points"] = spec.answer_points
    document["sections"] = [
        {"id": s.ref, "title": text(s.title_ja, s.title_en), "questions": [question(q) for q in s.questions]}
        for s in spec.sections
    ]
    return document


def yesno_labels() -> dict[str, str]:
    """The labels of the yes/no answers in the active language."""
    return {
        "yes": _("Yes"),
        "partly": _("Partly"),
        "no": _("No"),
        "na": _("Not applicable"),
        "unknown": _("Don't know"),
    }


def levels_of(spec_levels: Iterable[str], question_levels: Iterable[str], cumulative: bool) -> set[str]:
    """The levels a question counts for: its own tags, plus every higher level when levels are cumulative."""
    ordered = list(spec_levels)
    tags = set(question_levels)
    if not cumulative or not tags:
        return tags
    lowest = min((ordered.index(t) for t in tags if t in ordered), default=None)
    return tags if lowest is None else tags | set(ordered[lowest:])
