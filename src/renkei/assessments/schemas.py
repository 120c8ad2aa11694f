"""API schemas of the assessments app: `...In` bodies, `...Out` answers, filters.

Answers carry ids, the stored code of every choice with its display label (`status`,
`status_label`) and the names of referenced objects, as the registry's do. Texts of frameworks come
in both languages (`text_ja`, `text_en`); labels follow the request's language.

A field that only reads an attribute path of the record (`framework.name`, `get_status_display`)
names it as its alias, which Ninja resolves on the record; the JSON keeps the field's own name.
"""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    OPEN_STATUSES,
    AssuranceLevel,
    CampaignStatus,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
    FrameworkOrigin,
    ReviewState,
)
from renkei.registry.models import Criticality


def _url(obj: Any) -> str:
    # "" while the page the record links to is not mounted (the API does not depend on the pages).
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def _user_name(user: Any) -> str | None:
    return None if user is None else str(user.get_full_name() or user.get_username())


class RecordOut(Schema):
    """Base of the record output schemas: `url` is the record's page."""

    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)


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
    required_level: str = Field(description="The override when there is one, else the proposal.")
    required_level_label: str
    interval_months: int = Field(description="The reassessment interval of the policy for the party's criticality.")
    last_assessed: dt.date | None = Field(description="The date its latest assessment was accepted.")
    next_due: dt.date | None = Field(description="Empty when never assessed (due now).")
    overdue: bool
    url: str


class AssuranceFilter(Schema):
    q: str | None = Field(None, description="Part of the organisation's name.")
    criticality: Criticality | None = None
    group_company_id: int | None = None
    level: AssuranceLevel | None = Field(None, description="The required level.")
    overdue: bool | None = None


class OverrideIn(Schema):
    level: AssuranceLevel
    reason: str = Field(max_length=2000, description="Why the proposal does not fit (kept in the audit trail).")


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

    @staticmethod
    def resolve_party_count(obj: Any) -> int:
        count = getattr(obj, "party_count", None)
        return int(count) if count is not None else obj.parties.count()

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return _user_name(obj.created_by)

    @staticmethod
    def resolve_launched_by(obj: Any) -> str | None:
        return _user_name(obj.launched_by)


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
    framework_id: int | None = None
    group_company_id: int | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class PartiesIn(Schema):
    organisation_ids: list[int] = Field(max_length=20_000)
    party_filter: dict[str, Any] | None = Field(
        None, description="The filter the parties were chosen by, kept to show how the list came about."
    )


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
        return _user_name(obj.reviewed_by)


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
    campaign_id: int | None = None
    organisation_id: int | None = None
    framework_id: int | None = None
    group_company_id: int | None = None
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


class ReviewIn(Schema):
    state: ReviewState
    comment: str = Field("", description="Required when asking for a change; joins the question's thread.")


class CommentIn(Schema):
    body: str = Field(description="The comment (5,000 characters at most); the party sees it in the portal.")


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
        return _user_name(obj.decided_by)


class DeclarationAcceptIn(Schema):
    organisation_id: int | None = Field(
        None, description="An existing registry record to use; left out: matched by corporate number or name, "
        "else a new contractor is created."
    )


class DeclarationRejectIn(Schema):
    note: str = Field("", max_length=5_000)


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
        return _user_name(obj.owner_user)


class FollowUpFilter(FilterSchema):
    status: FollowUpStatus | None = None
    open: bool | None = Field(None, description="true: not resolved or risk-accepted; false: closed.")
    overdue: bool | None = Field(None, description="true: open and past the due date.")
    severity: FollowUpSeverity | None = None
    owner: FollowUpOwner | None = None
    owner_user_id: int | None = None
    organisation_id: int | None = None
    assignment_id: int | None = None
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

