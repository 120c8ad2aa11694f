"""API schemas of required levels, policies, campaigns and assignments (see `assessments/schemas.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.assessments.models import (
    OPEN_STATUSES,
    AssuranceLevel,
    CampaignStatus,
)
from renkei.assessments.schemas import RecordOut, user_name
from renkei.core.crud_api import ObjectId
from renkei.registry.models import Criticality

# --- required levels and policy ------------------------------------------------------------------


class AssuranceOut(Schema):
    """The level a party owes and when it is next due for assessment."""

    organisation_id: int
    organisation_name: str
    group_company_id: int | None
    criticality: str
    criticality_label: str
    proposed_level: str
    proposed_level_label: str
    proposal_reasons: list[str]
    override_level: str | None
    override_reason: str | None
    override_edit_version: int | None = Field(description="The override's version (also the `ETag`); null without one.")
    required_level: str = Field(description="The override when there is one, else the proposal.")
    required_level_label: str
    interval_months: int = Field(description="The reassessment interval of the policy for the party's criticality.")
    last_assessed: dt.date | None = Field(description="The date its latest assessment was accepted.")
    next_due: dt.date | None = Field(description="Empty when never assessed (due now).")
    overdue: bool = Field(
        description="Overdue for assessment: an open assessment is past its due date, or none is under way "
        "(open or waiting for review) and the next due date has passed or it was never assessed."
    )
    url: str


class AssuranceFilter(Schema):
    q: str | None = Field(None, description="Part of the organisation's name.")
    criticality: Criticality | None = None
    group_company_id: ObjectId | None = None
    level: AssuranceLevel | None = Field(None, description="The required level.")
    overdue: bool | None = None


class OverrideIn(Schema):
    level: AssuranceLevel
    reason: str = Field(max_length=2000, description="Why the proposal does not fit (kept in the audit trail).")
    edit_version: int | None = Field(None, description="`override_edit_version` read (if no `If-Match`); stale: 409.")


Months = Annotated[int, Field(ge=1, le=120)]
Days = Annotated[int, Field(ge=0, le=365)]


class PolicyIn(Schema):
    """Reassessment interval by criticality (months) and reminder timing (days; 0 turns one off)."""

    months_critical: Months = 12
    months_high: Months = 12
    months_medium: Months = 24
    months_low: Months = 36
    reminder_days_before: Days = 7
    overdue_reminder_days: Days = 7
    edit_version: int | None = Field(None, description="The `edit_version` read (if no `If-Match`); stale: 409.")


class PolicyOut(Schema):
    group_company_id: int
    group_company_name: str
    saved: bool = Field(description="False: nobody saved a policy yet and these are the defaults.")
    months_critical: int
    months_high: int
    months_medium: int
    months_low: int
    reminder_days_before: int
    overdue_reminder_days: int
    edit_version: int | None = Field(description="Null until a policy is saved; then also the `ETag`.")


# --- campaigns -----------------------------------------------------------------------------------


class CampaignIn(Schema):
    """A draft campaign; `group_company_id` defaults to the user's group company."""

    name: str = Field(min_length=1, max_length=200)
    framework_id: int
    group_company_id: int | None = None
    due_date: dt.date
    message: str = Field("", max_length=10_000)


class CampaignPatch(Schema):
    """Name, message and due date change at any time before closing; the framework only in a draft.
    A new due date moves the due date of every assessment still open."""

    name: str | None = Field(None, min_length=1, max_length=200)
    framework_id: int | None = None
    due_date: dt.date | None = None
    message: str | None = Field(None, max_length=10_000)
    edit_version: int | None = Field(None, description="The `edit_version` read (if no `If-Match`); stale: 409.")


class CampaignOut(RecordOut):
    id: int
    name: str
    framework_id: int
    framework_name: str = Field(alias="framework.name")
    group_company_id: int
    due_date: dt.date
    message: str
    status: str
    status_label: str = Field(alias="get_status_display")
    party_count: int
    created_by: str | None
    launched_at: dt.datetime | None
    launched_by: str | None
    launch_total: int
    launch_done: int
    launch_percent: int
    launch_error: str
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    edit_version: int = Field(description="Moves on with every change (parties too); the `ETag` of the campaign.")

    @staticmethod
    def resolve_party_count(obj: Any) -> int:
        count = getattr(obj, "party_count", None)
        return int(count) if count is not None else obj.parties.count()

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return user_name(obj.created_by)

    @staticmethod
    def resolve_launched_by(obj: Any) -> str | None:
        return user_name(obj.launched_by)


