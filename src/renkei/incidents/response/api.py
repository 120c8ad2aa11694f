"""Incidents API, mounted at /api/v1/incidents.

The list is visible to every role (scoped, drills left out unless asked for); everything else needs
`VIEW_INCIDENTS`, writes `CHANGE_INCIDENTS`. Objects outside the user's group companies
answer 404, and so does a referenced object (`party_ids`, `principal_id`, …) the user may not see.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at import.

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from renkei.core.crud_api import ErrorOut, Limit, Offset, check_if_match, resolve_references, set_etag
from renkei.core.permissions import Action, get_visible_or_404, require
from renkei.core.tenancy import group_companies
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS
from renkei.incidents.response import asset_proposals, notification_services, selectors, services
from renkei.incidents.response import timeline as timeline_services
from renkei.incidents.response.models import (
    Incident,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    IncidentTask,
    OurRole,
    Playbook,
    Severity,
    TaskStatus,
)
from renkei.registry.models import Organisation

router = Router(tags=["incidents"])
VIA = "api"
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# Writes that take a version (`If-Match` or `edit_version`): a stale one answers 409.
VERSIONED_ERRORS = {**ERRORS, 409: ErrorOut}


class IncidentListOut(Schema):
    id: int
    title: str
    status: str
    severity: str
    category: str
    learned_at: dt.datetime
    is_drill: bool
    group_company_id: int


class IncidentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[IncidentListOut]


class CountdownOut(Schema):
    key: str
    label: str
    deadline: dt.datetime
    latest: dt.datetime | None
    provisional: bool
    overdue: bool
    seconds_left: int
    done: bool


class PersonsProposalOut(Schema):
    at_least: int | None
    at_most: int | None
    unknown_assets: int


class AppiOut(Schema):
    # "required", "not_required" or "undetermined" (an unanswered question may apply: the deadlines
    # run provisionally); `report_required` is null while undetermined.
    state: str
    report_required: bool | None
    contractor_duty: bool
    we_report_to_ppc: bool
    decision: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reasons: list[str]
    reason_codes: list[str]
    unanswered: list[str]
    prelim_from: dt.datetime
    prelim_until: dt.datetime
    final_due: dt.datetime
    final_latest: dt.datetime
    final_days: int | None
    final_due_30: dt.datetime
    final_due_60: dt.datetime
    persons_proposal: PersonsProposalOut
    countdowns: list[CountdownOut]


class IncidentOut(IncidentListOut):
    occurred_at: dt.datetime | None
    source: str
    our_role: str
    principal_id: int | None
    party_ids: list[int]
    description: str
    appi_sensitive: bool | None
    appi_financial_risk: bool | None
    appi_wrongful_purpose: bool | None
    persons_estimate: int | None
    appi_encrypted: bool
    appi_key_leaked: bool | None
    prelim_start_days: int
    after_action_note: str
    closed_at: dt.datetime | None
    edit_version: int
    appi: AppiOut


# The model's column (PositiveIntegerField) holds up to this; a negative count is no estimate.
PERSONS_MAX = 2_147_483_647


class IncidentIn(Schema):
    title: str
    learned_at: dt.datetime | None = None
    occurred_at: dt.datetime | None = None
    source: IncidentSource
    category: IncidentCategory
    severity: Severity = Severity.MEDIUM
    group_company_id: int | None = None
    party_ids: list[int] = []
    our_role: OurRole = OurRole.DATA_OWNER
    principal_id: int | None = None
    description: str = ""
    appi_sensitive: bool | None = None
    appi_financial_risk: bool | None = None
    appi_wrongful_purpose: bool | None = None
    persons_estimate: int | None = Field(None, ge=0, le=PERSONS_MAX)
    appi_encrypted: bool = False
    appi_key_leaked: bool | None = None
    prelim_start_days: int = 3
    playbook_id: int | None = None
    is_drill: bool = False


class IncidentPatch(Schema):
    title: str | None = None
    learned_at: dt.datetime | None = None
    occurred_at: dt.datetime | None = None
    source: IncidentSource | None = None
    category: IncidentCategory | None = None
    severity: Severity | None = None
    status: IncidentStatus | None = None
    party_ids: list[int] | None = None
    our_role: OurRole | None = None
    principal_id: int | None = None
    description: str | None = None
    appi_sensitive: bool | None = None
    appi_financial_risk: bool | None = None
    appi_wrongful_purpose: bool | None = None
    persons_estimate: int | None = Field(None, ge=0, le=PERSONS_MAX)
    appi_encrypted: bool | None = None
    appi_key_leaked: bool | None = None
    prelim_start_days: int | None = None
    after_action_note: str | None = None
    edit_version: int | None = None  # the version read, when no `If-Match` is sent


class StatusIn(Schema):
    status: IncidentStatus
    note: str = ""


class TimelineIn(Schema):
    text: str
    at: dt.datetime | None = None


class TimelineOut(Schema):
    id: int
    at: dt.datetime
    author: str | None
    via: str
    kind: str
    text: str


class TaskOut(Schema):
    id: int
    step_name: str
    order: int
    title: str
    owner_kind: str
    owner_id: int | None
    due_at: dt.datetime | None
    deadline_key: str
    due_edited: bool
    status: str
    done_at: dt.datetime | None
    overdue: bool
    edit_version: int


class TaskPatch(Schema):
    status: TaskStatus | None = None
    due_at: dt.datetime | None = None
    title: str | None = None
    edit_version: int | None = None  # the version read, when no `If-Match` is sent


class NotificationOut(Schema):
    id: int
    category: str
    recipient: str
    organisation_id: int | None
    role_id: int | None
    reason: str
    deadline: dt.datetime | None
    status: str
    sent_at: dt.datetime | None
    what_sent: str
    order: int
    edited: bool


def _organisations() -> Any:
    return Organisation.objects.all()


def _group_companies() -> Any:
    return group_companies()


def _incident(request: HttpRequest, pk: int) -> Incident:
    require(request.user, VIEW_INCIDENTS)
    incidents = Incident.objects.select_related("group_company", "principal", "appi_decided_by")
    return get_visible_or_404(incidents, request.user, pk=pk)


def _parties(request: HttpRequest, ids: list[int]) -> list[Organisation]:
    found = []
    for pk in ids:
        obj = resolve_references(user=request.user, references={"party_ids": _organisations}, data={"party_ids": pk})
        found.append(obj["party_ids"])
    return found  # type: ignore[return-value]


def _detail(incident: Incident) -> dict[str, Any]:
    panel = selectors.appi_panel(incident)
    assessment, d = panel["assessment"], panel["deadlines"]
    proposal = selectors.persons_proposal(incident)
    return {
        **{f: getattr(incident, f) for f in IncidentOut.model_fields if f not in {"party_ids", "appi"}},
        "party_ids": sorted(p.pk for p in incident.parties.all()),
        "appi": {
            "state": assessment.state,
            "report_required": None if assessment.undetermined else assessment.report_required,
            "contractor_duty": assessment.contractor_duty,
            "we_report_to_ppc": assessment.we_report_to_ppc,
            "decision": panel["decision"],
            "decided_by": str(panel["decided_by"]) if panel["decided_by"] else None,
            "decided_at": panel["decided_at"],
            "reasons": panel["reasons"],
            "reason_codes": assessment.reasons,
            "unanswered": assessment.unanswered,
            "prelim_from": d.prelim_from,
            "prelim_until": d.prelim_until,
            "final_due": d.final_due,
            "final_latest": d.final.latest,
            "final_days": d.final_days if d.final_known else None,
            "final_due_30": d.final_30.target,
            "final_due_60": d.final_60.target,
            "persons_proposal": {
                "at_least": proposal.at_least,
                "at_most": proposal.at_most,
                "unknown_assets": proposal.unknown,
            },
            "countdowns": [
                {
                    "key": c.key,
                    "label": c.label,
                    "deadline": c.deadline,
                    "latest": c.latest,
                    "provisional": c.provisional,
                    "overdue": c.left.overdue,
                    "seconds_left": c.left.total_seconds,
                    "done": c.done,
                }
                for c in panel["countdowns"]
            ],
        },
    }


@router.get("", response=IncidentPage, operation_id="incident_list", summary="List incidents")
def list_incidents(
    request: HttpRequest,
    drills: bool = False,
    status: IncidentStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Incidents of the user's group companies (every role); drills only with `drills=true`."""
    require(request.user, Action.VIEW)
    qs = selectors.incidents(user=request.user, drills=drills).order_by("-learned_at", "pk")
    if status:
        qs = qs.filter(status=status)
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


