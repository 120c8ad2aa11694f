"""API schemas of answering: answers, evidence, comments, carried-over answers (see `assessments/schemas.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

# --- answers and review --------------------------------------------------------------------------


class OptionOut(Schema):
    value: str
    label: str


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: dt.datetime
    uploaded_by: str


class CommentOut(Schema):
    id: int
    kind: str
    from_party: bool
    author: str
    body: str
    created_at: dt.datetime


class AnswerOut(Schema):
    """One question of the assessment with its answer (empty values when not answered)."""

    question: str = Field(description="The question's ID (e.g. `A-1`).")
    question_id: int
    section: str
    text: str = Field(description="The question in the request's language.")
    answer_type: str
    required: bool
    options: list[OptionOut] = Field(description="The answers a choice question accepts.")
    value: Any = Field(description="A choice value, a list of them, a number, a text or an ISO date; null: none.")
    value_label: str
    note: str
    version: int = Field(description="Send it back as `base_version` to be told of a concurrent change.")
    review_state: str
    review_state_label: str
    carried_over: bool = Field(description="Prefilled from the last cycle and not confirmed yet.")
    previous_value: Any
    previous_label: str
    changed: bool = Field(description="Differs from the last cycle's answer.")
    updated_by: str
    updated_at: dt.datetime | None
    evidence: list[EvidenceOut]
    comments: list[CommentOut] = Field(description="The question's review thread, oldest first.")


class AnswerItemIn(Schema):
    question: str = Field(min_length=1, max_length=50, description="The question's ID.")
    value: Any = None
    note: str | None = Field(None, description="Left out or null: the comment stays as it is.")


class AnswersIn(Schema):
    answers: list[AnswerItemIn] = Field(min_length=1, max_length=5_000)


class AnswersSavedOut(Schema):
    changed: int


class AnswerPatch(Schema):
    value: Any = Field(None, description="Left out: the answer stays as it is (to change only the comment).")
    note: str | None = None
    base_version: int | None = Field(
        None, description="The version the editor loaded; a different stored version answers 409. "
        "Left out: overwrite without the check."
    )


class CurrentAnswerOut(Schema):
    value: Any
    note: str
    version: int
    updated_by: str
    updated_at: str | None


class ConflictOut(Schema):
    """The answer changed since the editor loaded it: `current` is what the other person saved."""

    message: str
    errors: list[dict[str, Any]]
    current: CurrentAnswerOut


class ConfirmIn(Schema):
    questions: list[str] | None = Field(None, description="IDs of the questions to confirm; left out: all.")


class ConfirmedOut(Schema):
    confirmed: int


class CommentIn(Schema):
    body: str = Field(description="The comment (5,000 characters at most); the party sees it in the portal.")
