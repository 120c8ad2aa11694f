"""Campaigns of the assessments API: draft, parties, launch (the worker creates the assessments), close."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any, cast

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renkei.assessments import selectors
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.api_common import (
    ERRORS,
    WRITE,
    Limit,
    Offset,
    _frameworks,
    _group_companies,
    _organisations,
    _page,
)
from renkei.assessments.campaigns import schemas as campaign_schemas
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import (
    Assignment,
    Campaign,
    Framework,
)
from renkei.core.crud_api import (
    DEFAULT_LIMIT,
    ErrorOut,
    Page,
    check_if_match,
    resolve_references,
    set_etag,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.permissions import get_visible_or_404, require, visible
from renkei.core.tenancy import default_group_company_id

campaigns = Router(tags=["campaigns"])
assignments = Router(tags=["assessments"])


# --- campaigns -----------------------------------------------------------------------------------


def _campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("framework", "created_by", "launched_by").annotate(
        party_count=Count("parties", distinct=True)
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(_campaigns(), request.user, pk=pk)


def _campaign_detail(request: HttpRequest, pk: int, response: HttpResponse | None = None) -> Campaign:
    """The campaign with its progress; `response` gets its version as `ETag`."""
    campaign = _campaign(request, pk)
    campaign.progress = campaign_selectors.campaign_progress(campaign)  # type: ignore[attr-defined]
    if response is not None:
        set_etag(response, campaign)
    return campaign


@campaigns.get("", response=Page[campaign_schemas.CampaignOut], operation_id="campaign_list", summary="List campaigns")
def campaign_list(
    request: HttpRequest, filters: Query[campaign_schemas.CampaignFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    qs = filters.filter(visible(_campaigns(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("-created_at", "-pk"), limit, offset)


@campaigns.post("", response={201: campaign_schemas.CampaignDetailOut, **ERRORS}, operation_id="campaign_create",
                summary="Create a campaign")
def campaign_create(request: HttpRequest, payload: campaign_schemas.CampaignIn) -> Status[Campaign]:
    """A draft campaign; choose its parties with `PUT /campaigns/{id}/parties`, then launch it."""
    require(request.user, WRITE)
    data = payload.model_dump()
    refs = resolve_references(
        user=request.user,
        references={"framework_id": _frameworks, "group_company_id": _group_companies},
        data=data,
    )
    company = refs.get("group_company_id")
    company_id = company.pk if company else default_group_company_id(request.user)
    if company_id is None:
        raise RenkeiError(_("Choose the group company."), field_name="group_company_id")
    campaign = Campaign(
        name=payload.name.strip(),
        framework=cast(Framework, refs["framework_id"]),
        group_company_id=company_id,
        due_date=payload.due_date,
        message=payload.message.strip(),
    )
    saved = campaign_services.campaign_save(user=request.user, campaign=campaign)
    return Status(201, _campaign_detail(request, saved.pk))


@campaigns.get("/{int:pk}", response={200: campaign_schemas.CampaignDetailOut, 404: ErrorOut},
               operation_id="campaign_retrieve", summary="Retrieve a campaign with its progress")
def campaign_retrieve(request: HttpRequest, response: HttpResponse, pk: int) -> Campaign:
    """The campaign with its launch progress and how many assessments are in each status (`ETag`:
    its edit version)."""
    return _campaign_detail(request, pk, response)


@campaigns.patch("/{int:pk}", response={200: campaign_schemas.CampaignDetailOut, **ERRORS}, operation_id="campaign_update",
                 summary="Update a campaign")
def campaign_update(request: HttpRequest, response: HttpResponse, pk: int, payload: campaign_schemas.CampaignPatch) -> Campaign:
    """Change the name, message or due date (a launched campaign moves the due date of its open
    assessments); the framework only while it is a draft. Null values are left as they are. With
    `If-Match` (the campaign's ETag) or `edit_version`, a change saved since answers 409 and nothing is written."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    check_if_match(request, campaign, payload.edit_version)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None and k != "edit_version"}
    if "framework_id" in data:
        campaign.framework = resolve_references(  # type: ignore[assignment]
            user=request.user, references={"framework_id": _frameworks}, data=data
        )["framework_id"]
    for name in ("name", "message"):
        if name in data:
            setattr(campaign, name, data[name].strip())
    if "due_date" in data:
        campaign.due_date = data["due_date"]
    campaign_services.campaign_save(user=request.user, campaign=campaign)
    return _campaign_detail(request, pk, response)


@campaigns.delete("/{int:pk}", response={204: None, **ERRORS}, operation_id="campaign_delete",
                  summary="Delete a draft campaign")
def campaign_delete(request: HttpRequest, pk: int) -> Status[None]:
    """Only a draft can be deleted (409 otherwise: close it instead)."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    campaign_services.campaign_delete(user=request.user, campaign=campaign)
    return Status(204, None)


@campaigns.get("/{int:pk}/parties", response={200: Page[campaign_schemas.PartyOut], 404: ErrorOut},
               operation_id="campaign_parties", summary="List a campaign's parties")
def campaign_parties(request: HttpRequest, pk: int, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    campaign = _campaign(request, pk)
    return _page(campaign.parties.order_by("name", "pk"), limit, offset)


@campaigns.put("/{int:pk}/parties", response={200: campaign_schemas.CampaignDetailOut, **ERRORS},
               operation_id="campaign_set_parties", summary="Choose a draft campaign's parties")
def campaign_set_parties(
    request: HttpRequest, response: HttpResponse, pk: int, payload: campaign_schemas.PartiesIn
) -> Campaign:
    """Replace the parties of a draft campaign (409 once launched). Each must be a party (not one of
    our companies) of the campaign's group company; an id the user may not see answers 400 naming
    its position (`organisation_ids.3`). Choosing parties moves the campaign's `edit_version` on;
    with `If-Match` (its ETag) or `edit_version`, a change saved since answers 409 and the parties
    stay as they were."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    check_if_match(request, campaign, payload.edit_version)
    ids = list(dict.fromkeys(payload.organisation_ids))
    found = {o.pk: o for o in visible(_organisations(), request.user).filter(pk__in=ids)}
    problems = [
        ErrorItem(message=_("Not found."), field=f"organisation_ids.{index}")
        for index, pk_ in enumerate(payload.organisation_ids)
        if pk_ not in found
    ]
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    campaign_services.campaign_set_parties(
        user=request.user, campaign=campaign, organisations=[found[i] for i in ids], party_filter=payload.party_filter
    )
    return _campaign_detail(request, pk, response)


@campaigns.post("/{int:pk}/launch", response={202: campaign_schemas.CampaignDetailOut, **ERRORS},
                operation_id="campaign_launch", summary="Launch a campaign")
def campaign_launch(request: HttpRequest, pk: int) -> Status[Campaign]:
    """Start sending (202): the worker creates one assessment per party and e-mails each party's
    security contact its portal link; follow `launch_done` of `launch_total`. A campaign launches
    once (409 after)."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    campaign_services.campaign_launch(user=request.user, campaign=campaign)
    return Status(202, _campaign_detail(request, pk))


@campaigns.post("/{int:pk}/close", response={200: campaign_schemas.CampaignDetailOut, **ERRORS},
                operation_id="campaign_close", summary="Close a campaign")
def campaign_close(request: HttpRequest, pk: int) -> Campaign:
    """No more reminders; the assessments keep their answers and status."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    campaign_services.campaign_close(user=request.user, campaign=campaign)
    return _campaign_detail(request, pk)


# --- assignments ---------------------------------------------------------------------------------


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("organisation", "framework", "campaign", "reviewed_by")


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_visible_or_404(_assignments(), request.user, pk=pk)


def _assignment_detail(request: HttpRequest, pk: int) -> Assignment:
    assignment = _assignment(request, pk)
    summary = selectors.assignment_summary(assignment)
    extra: Any = assignment
    extra.summary = summary.as_dict()
    extra.questions = summary.overall.questions
    extra.answered = summary.overall.answered
    extra.carried_over = assignment.answers.filter(carried_over=True).count()
    extra.pending_declarations = answer_selectors.pending_declarations_count([assignment]).get(assignment.pk, 0)
    return assignment


@assignments.get("", response=Page[campaign_schemas.AssignmentOut], operation_id="assignment_list", summary="List assessments")
def assignment_list(
    request: HttpRequest, filters: Query[campaign_schemas.AssignmentFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Assessments (campaign ones and single ones) with the status a person tracks."""
    qs = filters.filter(visible(_assignments(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("due_date", "organisation__name", "pk"), limit, offset)


@assignments.post("", response={201: campaign_schemas.AssignmentDetailOut, **ERRORS}, operation_id="assignment_create",
                  summary="Create an assessment")
def assignment_create(request: HttpRequest, payload: campaign_schemas.AssignmentIn) -> Status[Assignment]:
    """One assessment outside a campaign: a self-assessment of one of our companies, or a party's
    (re)assessment, starting from its last cycle's answers. 409 when the organisation already has an
    open assessment with the framework."""
    require(request.user, WRITE)
    refs = resolve_references(
        user=request.user,
        references={"organisation_id": _organisations, "framework_id": _frameworks},
        data=payload.model_dump(),
    )
    assignment = campaign_services.assignment_create(
        user=request.user,
        organisation=refs["organisation_id"],  # type: ignore[arg-type]
        framework=refs["framework_id"],  # type: ignore[arg-type]
        due_date=payload.due_date,
        language=payload.language,
        invite=payload.invite,
    )
    return Status(201, _assignment_detail(request, assignment.pk))


@assignments.get("/{int:pk}", response={200: campaign_schemas.AssignmentDetailOut, 404: ErrorOut},
                 operation_id="assignment_retrieve", summary="Retrieve an assessment with its scores")
def assignment_retrieve(request: HttpRequest, pk: int) -> Assignment:
    """The assessment with its scores per section and overall, and its readiness per level."""
    return _assignment_detail(request, pk)


@assignments.delete("/{int:pk}", response={204: None, **ERRORS}, operation_id="assignment_delete",
                    summary="Delete an assessment nobody started")
def assignment_delete(request: HttpRequest, pk: int) -> Status[None]:
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    campaign_services.assignment_delete(user=request.user, assignment=assignment)
    return Status(204, None)