@router.post("", response={201: IncidentOut, **ERRORS}, operation_id="incident_open", summary="Open an incident")
def open_incident(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    """Open an incident: its playbook's tasks, the first timeline entry and the notification plan
    are created with it. Affected assets are proposed for the parties (`asset-proposals`), not added."""
    require(request.user, CHANGE_INCIDENTS)
    data = payload.model_dump()
    refs = resolve_references(
        user=request.user,
        references={"group_company_id": _group_companies, "principal_id": _organisations},
        data=data,
    )
    parties = _parties(request, data.pop("party_ids"))
    playbook = None
    if data.get("playbook_id") is not None:
        playbook = resolve_references(
            user=request.user, references={"playbook_id": lambda: Playbook.objects.all()}, data=data
        )["playbook_id"]
    data.pop("playbook_id", None)
    incident = Incident(**{k: v for k, v in data.items() if k not in refs})
    incident.group_company = refs.get("group_company_id")  # type: ignore[assignment]
    incident.principal = refs.get("principal_id")  # type: ignore[assignment]
    services.incident_open(user=request.user, incident=incident, parties=parties, playbook=playbook, via=VIA)  # type: ignore[arg-type]
    return Status(201, _detail(incident))


@router.get("/{int:pk}", response={200: IncidentOut, **ERRORS}, operation_id="incident_retrieve")
def retrieve_incident(request: HttpRequest, response: HttpResponse, pk: int) -> dict[str, Any]:
    """One incident with its APPI decision, deadlines and countdowns (`ETag`: its edit version)."""
    incident = _incident(request, pk)
    set_etag(response, incident)
    return _detail(incident)


@router.patch("/{int:pk}", response={200: IncidentOut, **VERSIONED_ERRORS}, operation_id="incident_update")
def update_incident(request: HttpRequest, response: HttpResponse, pk: int, payload: IncidentPatch) -> dict[str, Any]:
    """Change fields of an incident (each change is written to its timeline). With `If-Match` (the
    ETag of the incident as read), a change saved since answers 409 and nothing is written."""
    incident = _incident(request, pk)
    require(request.user, CHANGE_INCIDENTS)
    data = payload.model_dump(exclude_unset=True)
    check_if_match(request, incident, data.pop("edit_version", None))
    parties = _parties(request, data.pop("party_ids")) if data.get("party_ids") is not None else None
    data.pop("party_ids", None)
    if "principal_id" in data:
        incident.principal = resolve_references(  # type: ignore[assignment]
            user=request.user, references={"principal_id": _organisations}, data=data
        )["principal_id"]
        data.pop("principal_id")
    for name, value in data.items():
        setattr(incident, name, value)
    services.incident_update(user=request.user, incident=incident, parties=parties, via=VIA)
    set_etag(response, incident)
    return _detail(incident)


@router.post("/{int:pk}/status", response={200: IncidentOut, **ERRORS}, operation_id="incident_set_status")
def set_status(request: HttpRequest, pk: int, payload: StatusIn) -> dict[str, Any]:
    """Move the incident to another status, with an optional note on the timeline."""
    incident = _incident(request, pk)
    services.incident_set_status(
        user=request.user, incident=incident, status=payload.status, note=payload.note, via=VIA
    )
    return _detail(incident)


@router.get("/{int:pk}/timeline", response={200: list[TimelineOut], **ERRORS}, operation_id="incident_timeline")
def timeline(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """The incident's timeline, newest first."""
    incident = _incident(request, pk)
    return [
        {"id": e.pk, "at": e.at, "author": str(e.author) if e.author else None, "via": e.via, "kind": e.kind, "text": e.text}
        for e in incident.timeline.select_related("author")
    ]


@router.post("/{int:pk}/timeline", response={201: TimelineOut, **ERRORS}, operation_id="incident_timeline_add")
def timeline_add(request: HttpRequest, pk: int, payload: TimelineIn) -> Status[dict[str, Any]]:
    """Add a manual timeline entry."""
    incident = _incident(request, pk)
    e = timeline_services.timeline_add(user=request.user, incident=incident, text=payload.text, at=payload.at, via=VIA)
    author = str(e.author) if e.author else None
    return Status(201, {"id": e.pk, "at": e.at, "author": author, "via": e.via, "kind": e.kind, "text": e.text})


def _task_out(task: IncidentTask, now: dt.datetime) -> dict[str, Any]:
    overdue = task.status != TaskStatus.DONE and task.due_at is not None and task.due_at < now
    return {**{f: getattr(task, f) for f in TaskOut.model_fields if f != "overdue"}, "overdue": overdue}


@router.get("/{int:pk}/tasks", response={200: list[TaskOut], **ERRORS}, operation_id="incident_tasks")
def tasks(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """The incident's tasks in board order."""
    from django.utils import timezone

    incident = _incident(request, pk)
    now = timezone.now()
    return [_task_out(t, now) for t in incident.tasks.order_by("order", "due_at", "pk")]


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **VERSIONED_ERRORS}, operation_id="incident_task_update")
def update_task(request: HttpRequest, response: HttpResponse, task_id: int, payload: TaskPatch) -> dict[str, Any]:
    """Move a task (status), change its due time or title. With `If-Match` (`W/"<edit_version>"` of
    the task as listed) or `edit_version`, a change saved since answers 409 and nothing is written."""
    from django.utils import timezone

    require(request.user, VIEW_INCIDENTS)
    task = get_visible_or_404(IncidentTask.objects.select_related("incident"), request.user, pk=task_id)
    data = payload.model_dump(exclude_unset=True)
    check_if_match(request, task, data.pop("edit_version", None))
    for name, value in data.items():
        setattr(task, name, value)
    services.task_save(user=request.user, task=task, via=VIA)
    set_etag(response, task)
    return _task_out(task, timezone.now())


@router.get(
    "/{int:pk}/notifications", response={200: list[NotificationOut], **ERRORS}, operation_id="incident_notifications"
)
def notifications(request: HttpRequest, pk: int) -> list[Any]:
    """The notification plan: whom to notify, why, by when, and what was sent when."""
    incident = _incident(request, pk)
    return list(incident.notifications.all())


@router.post(
    "/{int:pk}/notifications/generate",
    response={200: list[NotificationOut], **ERRORS},
    operation_id="incident_notifications_generate",
)
def generate_notifications(request: HttpRequest, pk: int) -> list[Any]:
    """(Re)generate the plan from the registry; edited entries are kept."""
    incident = _incident(request, pk)
    notification_services.notification_plan_generate(user=request.user, incident=incident, via=VIA)
    return list(incident.notifications.all())


class AssetProposalOut(Schema):
    asset_id: int
    name: str
    personal_info: bool
    sensitive_personal_info: bool
    records: int | None  # null: unknown, never 0
    persons: int | None  # null: unknown, never 0
    total_records: int | None
    held_by: list[str]
    owned_by: list[str]
    passed_on_to: list[str]
    selected: bool


class AssetConfirmIn(Schema):
    asset_ids: list[int]


class IncidentAssetOut(Schema):
    id: int
    asset_id: int
    records: int | None
    persons: int | None
    note: str


@router.get(
    "/{int:pk}/asset-proposals", response={200: list[AssetProposalOut], **ERRORS}, operation_id="incident_asset_proposals"
)
def asset_proposals_list(request: HttpRequest, pk: int) -> list[Any]:
    """The assets the registry proposes for the involved parties: only what they hold (`selected`)
    or, for a group company, own (not selected). Nothing is added until confirmed."""
    return asset_proposals.asset_proposals(_incident(request, pk))


@router.post(
    "/{int:pk}/asset-proposals/confirm",
    response={201: list[IncidentAssetOut], **ERRORS},
    operation_id="incident_asset_proposals_confirm",
)
def asset_proposals_confirm(request: HttpRequest, pk: int, payload: AssetConfirmIn) -> Status[list[Any]]:
    """Add the chosen proposals as affected assets (each must be a current proposal)."""
    incident = _incident(request, pk)
    require(request.user, CHANGE_INCIDENTS)
    items = asset_proposals.incident_assets_confirm(
        user=request.user, incident=incident, asset_ids=payload.asset_ids, via=VIA
    )
    return Status(201, items)


@router.get("/{int:pk}/report-data", response={200: dict[str, Any], **ERRORS}, operation_id="incident_report_data")
def report_data(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The report draft's data exactly as the documents use it: the wording written for the report
    and notice (報告・通知用の記載), the APPI reasons and deadlines, and `missing` (the items still
    empty). Never the internal description, the reporter's words, task titles or the asset list."""
    from renkei.incidents.documents.drafts import missing_report_items
    from renkei.incidents.documents.selectors import report_data as draft_data

    data = draft_data(_incident(request, pk))
    return {**dataclasses.asdict(data), "missing": missing_report_items(data)}
