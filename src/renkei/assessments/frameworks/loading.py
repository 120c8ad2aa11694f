"""Reading a framework: a YAML file (built-in or uploaded) checked against the schema into a
`FrameworkSpec`. Every problem is reported with its place in the file; nothing half-loaded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from renkei.assessments.frameworks.spec import (
    ANSWER_TYPES,
    BUILTIN_DIR,
    CHARTS,
    CHOICE_KEYS,
    DEFAULT_POINTS,
    FRAMEWORK_KEYS,
    ID_PATTERN,
    KEY_PATTERN,
    MATURITY_CHOICES,
    MAX_PROBLEMS_SHOWN,
    MAX_QUESTIONS,
    MAX_TEXT,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    QUESTION_KEYS,
    SCHEMA_ID,
    SCORING_MODES,
    SECTION_KEYS,
    YESNO_VALUES,
    FrameworkSpec,
    QuestionSpec,
    SectionSpec,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.files.uploads import limit_mb

# --- reading -------------------------------------------------------------------------------------


class _TooDeepError(yaml.YAMLError):
    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.problem_mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases: a framework never needs them, and aliases let a small
    file expand into an enormous structure ("billion laughs"). Nesting is limited too: the composer
    recurses once per level, so `[[[[…]]]]` thousands deep would end in a RecursionError."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", event.start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise _TooDeepError(self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
            _("{file}: the file is too large (limit {limit} MB).").format(file=filename, limit=limit_mb(MAX_YAML_BYTES)),
            field_name="file",
            status=413,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RenkeiError(_("{file}: the file is not UTF-8 text.").format(file=filename), field_name="file") from exc
    try:
        document = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except _TooDeepError as exc:
        raise RenkeiError(
            _("{file}: line {line}: the file is nested more than {limit} levels deep.").format(
                file=filename, line=exc.problem_mark.line + 1, limit=MAX_YAML_DEPTH
            ),
            field_name="file",
        ) from exc
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