class ProgressOut(Schema):
    """Assessments of the campaign by the status a person tracks (open ones past due are overdue)."""

    total: int
    not_started: int
    in_progress: int
    submitted: int
    accepted: int
    changes_requested: int
    overdue: int


class CampaignDetailOut(CampaignOut):
    progress: ProgressOut


class CampaignFilter(FilterSchema):
    status: CampaignStatus | None = None
    framework_id: ObjectId | None = None
    group_company_id: ObjectId | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class PartiesIn(Schema):
    organisation_ids: list[int] = Field(max_length=20_000)
    party_filter: dict[str, Any] | None = Field(
        None, description="The filter the parties were chosen by, kept to show how the list came about."
    )
    edit_version: int | None = Field(None, description="The campaign's `edit_version` read (if no `If-Match`); stale: 409.")


class PartyOut(Schema):
    id: int
    name: str
    kind: str
    criticality: str


# --- assignments ---------------------------------------------------------------------------------

DisplayStatus = Literal["not_started", "in_progress", "submitted", "accepted", "changes_requested", "overdue"]


class AssignmentIn(Schema):
    """One assessment outside a campaign: a self-assessment of one of our companies, or a party's
    (re)assessment, whose security contact is e-mailed a portal link when `invite` is set."""

    organisation_id: int
    framework_id: int
    due_date: dt.date
    language: Literal["ja", "en"] = "ja"
    invite: bool = True


class AssignmentOut(RecordOut):
    id: int
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    framework_id: int
    framework_name: str = Field(alias="framework.name")
    framework_version: str = Field(alias="framework.version")
    campaign_id: int | None
    campaign_name: str | None = Field(None, alias="campaign.name")
    group_company_id: int
    cycle: int
    previous_id: int | None = Field(description="The party's previous cycle, whose answers it started from.")
    status: str
    display_status: DisplayStatus = Field(description="The status, or `overdue` for an open one past its due date.")
    display_status_label: str = Field(alias="get_display_status_display")
    due_date: dt.date
    language: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    submitted_by: str = Field(alias="submitted_by_name")
    accepted_at: dt.datetime | None
    reviewed_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_reviewed_by(obj: Any) -> str | None:
        return user_name(obj.reviewed_by)


class ScoreOut(Schema):
    ref: str = Field(description="The section's ID; empty for the overall score.")
    title: str
    questions: int
    answered: int
    points: float
    max_points: float
    scored: int
    percent: float | None
    average: float | None = Field(description="The average maturity (maturity frameworks).")


class ReadinessOut(Schema):
    level: str
    total: int
    met: int
    gaps: list[str] = Field(description="IDs of the questions not met yet.")
    ready: bool
    percent: int


class SummaryOut(Schema):
    scoring: str
    overall: ScoreOut
    sections: list[ScoreOut]
    readiness: list[ReadinessOut]
    unanswered_required: list[str]


class AssignmentDetailOut(AssignmentOut):
    questions: int
    answered: int
    carried_over: int = Field(description="Answers from the last cycle not confirmed or changed yet.")
    pending_declarations: int
    summary: SummaryOut


class AssignmentFilter(FilterSchema):
    status: DisplayStatus | None = Field(
        None, description="The display status: `overdue` is every open assessment past its due date, and the "
        "open statuses leave those out."
    )
    campaign_id: ObjectId | None = None
    organisation_id: ObjectId | None = None
    framework_id: ObjectId | None = None
    group_company_id: ObjectId | None = None
    q: Annotated[str | None, FilterLookup("organisation__name__icontains")] = None

    def filter_status(self, value: str | None) -> Q:
        if value is None:
            return Q()
        late = Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
        if value == "overdue":
            return late
        if value in OPEN_STATUSES:
            return Q(status=value) & ~late
        return Q(status=value)
