"""Reads of the framework library: a stored framework as a spec (for download)."""

from __future__ import annotations

from typing import Any

from renkei.assessments.models import (
    Framework,
    Question,
    Section,
)

# --- downloading a framework ----------------------------------------------------------------------


def framework_spec(framework: Framework) -> Any:
    """The framework as a `frameworks.FrameworkSpec` built from its stored rows (two queries), for
    downloading it as YAML (e.g. one imported from Excel). Loading the download again gives the
    same content hash."""
    from renkei.assessments.frameworks.spec import YESNO_VALUES, FrameworkSpec, QuestionSpec, SectionSpec

    sections = {
        s.pk: SectionSpec(ref=s.ref, title_ja=s.title_ja, title_en=s.title_en)
        for s in Section.objects.filter(framework=framework).order_by("order", "pk")
    }
    for q in Question.objects.filter(framework=framework).order_by("order", "pk"):
        sections[q.section_id].questions.append(
            QuestionSpec(
                ref=q.ref,
                text_ja=q.text_ja,
                text_en=q.text_en,
                answer_type=q.answer_type,
                choices=[dict(c) for c in q.choices or []],
                weight=q.weight,
                levels=list(q.levels or []),
                mappings={str(k): list(v) for k, v in (q.mappings or {}).items()},
                evidence_ja=q.evidence_ja,
                evidence_en=q.evidence_en,
                required=q.required,
            )
        )
    return FrameworkSpec(
        key=framework.key,
        version=framework.version,
        name_ja=framework.name_ja,
        name_en=framework.name_en,
        description_ja=framework.description_ja,
        description_en=framework.description_en,
        source_ja=framework.source_ja,
        source_en=framework.source_en,
        scoring=framework.scoring,
        levels=list(framework.levels or []),
        levels_cumulative=framework.levels_cumulative,
        chart=framework.chart,
        answers=list(framework.answers or []) or list(YESNO_VALUES),
        answer_points={str(k): float(v) for k, v in (framework.answer_points or {}).items()},
        sections=list(sections.values()),
    )
