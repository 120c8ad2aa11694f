"""Reads of answering: the questionnaire page (portal, self-assessment, review) and declarations.
Query counts here do not grow with the number of questions or answers (a 300-question portal page included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from renkei.assessments import scoring
from renkei.assessments.frameworks.spec import yesno_labels
from renkei.assessments.models import (
    Answer,
    Assignment,
    Evidence,
    FollowUp,
    Question,
    ReviewComment,
    Section,
    SubcontractorDeclaration,
    answered,
    pick,
)
from renkei.assessments.selectors import framework_data

# --- the questionnaire page (portal, self-assessment, review) -----------------------------------


@dataclass
class Item:
    """One question with everything shown beside it."""

    question: Question
    answer: Answer | None
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def is_answered(self) -> bool:
        if self.question.answer_type == "file":
            return bool(self.evidence)
        return self.answer is not None and answered(self.answer.value)

    @property
    def carried_over(self) -> bool:
        return bool(self.answer and self.answer.carried_over)

    @property
    def changed(self) -> bool:
        """Changed from the last cycle's answer (for the reviewer)."""
        return bool(
            self.answer is not None
            and self.answer.assignment.previous_id
            and not self.answer.carried_over
            and self.answer.value != self.answer.previous_value
        )

    @property
    def value_label(self) -> str:
        return value_label(self.question, self.value)

    @property
    def previous_label(self) -> str:
        return value_label(self.question, self.answer.previous_value) if self.answer else ""

    @property
    def options(self) -> list[tuple[str, str]]:
        return question_options(self.question, self._yesno_answers)

    _yesno_answers: tuple[str, ...] = ()


@dataclass
class SectionItems:
    section: Section
    items: list[Item]

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.is_answered)


@dataclass
class Questionnaire:
    assignment: Assignment
    sections: list[SectionItems]
    summary: scoring.Summary
    general_comments: list[ReviewComment]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def carried_over(self) -> int:
        return sum(1 for s in self.sections for i in s.items if i.carried_over)


def question_options(question: Question, yesno_answers: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label in the active language) of a choice question."""
    if question.answer_type == "yesno":
        labels = yesno_labels()
        return [(v, str(labels[v])) for v in yesno_answers]
    return [(str(c["value"]), pick(c.get("ja") or "", c.get("en") or "")) for c in question.choices or []]


def value_label(question: Question, value: Any) -> str:
    """An answer as a person reads it."""
    if value is None or value == "" or value == []:
        return ""
    if question.answer_type == "yesno":
        return str(yesno_labels().get(str(value), value))
    if question.answer_type in ("single", "maturity", "multiple"):
        labels = {str(c["value"]): pick(c.get("ja") or "", c.get("en") or "") for c in question.choices or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return str(value)


def questionnaire(assignment: Assignment, *, with_follow_ups: bool = True) -> Questionnaire:
    """Every section and question of an assessment with its answer, evidence, thread and follow-ups,
    in a fixed number of queries."""
    framework = assignment.framework
    sections = list(Section.objects.filter(framework=framework).order_by("order"))
    questions = list(Question.objects.filter(framework=framework).order_by("order"))
    answers = {a.question_id: a for a in Answer.objects.filter(assignment=assignment)}
    for a in answers.values():
        a.assignment = assignment  # avoid a query per answer when templates read it
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in Evidence.objects.filter(assignment=assignment).order_by("uploaded_at", "pk"):
        evidence[e.question_id].append(e)
    comments: dict[int | None, list[ReviewComment]] = defaultdict(list)
    for c in ReviewComment.objects.filter(assignment=assignment).order_by("created_at", "pk"):
        comments[c.question_id].append(c)
    follow_ups: dict[int | None, list[FollowUp]] = defaultdict(list)
    if with_follow_ups:
        for f in FollowUp.objects.filter(assignment=assignment).order_by("due_date", "pk"):
            follow_ups[f.question_id].append(f)
    yesno = tuple(framework.answers or ())
    by_section: dict[int, list[Item]] = defaultdict(list)
    for q in questions:
        item = Item(
            question=q,
            answer=answers.get(q.pk),
            evidence=evidence.get(q.pk, []),
            comments=comments.get(q.pk, []),
            follow_ups=follow_ups.get(q.pk, []),
        )
        item._yesno_answers = yesno
        by_section[q.section_id].append(item)
    data, question_data = framework_data(framework)
    values: dict[str, Any] = {q.ref: answers[q.pk].value for q in questions if q.pk in answers and answers[q.pk].value is not None}
    for q in questions:
        if q.answer_type == "file" and evidence.get(q.pk):
            values[q.ref] = [e.name for e in evidence[q.pk]]
    return Questionnaire(
        assignment=assignment,
        sections=[SectionItems(section=s, items=by_section.get(s.pk, [])) for s in sections],
        summary=scoring.summarise(data, question_data, values),
        general_comments=comments.get(None, []),
    )


def declarations(assignment: Assignment) -> QuerySet[SubcontractorDeclaration]:
    return assignment.declarations.prefetch_related("assets").select_related("organisation").order_by("declared_at", "pk")


def pending_declarations_count(assignments: Iterable[Assignment]) -> dict[int, int]:
    rows = (
        SubcontractorDeclaration.objects.filter(assignment__in=list(assignments), status="proposed")
        .values("assignment_id")
        .annotate(n=Count("pk"))
    )
    return {r["assignment_id"]: r["n"] for r in rows}


def question_label(question: Question) -> str:
    return f"{question.ref} {question.text}"
