"""API schemas of the review: per-answer review, return, follow-up proposals, declared subcontractors."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from renkei.assessments.models import (
    ReviewState,
)
from renkei.assessments.schemas import user_name


class ReviewIn(Schema):
    state: ReviewState
    comment: str = Field("", description="Required when asking for a change; joins the question's thread.")


class ReturnIn(Schema):
    message: str = Field("", max_length=5_000, description="What the party should change (besides the "
                         "change requests on answers).")


class ProposalOut(Schema):
    question: str
    question_id: int
    value: Any
    value_label: str
    severity: str
    title: str
    description: str
    due_date: dt.date = Field(description="The due date the item would get (by severity).")


class FromAnswersIn(Schema):
    question_refs: list[str] | None = Field(None, description="IDs of the questions (e.g. `A-1`).")
    question_ids: list[int] | None = None


# --- declared subcontractors ---------------------------------------------------------------------


class AssetRefOut(Schema):
    id: int
    name: str


class DeclarationOut(Schema):
    id: int
    assignment_id: int
    name: str
    corporate_number: str
    country: str
    service: str
    assets: list[AssetRefOut] = Field(description="Our information the subcontractor handles.")
    declared_by: str = Field(alias="declared_by_name")
    declared_at: dt.datetime
    status: str
    status_label: str = Field(alias="get_status_display")
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    organisation_id: int | None = Field(description="The registry record it was accepted as.")
    organisation_name: str | None = Field(None, alias="organisation.name")

    @staticmethod
    def resolve_assets(obj: Any) -> list[dict[str, Any]]:
        return [{"id": a.pk, "name": a.name} for a in obj.assets.all()]

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return user_name(obj.decided_by)


class DeclarationAcceptIn(Schema):
    organisation_id: int | None = Field(
        None, description="An existing registry record to use; left out: matched by corporate number or name, "
        "else a new contractor is created."
    )


class DeclarationRejectIn(Schema):
    note: str = Field("", max_length=5_000)
