"""API schemas of the framework library (see `assessments/schemas.py` for the conventions)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.assessments.models import (
    FrameworkOrigin,
)
from renkei.assessments.schemas import RecordOut

# --- frameworks ----------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    ja: str = ""
    en: str = ""
    score: float | None = None


class QuestionOut(Schema):
    id: int
    ref: str = Field(description="The question's stable ID within the framework (e.g. `A-1`).")
    section: str = Field(alias="section.ref", description="The ID of the question's section.")
    order: int
    text_ja: str
    text_en: str
    answer_type: str
    answer_type_label: str = Field(alias="get_answer_type_display")
    choices: list[ChoiceOut] = Field(description="Choices of single, multiple and maturity questions.")
    weight: float
    levels: list[str]
    mappings: dict[str, list[str]] = Field(description="IDs of the same requirement in other frameworks.")
    evidence_ja: str
    evidence_en: str
    required: bool


class SectionOut(Schema):
    ref: str
    title_ja: str
    title_en: str
    questions: list[QuestionOut]


class FrameworkOut(RecordOut):
    id: int
    key: str
    version: str
    name: str = Field(description="The name in the request's language.")
    name_ja: str
    name_en: str
    origin: str
    origin_label: str = Field(alias="get_origin_display")
    scoring: str
    levels: list[str]
    levels_cumulative: bool
    chart: str
    question_count: int
    is_active: bool
    group_company_id: int | None = Field(description="Empty: the framework belongs to the whole group.")
    created_at: dt.datetime
    updated_at: dt.datetime


class FrameworkDetailOut(FrameworkOut):
    description_ja: str
    description_en: str
    source_ja: str
    source_en: str
    answers: list[str] = Field(description="The answers yes/no questions offer (yes, partly, no, na, unknown).")
    answer_points: dict[str, float]
    in_use: bool = Field(description="Used by an assessment or a campaign: it can be retired, not deleted.")
    sections: list[SectionOut]


class FrameworkFilter(FilterSchema):
    active: Annotated[bool | None, FilterLookup("is_active")] = None
    origin: FrameworkOrigin | None = None
    q: Annotated[str | None, FilterLookup(["key__icontains", "name_ja__icontains", "name_en__icontains"])] = None


class ActiveIn(Schema):
    active: bool
