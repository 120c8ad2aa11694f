"""API schemas of follow-up items and their messages (see `assessments/schemas.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
)
from renkei.assessments.schemas import RecordOut, user_name
from renkei.core.crud_api import ObjectId

# --- follow-up items -----------------------------------------------------------------------------


class FollowUpIn(Schema):
    """A follow-up item; it belongs to its party's group company. `due_date` left out: by severity."""

    organisation_id: int
    assignment_id: int | None = None
    question_id: int | None = None
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    severity: FollowUpSeverity = FollowUpSeverity.MEDIUM
    owner: FollowUpOwner = FollowUpOwner.PARTY
    owner_user_id: int | None = Field(None, description="The responsible analyst on our side.")
    due_date: dt.date | None = None
    status: FollowUpStatus = FollowUpStatus.OPEN


class FollowUpOut(RecordOut):
    id: int
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    assignment_id: int | None
    question_id: int | None
    question_ref: str | None = Field(None, alias="question.ref")
    software_finding_id: int | None
    title: str
    description: str
    severity: str
    severity_label: str = Field(alias="get_severity_display")
    owner: str
    owner_label: str = Field(alias="get_owner_display")
    owner_user_id: int | None
    owner_user_name: str | None
    due_date: dt.date
    status: str
    status_label: str = Field(alias="get_status_display")
    overdue: bool = Field(alias="is_overdue")
    resolved_at: dt.datetime | None
    group_company_id: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_user_name(obj: Any) -> str | None:
        return user_name(obj.owner_user)


class FollowUpFilter(FilterSchema):
    status: FollowUpStatus | None = None
    open: bool | None = Field(None, description="true: not resolved or risk-accepted; false: closed.")
    overdue: bool | None = Field(None, description="true: open and past the due date.")
    severity: FollowUpSeverity | None = None
    owner: FollowUpOwner | None = None
    owner_user_id: ObjectId | None = None
    organisation_id: ObjectId | None = None
    assignment_id: ObjectId | None = None
    q: Annotated[str | None, FilterLookup(["title__icontains", "organisation__name__icontains"])] = None

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        closed = Q(status__in=CLOSED_FOLLOW_UP_STATUSES)
        return ~closed if value else closed

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        late = ~Q(status__in=CLOSED_FOLLOW_UP_STATUSES) & Q(due_date__lt=timezone.localdate())
        return late if value else ~late


class MessageIn(Schema):
    body: str = Field("", max_length=5_000)
    status: FollowUpStatus | None = Field(None, description="Change the item's status with the message.")


class MessageOut(Schema):
    id: int
    from_party: bool
    author: str = Field(alias="author_name")
    body: str
    created_at: dt.datetime
