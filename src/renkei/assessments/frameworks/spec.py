"""The framework file format (`renkei-framework/1`) as plain data, and back to a document. Pure: no ORM.

A framework is YAML (or the same structure built from an Excel check sheet): framework → sections
→ questions, each with a stable ID, Japanese and English text, an answer type, weight, level tags,
mappings to other frameworks' IDs and a hint on typical evidence. `loading.spec_from_document`
checks everything and raises one `RenkeiError` listing every problem, each naming the file, the item
and what is wrong; nothing is half-loaded. The built-in frameworks are the YAML files in `builtin/`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

SCHEMA_ID = "renkei-framework/1"
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 5_000
# A framework is four levels deep (framework, sections, questions, choices); anything far deeper is
# not a framework, and deep nesting would exhaust the parser's recursion.
MAX_YAML_DEPTH = 20
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
