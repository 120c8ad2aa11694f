"""Reads of the review: follow-up items proposed from a submitted assessment's answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from renkei.assessments.answering.selectors import value_label
from renkei.assessments.models import (
    Answer,
    Assignment,
    FollowUp,
    Question,
)

# --- follow-up proposals -------------------------------------------------------------------------


@dataclass
class FollowUpProposal:
    question: Question
    value: Any
    severity: str
    title: str
    description: str


def _negative_severity(question: Question, value: Any) -> str | None:
    """The severity a gap proposes, or None when the answer is not negative."""
    if value is None:
        return None
    if question.answer_type == "yesno":
        return {"no": "high", "partly": "medium", "unknown": "medium"}.get(str(value))
    if question.answer_type == "maturity":
        try:
            level = int(value)
        except (TypeError, ValueError):
            return None
        return "high" if level <= 1 else ("medium" if level == 2 else None)
    scores = {str(c["value"]): c.get("score") for c in question.choices or [] if c.get("score") is not None}
    if question.answer_type == "single" and scores and str(value) in scores:
        return "medium" if scores[str(value)] < max(scores.values()) else None
    return None


def proposed_followups(assignment: Assignment) -> list[FollowUpProposal]:
    """Negative answers that have no follow-up item yet."""
    taken = set(FollowUp.objects.filter(assignment=assignment).values_list("question_id", flat=True))
    proposals = []
    answers = Answer.objects.filter(assignment=assignment, value__isnull=False).select_related("question").order_by("question__order")
    for answer in answers:
        question = answer.question
        severity = _negative_severity(question, answer.value)
        if severity is None or question.pk in taken:
            continue
        if severity == "high" and question.weight < 1:
            severity = "medium"
        proposals.append(
            FollowUpProposal(
                question=question,
                value=answer.value,
                severity=severity,
                title=f"{question.ref}: {question.text_ja}"[:300],
                description=_("Answer: {answer}").format(answer=value_label(question, answer.value))
                + (("\n" + answer.note) if answer.note else ""),
            )
        )
    return proposals
