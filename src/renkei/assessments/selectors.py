"""Scoring reads shared by the sub-packages: a framework's scoring data (cached by content hash), an
assessment's answer values and its score summary. The sub-packages' own reads are in their
`selectors.py`; query counts there do not grow with the number of questions, answers or parties.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import get_language

from renkei.assessments import scoring
from renkei.assessments.models import (
    Assignment,
    Evidence,
    Framework,
    Question,
    Section,
)

# --- scoring -------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _framework_data(framework_id: int, content_hash: str, language: str) -> tuple[scoring.FrameworkData, tuple[scoring.QuestionData, ...]]:
    # Keyed by content hash too: a framework replaced in place (unused, same version) is re-read.
    framework = Framework.objects.get(pk=framework_id)
    sections = list(Section.objects.filter(framework_id=framework_id).order_by("order").values_list("pk", "ref", "title_ja", "title_en"))
    section_refs = {pk: ref for pk, ref, _ja, _en in sections}
    questions = tuple(
        scoring.QuestionData(
            ref=q.ref,
            section_ref=section_refs[q.section_id],
            answer_type=q.answer_type,
            weight=q.weight,
            levels=tuple(q.levels or ()),
            choices=tuple(q.choices or ()),
            required=q.required,
        )
        for q in Question.objects.filter(framework_id=framework_id).order_by("order")
    )
    data = scoring.FrameworkData(
        scoring=framework.scoring,
        answer_points=dict(framework.answer_points or {}),
        levels=tuple(framework.levels or ()),
        levels_cumulative=framework.levels_cumulative,
        sections=tuple((ref, (en if language.startswith("en") and en else ja)) for _pk, ref, ja, en in sections),
    )
    return data, questions


def framework_data(framework: Framework) -> tuple[scoring.FrameworkData, tuple[scoring.QuestionData, ...]]:
    """What scoring needs of a framework, cached per process (frameworks change rarely)."""
    return _framework_data(framework.pk, framework.content_hash, get_language() or "ja")


def answer_values(assignment: Assignment) -> dict[str, Any]:
    """Question ID → answer value; answers carried over from the last cycle count as given, and a
    file question is answered by the names of the evidence attached to it."""
    values: dict[str, Any] = dict(assignment.answers.filter(value__isnull=False).values_list("question__ref", "value"))
    files = Evidence.objects.filter(assignment=assignment, question__answer_type="file").values_list("question__ref", "name")
    for ref, name in files:
        values.setdefault(ref, []).append(name)
    return values


def assignment_summary(assignment: Assignment) -> scoring.Summary:
    data, questions = framework_data(assignment.framework)
    return scoring.summarise(data, questions, answer_values(assignment))
