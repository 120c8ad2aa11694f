"""The assessments REST API, mounted at /api/v1/assessments/.

- frameworks: the library (list, questions, YAML upload, retire, delete);
- parties and policies: the level each party owes, overrides, the reassessment policy;
- campaigns: draft, parties, launch (the worker creates the assessments), close;
- assignments: one party's (or our own company's) assessment: answers with conflict detection,
  submission, review, follow-up proposals and declared subcontractors;
- follow-ups: the generic CRUD router plus the message thread with the party.

Reads go through `visible()` / `get_visible_or_404()`: an object of another group company answers
404, and a referenced id in a payload the user may not see answers 400 naming the field. Writes need
`Action.CHANGE_ASSESSMENTS` (a viewer gets 403) and go through the services; their `RenkeiError`
answers with its status (409 for a conflict with the record's state).

A concurrent change of an answer (`PATCH /assignments/{id}/answers/{question}` with a stale
`base_version`) answers 409 with the other person's answer in an extra `current` field.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renkei.assessments import (
    answer_services,
    followup_services,
    review_services,
    schemas,
    selectors,
    services,
)
from renkei.assessments.answer_services import AnswerConflict, Respondent
from renkei.assessments.frameworks import MAX_YAML_BYTES
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssuranceLevel,
    Campaign,
    Evidence,
    FollowUp,
    FollowUpMessage,
    Framework,
    Question,
    ReviewComment,
    ReviewState,
    Section,
    SubcontractorDeclaration,
)
from renkei.core.api import refuse_large_body
from renkei.core.crud_api import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CrudSpec,
    ErrorOut,
    Page,
    crud_router,
    resolve_references,
)
from renkei.core.errors import ErrorItem, RenkeiError
from renkei.core.permissions import Action, Role, allowed_company_ids, get_visible_or_404, require, visible
from renkei.registry.models import OUR_KINDS, Organisation
from renkei.registry.services import default_group_company_id

WRITE = Action.CHANGE_ASSESSMENTS
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0)]
# Rows of the required-level list are computed in Python; filtering on them reads parties in batches.
ASSURANCE_BATCH = 1000

router = Router()
frameworks = Router(tags=["assessment frameworks"])
parties = Router(tags=["required levels"])
campaigns = Router(tags=["campaigns"])
assignments = Router(tags=["assessments"])
declarations = Router(tags=["declared subcontractors"])
follow_up_messages = Router(tags=["follow-ups"])


# --- shared helpers ------------------------------------------------------------------------------


def _page(qs: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def _group_companies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=OUR_KINDS)


def _frameworks() -> QuerySet[Framework]:
    return Framework.objects.all()


def _respondent(request: HttpRequest) -> Respondent:
    """A logged-in user answering (a self-assessment, or on behalf of a party)."""
    user: Any = request.user
    return Respondent(name=user.get_full_name() or user.get_username(), user=user, from_party=False)


def _multipart(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {"file": {"type": "string", "format": "binary", "description": description}, **(extra or {})}
    schema = {"type": "object", "properties": properties, "required": ["file"]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def _not_found(field: str) -> RenkeiError:
    return RenkeiError(_("Not found."), field_name=field)


# --- frameworks ----------------------------------------------------------------------------------


def _framework_detail(request: HttpRequest, pk: int) -> Framework:
    questions = Question.objects.order_by("order")
    sections = Section.objects.order_by("order").prefetch_related(Prefetch("questions", queryset=questions))
    framework = get_visible_or_404(
        Framework.objects.prefetch_related(Prefetch("sections", queryset=sections)), request.user, pk=pk
    )
    framework.in_use = framework.assignments.exists() or framework.campaigns.exists()  # type: ignore[attr-defined]
    return framework


@frameworks.get("", response=Page[schemas.FrameworkOut], operation_id="framework_list", summary="List frameworks")
def framework_list(
    request: HttpRequest, filters: Query[schemas.FrameworkFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Frameworks the user may use: the whole group's (built-in ones included) and those of the
    user's group companies. `active=true` lists those available for new assessments."""
    qs = filters.filter(visible(Framework.objects.all(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("origin", "key", "-version", "pk"), limit, offset)


@frameworks.get(
    "/{int:pk}", response={200: schemas.FrameworkDetailOut, 404: ErrorOut}, operation_id="framework_retrieve",
    summary="Retrieve a framework with its questions",
)
def framework_retrieve(request: HttpRequest, pk: int) -> Framework:
    """The framework with its sections and questions (IDs, texts in both languages, answer types,
    choices, weights, levels, mappings, evidence hints)."""
    return _framework_detail(request, pk)


@frameworks.post(
    "",
    response={201: schemas.FrameworkDetailOut, **ERRORS, 413: ErrorOut},
    operation_id="framework_upload",
    summary="Upload a framework (YAML)",
    openapi_extra=_multipart(
        "a `renkei-framework/1` YAML file (2 MB at most)",
        {"group_company_id": {"type": "integer", "description": "The group company it belongs to; left out: "
                              "the whole group (a user limited to some group companies: their own)."}},
    ),
)
def framework_upload(request: HttpRequest) -> Status[Framework]:
    """Upload a framework as YAML (multipart field `file`). The file is checked whole: a schema error
    answers 400 with every problem in `errors[]`, each naming the item (`field`) and the problem, and
    nothing is stored. The same key and version with other content replaces an unused framework;
    once used, raise the version (409)."""
    require(request.user, WRITE)
    refuse_large_body(request, MAX_YAML_BYTES)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise RenkeiError(_("Attach the file as multipart form field `file`."), field_name="file")
    raw_company = (request.POST.get("group_company_id") or "").strip()
    company: Organisation | None = None
    if raw_company:
        if not raw_company.isdigit():
            raise _not_found("group_company_id")
        company = resolve_references(  # type: ignore[assignment]
            user=request.user, references={"group_company_id": _group_companies}, data={"group_company_id": int(raw_company)}
        )["group_company_id"]
    elif allowed_company_ids(request.user) is not None:
        # A limited user cannot add a framework for the whole group: it becomes their company's.
        company = _group_companies().filter(pk=default_group_company_id(request.user) or 0).first()
    data = uploaded.read(MAX_YAML_BYTES + 1)
    framework = services.framework_upload(
        user=request.user, data=data, filename=uploaded.name or "framework.yaml", group_company=company
    )
    return Status(201, _framework_detail(request, framework.pk))


@frameworks.post(
    "/{int:pk}/active", response={200: schemas.FrameworkOut, **ERRORS}, operation_id="framework_set_active",
    summary="Retire a framework or bring it back",
)
def framework_set_active(request: HttpRequest, pk: int, payload: schemas.ActiveIn) -> Framework:
    """`active: false` retires the framework from new assessments; past ones keep it."""
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    require(request.user, WRITE)
    return services.framework_set_active(user=request.user, framework=framework, active=payload.active)


@frameworks.delete(
    "/{int:pk}", response={204: None, **ERRORS}, operation_id="framework_delete", summary="Delete a framework"
)
def framework_delete(request: HttpRequest, pk: int) -> Status[None]:
    """Delete a framework no assessment or campaign uses (409 otherwise: retire it instead)."""
    framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
    require(request.user, WRITE)
    services.framework_delete(user=request.user, framework=framework)
    return Status(204, None)


# --- required levels and the policy --------------------------------------------------------------


def _party_url(organisation_id: int) -> str:
    try:
        return reverse("assessments:party_assurance", args=[organisation_id])
    except NoReverseMatch:
        return ""


def _assurance_out(row: selectors.AssuranceRow) -> dict[str, Any]:
    org = row.organisation
    return {
        "organisation_id": org.pk,
        "organisation_name": org.name,
        "group_company_id": org.group_company_id,
        "criticality": org.criticality,
        "criticality_label": str(org.get_criticality_display()),
        "proposed_level": row.proposal.level,
        "proposed_level_label": str(AssuranceLevel(row.proposal.level).label),
        "proposal_reasons": [str(r) for r in row.proposal.reasons],
        "override_level": row.override.level if row.override else None,
        "override_reason": row.override.reason if row.override else None,
        "required_level": row.level,
        "required_level_label": row.get_level_display(),
        "interval_months": row.interval_months,
        "last_assessed": row.last_assessed,
        "next_due": row.next_due,
        "overdue": row.overdue,
        "url": _party_url(org.pk),
    }


def _parties(request: HttpRequest) -> QuerySet[Organisation]:
    """Every party the user may see (our own companies are assessed by self-assessment)."""
    return visible(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user)


def _batches(qs: QuerySet[Organisation]) -> Iterator[list[Organisation]]:
    batch: list[Organisation] = []
    for org in qs.iterator(chunk_size=ASSURANCE_BATCH):
        batch.append(org)
        if len(batch) == ASSURANCE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _party_row(request: HttpRequest, org_id: int) -> dict[str, Any]:
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    return _assurance_out(selectors.assurance_rows([organisation])[0])


@parties.get("/parties", response=Page[schemas.AssuranceOut], operation_id="assurance_list", summary="List required levels")
def assurance_list(
    request: HttpRequest, filters: Query[schemas.AssuranceFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Each party's required level (the proposal from the registry, or the analyst's override with
    its reason), its last accepted assessment, the next due date by the policy, and whether it is
    overdue (never assessed counts as overdue)."""
    qs = _parties(request)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    if filters.criticality:
        qs = qs.filter(criticality=filters.criticality)
    if filters.group_company_id is not None:
        qs = qs.filter(group_company_id=filters.group_company_id)
    qs = qs.order_by("name", "pk")
    if filters.level is None and filters.overdue is None:
        page = list(qs[offset : offset + limit])
        return {"count": qs.count(), "limit": limit, "offset": offset,
                "items": [_assurance_out(r) for r in selectors.assurance_rows(page)]}
    # Level and due dates are computed, not stored: read the parties in batches and keep the matches.
    matches = []
    for batch in _batches(qs):
        for row in selectors.assurance_rows(batch):
            if filters.level is not None and row.level != filters.level:
                continue
            if filters.overdue is not None and row.overdue != filters.overdue:
                continue
            matches.append(row)
    return {"count": len(matches), "limit": limit, "offset": offset,
            "items": [_assurance_out(r) for r in matches[offset : offset + limit]]}


@parties.get(
    "/parties/{int:org_id}", response={200: schemas.AssuranceOut, 404: ErrorOut}, operation_id="assurance_retrieve",
    summary="Retrieve a party's required level",
)
def assurance_retrieve(request: HttpRequest, org_id: int) -> dict[str, Any]:
    return _party_row(request, org_id)


@parties.put(
    "/parties/{int:org_id}/override", response={200: schemas.AssuranceOut, **ERRORS},
    operation_id="assurance_override_set", summary="Override a party's required level",
)
def assurance_override_set(request: HttpRequest, org_id: int, payload: schemas.OverrideIn) -> dict[str, Any]:
    """Replace the proposed level; the reason is required and kept in the audit trail."""
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    require(request.user, WRITE)
    services.assurance_override_set(user=request.user, organisation=organisation, level=payload.level, reason=payload.reason)
    return _party_row(request, org_id)


@parties.delete(
    "/parties/{int:org_id}/override", response={200: schemas.AssuranceOut, **ERRORS},
    operation_id="assurance_override_clear", summary="Go back to the proposed level",
)
def assurance_override_clear(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """Remove the override; answers the party's row with the proposed level."""
    organisation = get_visible_or_404(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user, pk=org_id)
    require(request.user, WRITE)
    services.assurance_override_clear(user=request.user, organisation=organisation)
    return _party_row(request, org_id)


def _policy_out(policy: Any, company: Organisation) -> dict[str, Any]:
    fields = ("months_critical", "months_high", "months_medium", "months_low", "reminder_days_before",
              "overdue_reminder_days")
    return {
        "group_company_id": company.pk,
        "group_company_name": company.name,
        "saved": policy.pk is not None,
        **{name: getattr(policy, name) for name in fields},
    }


@parties.get("/policies", response=list[schemas.PolicyOut], operation_id="policy_list", summary="List policies")
def policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The reassessment policy of each group company the user may see (defaults where none was saved)."""
    companies = list(visible(_group_companies(), request.user).order_by("kind", "name", "pk"))
    found = selectors.policies(c.pk for c in companies)
    return [_policy_out(found[c.pk], c) for c in companies]


@parties.get(
    "/policies/{int:company_id}", response={200: schemas.PolicyOut, 404: ErrorOut}, operation_id="policy_retrieve",
    summary="Retrieve a group company's policy",
)
def policy_retrieve(request: HttpRequest, company_id: int) -> dict[str, Any]:
    company = get_visible_or_404(_group_companies(), request.user, pk=company_id)
    return _policy_out(services.policy_for(company.pk), company)


@parties.put(
    "/policies/{int:company_id}", response={200: schemas.PolicyOut, **ERRORS}, operation_id="policy_save",
    summary="Save a group company's policy",
)
def policy_save(request: HttpRequest, company_id: int, payload: schemas.PolicyIn) -> dict[str, Any]:
    """Reassessment interval per criticality and reminder timing; fields left out take the defaults."""
    company = get_visible_or_404(_group_companies(), request.user, pk=company_id)
    require(request.user, WRITE)
    policy = services.policy_for(company.pk)
    for name, value in payload.model_dump().items():
        setattr(policy, name, value)
    services.policy_save(user=request.user, policy=policy)
    return _policy_out(policy, company)


# --- campaigns -----------------------------------------------------------------------------------


def _campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("framework", "created_by", "launched_by").annotate(
        party_count=Count("parties", distinct=True)
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(_campaigns(), request.user, pk=pk)


def _campaign_detail(request: HttpRequest, pk: int) -> Campaign:
    campaign = _campaign(request, pk)
    campaign.progress = selectors.campaign_progress(campaign)  # type: ignore[attr-defined]
    return campaign


@campaigns.get("", response=Page[schemas.CampaignOut], operation_id="campaign_list", summary="List campaigns")
def campaign_list(
    request: HttpRequest, filters: Query[schemas.CampaignFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    qs = filters.filter(visible(_campaigns(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("-created_at", "-pk"), limit, offset)


@campaigns.post("", response={201: schemas.CampaignDetailOut, **ERRORS}, operation_id="campaign_create",
                summary="Create a campaign")
def campaign_create(request: HttpRequest, payload: schemas.CampaignIn) -> Status[Campaign]:
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
    saved = services.campaign_save(user=request.user, campaign=campaign)
    return Status(201, _campaign_detail(request, saved.pk))


@campaigns.get("/{int:pk}", response={200: schemas.CampaignDetailOut, 404: ErrorOut},
               operation_id="campaign_retrieve", summary="Retrieve a campaign with its progress")
def campaign_retrieve(request: HttpRequest, pk: int) -> Campaign:
    """The campaign with its launch progress and how many assessments are in each status."""
    return _campaign_detail(request, pk)


@campaigns.patch("/{int:pk}", response={200: schemas.CampaignDetailOut, **ERRORS}, operation_id="campaign_update",
                 summary="Update a campaign")
def campaign_update(request: HttpRequest, pk: int, payload: schemas.CampaignPatch) -> Campaign:
    """Change the name, message or due date (a launched campaign moves the due date of its open
    assessments); the framework only while it is a draft. Null values are left as they are."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "framework_id" in data:
        campaign.framework = resolve_references(  # type: ignore[assignment]
            user=request.user, references={"framework_id": _frameworks}, data=data
        )["framework_id"]
    for name in ("name", "message"):
        if name in data:
            setattr(campaign, name, data[name].strip())
    if "due_date" in data:
        campaign.due_date = data["due_date"]
    services.campaign_save(user=request.user, campaign=campaign)
    return _campaign_detail(request, pk)


@campaigns.delete("/{int:pk}", response={204: None, **ERRORS}, operation_id="campaign_delete",
                  summary="Delete a draft campaign")
def campaign_delete(request: HttpRequest, pk: int) -> Status[None]:
    """Only a draft can be deleted (409 otherwise: close it instead)."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    services.campaign_delete(user=request.user, campaign=campaign)
    return Status(204, None)


@campaigns.get("/{int:pk}/parties", response={200: Page[schemas.PartyOut], 404: ErrorOut},
               operation_id="campaign_parties", summary="List a campaign's parties")
def campaign_parties(request: HttpRequest, pk: int, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    campaign = _campaign(request, pk)
    return _page(campaign.parties.order_by("name", "pk"), limit, offset)


@campaigns.put("/{int:pk}/parties", response={200: schemas.CampaignDetailOut, **ERRORS},
               operation_id="campaign_set_parties", summary="Choose a draft campaign's parties")
def campaign_set_parties(request: HttpRequest, pk: int, payload: schemas.PartiesIn) -> Campaign:
    """Replace the parties of a draft campaign (409 once launched). Each must be a party (not one of
    our companies) of the campaign's group company; an id the user may not see answers 400 naming
    its position (`organisation_ids.3`)."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    ids = list(dict.fromkeys(payload.organisation_ids))
    found = {o.pk: o for o in visible(_organisations(), request.user).filter(pk__in=ids)}
    problems = [
        ErrorItem(message=_("Not found."), field=f"organisation_ids.{index}")
        for index, pk_ in enumerate(payload.organisation_ids)
        if pk_ not in found
    ]
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    services.campaign_set_parties(
        user=request.user, campaign=campaign, organisations=[found[i] for i in ids], party_filter=payload.party_filter
    )
    return _campaign_detail(request, pk)


@campaigns.post("/{int:pk}/launch", response={202: schemas.CampaignDetailOut, **ERRORS},
                operation_id="campaign_launch", summary="Launch a campaign")
def campaign_launch(request: HttpRequest, pk: int) -> Status[Campaign]:
    """Start sending (202): the worker creates one assessment per party and e-mails each party's
    security contact its portal link; follow `launch_done` of `launch_total`. A campaign launches
    once (409 after)."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    services.campaign_launch(user=request.user, campaign=campaign)
    return Status(202, _campaign_detail(request, pk))


@campaigns.post("/{int:pk}/close", response={200: schemas.CampaignDetailOut, **ERRORS},
                operation_id="campaign_close", summary="Close a campaign")
def campaign_close(request: HttpRequest, pk: int) -> Campaign:
    """No more reminders; the assessments keep their answers and status."""
    campaign = _campaign(request, pk)
    require(request.user, WRITE)
    services.campaign_close(user=request.user, campaign=campaign)
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
    extra.pending_declarations = selectors.pending_declarations_count([assignment]).get(assignment.pk, 0)
    return assignment


def _question(assignment: Assignment, ref: str) -> Question:
    question = Question.objects.filter(framework_id=assignment.framework_id, ref=ref).select_related("section").first()
    if question is None:
        raise RenkeiError(_("Not found."), status=404)
    return question


def _item_out(item: selectors.Item, section_ref: str) -> dict[str, Any]:
    question, answer = item.question, item.answer
    return {
        "question": question.ref,
        "question_id": question.pk,
        "section": section_ref,
        "text": question.text,
        "answer_type": question.answer_type,
        "required": question.required,
        "options": [{"value": v, "label": label} for v, label in item.options],
        "value": item.value,
        "value_label": item.value_label,
        "note": answer.note if answer else "",
        "version": item.version,
        "review_state": answer.review_state if answer else ReviewState.PENDING.value,
        "review_state_label": str(answer.get_review_state_display() if answer else ReviewState.PENDING.label),
        "carried_over": item.carried_over,
        "previous_value": answer.previous_value if answer else None,
        "previous_label": item.previous_label,
        "changed": item.changed,
        "updated_by": answer.updated_by_name if answer else "",
        "updated_at": answer.updated_at if answer else None,
        "evidence": [
            {"id": e.pk, "name": e.name, "size": e.size, "uploaded_at": e.uploaded_at, "uploaded_by": e.uploaded_by_name}
            for e in item.evidence
        ],
        "comments": [
            {"id": c.pk, "kind": c.kind, "from_party": c.from_party, "author": c.author_name, "body": c.body,
             "created_at": c.created_at}
            for c in item.comments
        ],
    }


def _one_item_out(assignment: Assignment, question: Question) -> dict[str, Any]:
    """One question as `GET /answers` lists it, in a fixed number of queries."""
    answer = Answer.objects.filter(assignment=assignment, question=question).first()
    if answer is not None:
        answer.assignment = assignment
    item = selectors.Item(
        question=question,
        answer=answer,
        evidence=list(Evidence.objects.filter(assignment=assignment, question=question).order_by("uploaded_at", "pk")),
        comments=list(ReviewComment.objects.filter(assignment=assignment, question=question).order_by("created_at", "pk")),
    )
    item._yesno_answers = tuple(assignment.framework.answers or ())
    return _item_out(item, question.section.ref)


def _question_ids(assignment: Assignment, refs: Sequence[str], field: str) -> list[int]:
    """Question IDs (`A-1`) of the assessment's framework → primary keys; unknown ones answer 400."""
    known = dict(Question.objects.filter(framework_id=assignment.framework_id, ref__in=list(refs)).values_list("ref", "pk"))
    problems = [
        ErrorItem(message=_("{ref}: no such question in this questionnaire.").format(ref=ref), field=f"{field}.{i}")
        for i, ref in enumerate(refs)
        if ref not in known
    ]
    if problems:
        raise RenkeiError.from_items(problems[0].message, problems)
    return [known[ref] for ref in refs]


@assignments.get("", response=Page[schemas.AssignmentOut], operation_id="assignment_list", summary="List assessments")
def assignment_list(
    request: HttpRequest, filters: Query[schemas.AssignmentFilter], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> dict[str, Any]:
    """Assessments (campaign ones and single ones) with the status a person tracks."""
    qs = filters.filter(visible(_assignments(), request.user))  # type: ignore[attr-defined]
    return _page(qs.order_by("due_date", "organisation__name", "pk"), limit, offset)


@assignments.post("", response={201: schemas.AssignmentDetailOut, **ERRORS}, operation_id="assignment_create",
                  summary="Create an assessment")
def assignment_create(request: HttpRequest, payload: schemas.AssignmentIn) -> Status[Assignment]:
    """One assessment outside a campaign: a self-assessment of one of our companies, or a party's
    (re)assessment, starting from its last cycle's answers. 409 when the organisation already has an
    open assessment with the framework."""
    require(request.user, WRITE)
    refs = resolve_references(
        user=request.user,
        references={"organisation_id": _organisations, "framework_id": _frameworks},
        data=payload.model_dump(),
    )
    assignment = services.assignment_create(
        user=request.user,
        organisation=refs["organisation_id"],  # type: ignore[arg-type]
        framework=refs["framework_id"],  # type: ignore[arg-type]
        due_date=payload.due_date,
        language=payload.language,
        invite=payload.invite,
    )
    return Status(201, _assignment_detail(request, assignment.pk))


@assignments.get("/{int:pk}", response={200: schemas.AssignmentDetailOut, 404: ErrorOut},
                 operation_id="assignment_retrieve", summary="Retrieve an assessment with its scores")
def assignment_retrieve(request: HttpRequest, pk: int) -> Assignment:
    """The assessment with its scores per section and overall, and its readiness per level."""
    return _assignment_detail(request, pk)


@assignments.delete("/{int:pk}", response={204: None, **ERRORS}, operation_id="assignment_delete",
                    summary="Delete an assessment nobody started")
def assignment_delete(request: HttpRequest, pk: int) -> Status[None]:
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    services.assignment_delete(user=request.user, assignment=assignment)
    return Status(204, None)


@assignments.get("/{int:pk}/answers", response={200: list[schemas.AnswerOut], 404: ErrorOut},
                 operation_id="assignment_answers", summary="List the answers of an assessment")
def answer_list(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """Every question in order with its answer, comment, version, review state, last cycle's answer,
    evidence and review thread."""
    assignment = _assignment(request, pk)
    page = selectors.questionnaire(assignment, with_follow_ups=False)
    return [_item_out(item, s.section.ref) for s in page.sections for item in s.items]


@assignments.put("/{int:pk}/answers", response={200: schemas.AnswersSavedOut, **ERRORS},
                 operation_id="assignment_answers_save", summary="Save many answers")
def answers_save(request: HttpRequest, pk: int, payload: schemas.AnswersIn) -> dict[str, int]:
    """Save answers by question ID, all or nothing: one unreadable value or unknown question answers
    400 listing every problem (`field` is the question ID) and nothing is saved. Saving a carried-over
    answer confirms it. Answers the number of answers that changed."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    values: dict[str, tuple[Any, str | None]] = {}
    duplicates = []
    for index, item in enumerate(payload.answers):
        ref = item.question.strip()
        if ref in values:
            duplicates.append(ErrorItem(message=_("{ref} is listed twice.").format(ref=ref), field=f"answers.{index}"))
        values[ref] = (item.value, item.note)
    if duplicates:
        raise RenkeiError.from_items(duplicates[0].message, duplicates)
    changed = answer_services.answers_save_many(respondent=_respondent(request), assignment=assignment, values=values)
    return {"changed": changed}


@assignments.patch(
    "/{int:pk}/answers/{question_ref}",
    response={200: schemas.AnswerOut, 409: schemas.ConflictOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="assignment_answer_save",
    summary="Save one answer",
)
def answer_save(request: HttpRequest, pk: int, question_ref: str, payload: schemas.AnswerPatch) -> Any:
    """Save one answer as it is typed. With `base_version` (the `version` the editor loaded), a
    change somebody saved since answers 409 and writes nothing; the body's `current` holds their
    answer (value, note, version, who and when) so the client can show it. 409 also when the
    assessment was submitted (then without `current`)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    if "value" in payload.model_fields_set:
        value = payload.value
    else:
        stored = Answer.objects.filter(assignment=assignment, question=question).first()
        value = stored.value if stored else None
    try:
        answer_services.answer_save(
            respondent=_respondent(request),
            assignment=assignment,
            question_id=question.pk,
            value=value,
            note=payload.note,
            base_version=payload.base_version,
        )
    except AnswerConflict as conflict:
        return Status(409, {**conflict.as_dict(), "current": conflict.current})
    return _one_item_out(assignment, question)


@assignments.post("/{int:pk}/confirm-carried", response={200: schemas.ConfirmedOut, **ERRORS},
                  operation_id="assignment_confirm_carried", summary="Confirm last cycle's answers")
def answers_confirm(request: HttpRequest, pk: int, payload: schemas.ConfirmIn) -> dict[str, int]:
    """Confirm answers carried over from the last cycle unchanged (those listed, or all)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    ids = None if payload.questions is None else _question_ids(assignment, payload.questions, "questions")
    count = answer_services.answers_confirm_carried(respondent=_respondent(request), assignment=assignment, question_ids=ids)
    return {"confirmed": count}


@assignments.post("/{int:pk}/submit", response={200: schemas.AssignmentDetailOut, **ERRORS},
                  operation_id="assignment_submit", summary="Submit an assessment for review")
def assignment_submit(request: HttpRequest, pk: int) -> Assignment:
    """Every required question must be answered and every carried-over answer confirmed (400 lists
    what is missing); the answers are read only from then on until changes are requested."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    answer_services.assignment_submit(respondent=_respondent(request), assignment=assignment)
    return _assignment_detail(request, pk)


@assignments.post("/{int:pk}/accept", response={200: schemas.AssignmentDetailOut, **ERRORS},
                  operation_id="assignment_accept", summary="Accept a submitted assessment")
def assignment_accept(request: HttpRequest, pk: int) -> Assignment:
    """Answers not reviewed yet are accepted with it; an open change request answers 409."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_accept(user=request.user, assignment=assignment)
    return _assignment_detail(request, pk)


@assignments.post("/{int:pk}/return", response={200: schemas.AssignmentDetailOut, **ERRORS},
                  operation_id="assignment_return", summary="Return an assessment for changes")
def assignment_return(request: HttpRequest, pk: int, payload: schemas.ReturnIn) -> Assignment:
    """Send it back to the party, which is e-mailed the change requests and a portal link. Needs a
    change request on an answer or a `message`."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_return(user=request.user, assignment=assignment, message=payload.message)
    return _assignment_detail(request, pk)


@assignments.post("/{int:pk}/reopen", response={200: schemas.AssignmentDetailOut, **ERRORS},
                  operation_id="assignment_reopen", summary="Reopen an accepted assessment for review")
def assignment_reopen(request: HttpRequest, pk: int) -> Assignment:
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    review_services.assignment_reopen(user=request.user, assignment=assignment)
    return _assignment_detail(request, pk)


@assignments.post("/{int:pk}/answers/{question_ref}/review", response={200: schemas.AnswerOut, **ERRORS},
                  operation_id="assignment_answer_review", summary="Review one answer")
def answer_review(request: HttpRequest, pk: int, question_ref: str, payload: schemas.ReviewIn) -> dict[str, Any]:
    """Accept an answer or ask for a change (`comment` required); the comment joins the question's
    thread, where the party sees it. Only a submitted assessment is reviewed (409 otherwise)."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    question = _question(assignment, question_ref)
    answer = Answer.objects.filter(assignment=assignment, question=question).first()
    if answer is None:
        raise RenkeiError(_("This question is not answered."), field_name="question", status=409)
    answer.assignment = assignment
    answer.question = question
    review_services.answer_review(user=request.user, answer=answer, state=payload.state, comment=payload.comment)
    return _one_item_out(assignment, question)


@assignments.get("/{int:pk}/proposed-follow-ups", response={200: list[schemas.ProposalOut], 404: ErrorOut},
                 operation_id="assignment_proposed_follow_ups", summary="List proposed follow-up items")
def proposed_follow_ups(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """Negative answers without a follow-up item yet, with the proposed severity and due date."""
    assignment = _assignment(request, pk)
    return [
        {
            "question": p.question.ref,
            "question_id": p.question.pk,
            "value": p.value,
            "value_label": selectors.value_label(p.question, p.value),
            "severity": p.severity,
            "title": p.title,
            "description": str(p.description),
            "due_date": followup_services.default_due(p.severity),
        }
        for p in selectors.proposed_followups(assignment)
    ]


@assignments.post("/{int:pk}/follow-ups", response={201: list[schemas.FollowUpOut], **ERRORS},
                  operation_id="assignment_follow_ups_create", summary="Turn negative answers into follow-up items")
def follow_ups_from_answers(request: HttpRequest, pk: int, payload: schemas.FromAnswersIn) -> Status[list[FollowUp]]:
    """Create follow-up items for the chosen questions (`question_refs` or `question_ids`) with the
    proposed severity and due date. Questions without a proposal (not negative, or already followed
    up) are skipped; the answer lists the items created."""
    assignment = _assignment(request, pk)
    require(request.user, WRITE)
    ids: list[int] = []
    if payload.question_refs:
        ids += _question_ids(assignment, payload.question_refs, "question_refs")
    if payload.question_ids:
        known = set(Question.objects.filter(framework_id=assignment.framework_id, pk__in=payload.question_ids)
                    .values_list("pk", flat=True))
        problems = [ErrorItem(message=_("Not found."), field=f"question_ids.{i}")
                    for i, q in enumerate(payload.question_ids) if q not in known]
        if problems:
            raise RenkeiError.from_items(problems[0].message, problems)
        ids += payload.question_ids
    if not ids:
        raise RenkeiError(_("Choose at least one question."), field_name="question_refs")
    created = followup_services.followups_from_answers(user=request.user, assignment=assignment, question_ids=ids)
    return Status(201, list(_follow_ups().filter(pk__in=[f.pk for f in created]).order_by("question__order", "pk")))


# --- declared subcontractors ---------------------------------------------------------------------


def _declarations() -> QuerySet[SubcontractorDeclaration]:
    return SubcontractorDeclaration.objects.select_related(
        "assignment__organisation", "organisation", "decided_by"
    ).prefetch_related("assets")


@assignments.get("/{int:pk}/declarations", response={200: list[schemas.DeclarationOut], 404: ErrorOut},
                 operation_id="assignment_declarations", summary="List declared subcontractors")
def declaration_list(request: HttpRequest, pk: int) -> list[SubcontractorDeclaration]:
    """Subcontractors the party declared, with which of our information they handle."""
    assignment = _assignment(request, pk)
    return list(selectors.declarations(assignment).select_related("decided_by"))


@declarations.post("/{int:pk}/accept", response={200: schemas.DeclarationOut, **ERRORS},
                   operation_id="declaration_accept", summary="Accept a declared subcontractor into the registry")
def declaration_accept(request: HttpRequest, pk: int, payload: schemas.DeclarationAcceptIn) -> SubcontractorDeclaration:
    """Adds the organisation (or uses `organisation_id`), a re-delegation from the party to it, and a
    holding for each of our assets it handles."""
    declaration = get_visible_or_404(_declarations(), request.user, pk=pk)
    require(request.user, WRITE)
    organisation = resolve_references(
        user=request.user, references={"organisation_id": _organisations}, data=payload.model_dump()
    ).get("organisation_id")
    review_services.declaration_accept(
        user=request.user, declaration=declaration, organisation=organisation  # type: ignore[arg-type]
    )
    return get_visible_or_404(_declarations(), request.user, pk=pk)


@declarations.post("/{int:pk}/reject", response={200: schemas.DeclarationOut, **ERRORS},
                   operation_id="declaration_reject", summary="Reject a declared subcontractor")
def declaration_reject(request: HttpRequest, pk: int, payload: schemas.DeclarationRejectIn) -> SubcontractorDeclaration:
    declaration = get_visible_or_404(_declarations(), request.user, pk=pk)
    require(request.user, WRITE)
    review_services.declaration_reject(user=request.user, declaration=declaration, note=payload.note)
    return get_visible_or_404(_declarations(), request.user, pk=pk)


# --- follow-up items -----------------------------------------------------------------------------


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("organisation", "question", "owner_user")


def _save_follow_up(*, user: Any, instance: FollowUp, extras: dict[str, Any]) -> FollowUp:
    # Users are not scoped records: the responsible one must be an active administrator or analyst.
    if "owner_user_id" in extras:
        owner = extras["owner_user_id"]
        if owner is not None and not get_user_model().objects.filter(
            pk=owner, is_active=True, role__in=[Role.ADMIN, Role.ANALYST]
        ).exists():
            raise _not_found("owner_user_id")
        instance.owner_user_id = owner
    question, assignment = instance.question, instance.assignment
    if question is not None and (assignment is None or question.framework_id != assignment.framework_id):
        raise RenkeiError(_("The question is not one of the assessment's."), field_name="question_id")
    if instance.due_date is None:
        instance.due_date = followup_services.default_due(instance.severity)
    return followup_services.followup_save(user=user, follow_up=instance)


FOLLOW_UPS = CrudSpec(
    name="follow_up",
    model=FollowUp,
    out_schema=schemas.FollowUpOut,
    in_schema=schemas.FollowUpIn,
    filter_schema=schemas.FollowUpFilter,
    queryset=_follow_ups,
    references={
        "organisation_id": _organisations,
        "assignment_id": lambda: Assignment.objects.all(),
        "question_id": lambda: Question.objects.all(),
    },
    extra_fields=("owner_user_id",),
    save=_save_follow_up,
    delete=lambda *, user, instance: followup_services.followup_delete(user=user, follow_up=instance),
    write_action=WRITE,
    tag="follow-ups",
)


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    return get_visible_or_404(_follow_ups(), request.user, pk=pk)


@follow_up_messages.get("/{int:pk}/messages", response={200: list[schemas.MessageOut], 404: ErrorOut},
                        operation_id="follow_up_messages", summary="List a follow-up item's messages")
def follow_up_message_list(request: HttpRequest, pk: int) -> list[FollowUpMessage]:
    """The thread with the party (who replies through the portal), oldest first."""
    follow_up = _follow_up(request, pk)
    return list(follow_up.messages.order_by("created_at", "pk"))


@follow_up_messages.post("/{int:pk}/messages", response={201: schemas.MessageOut, **ERRORS},
                         operation_id="follow_up_message_add", summary="Write to the party")
def follow_up_message_add(request: HttpRequest, pk: int, payload: schemas.MessageIn) -> Status[FollowUpMessage]:
    """A message to the party, optionally with a status change (which the thread records)."""
    follow_up = _follow_up(request, pk)
    require(request.user, WRITE)
    message = followup_services.followup_message_add(
        follow_up=follow_up, body=payload.body, user=request.user, status=payload.status
    )
    return Status(201, message)


router.add_router("/frameworks", frameworks)
router.add_router("", parties)
router.add_router("/campaigns", campaigns)
router.add_router("/assignments", assignments)
router.add_router("/declarations", declarations)
router.add_router("/follow-ups", crud_router(FOLLOW_UPS))
router.add_router("/follow-ups", follow_up_messages)
