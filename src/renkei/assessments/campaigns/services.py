"""Writes of policy and required levels, campaigns and assignments. The framework library, answers,
review and follow-up items have the services of their own sub-packages. Views, the API, commands and
tasks all come through here.

`user=None` is a trusted system context (the worker, a command); the audit context then names it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.assessments.campaigns.selectors import campaign_fingerprint
from renkei.assessments.models import (
    Answer,
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceOverride,
    Campaign,
    CampaignStatus,
    Framework,
    Question,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.assessments.signals import campaign_launch_queued
from renkei.core.concurrency import check_current, expect_version
from renkei.core.display import show_date
from renkei.core.errors import RenkeiError
from renkei.core.services import check_write, record_delete, record_save
from renkei.core.tenancy import is_group_company
from renkei.registry.models import Organisation

logger = logging.getLogger(__name__)

ACTION = CHANGE_ASSESSMENTS
LAUNCH_BATCH = 200
# Portal links sent with a campaign stay valid this long after its due date (late answers, review).
LINK_GRACE_DAYS = 60


# --- policy and required levels -----------------------------------------------------------------


def policy_for(company_id: int) -> AssessmentPolicy:
    """The group company's policy; the defaults until someone saves one."""
    policy = AssessmentPolicy.objects.filter(group_company_id=company_id).first()
    return policy or AssessmentPolicy(group_company_id=company_id)


def policy_save(*, user: Any, policy: AssessmentPolicy) -> AssessmentPolicy:
    return record_save(user=user, instance=policy, action=ACTION)


def assurance_override_set(
    *, user: Any, organisation: Organisation, level: str, reason: str, expected_version: int | None = None
) -> AssuranceOverride:
    """Set the level a party owes, replacing the proposal; the reason is required and audited. With
    `expected_version` (the override's version read) one saved or cleared since raises `StaleEdit`."""
    reason = (reason or "").strip()
    if not reason:
        raise RenkeiError(_("Give the reason for overriding the proposed level."), field_name="reason")
    override = AssuranceOverride.objects.filter(organisation=organisation).first() or AssuranceOverride(
        organisation=organisation, group_company_id=organisation.group_company_id  # type: ignore[misc]
    )
    check_current(override, expected_version)
    expect_version(override, expected_version)
    override.level = level
    override.reason = reason
    return record_save(user=user, instance=override, action=ACTION)


def assurance_override_clear(*, user: Any, organisation: Organisation) -> None:
    """Go back to the proposed level."""
    override = AssuranceOverride.objects.filter(organisation=organisation).first()
    if override is not None:
        record_delete(user=user, instance=override, action=ACTION)


# --- campaigns -----------------------------------------------------------------------------------


def _check_framework_usable(framework: Framework, company_id: int | None) -> None:
    if not framework.is_active:
        raise RenkeiError(_("This framework is retired; choose another one."), field_name="framework")
    if framework.group_company_id is not None and framework.group_company_id != company_id:
        raise RenkeiError(_("This framework belongs to another group company."), field_name="framework")


def campaign_save(*, user: Any, campaign: Campaign) -> Campaign:
    """Create or edit a campaign. Once launched, only its name, message and due date change; a new
    due date moves the due date of every assignment still open."""
    if campaign.pk is None:
        campaign.created_by = user if getattr(user, "pk", None) else None
        campaign.status = CampaignStatus.DRAFT
    else:
        stored = Campaign.objects.get(pk=campaign.pk)
        if stored.status != CampaignStatus.DRAFT and stored.framework_id != campaign.framework_id:
            raise RenkeiError(_("The framework of a launched campaign cannot change."), field_name="framework")
        if stored.status == CampaignStatus.CLOSED:
            raise RenkeiError(_("This campaign is closed."), status=409)
    if campaign.status == CampaignStatus.DRAFT:
        _check_framework_usable(campaign.framework, campaign.group_company_id)
    if campaign.due_date and campaign.due_date < timezone.localdate() and campaign.status == CampaignStatus.DRAFT:
        raise RenkeiError(_("The due date is in the past."), field_name="due_date")
    with transaction.atomic():
        saved = record_save(user=user, instance=campaign, action=ACTION)
        if saved.status != CampaignStatus.DRAFT:
            for assignment in saved.assignments.filter(status__in=_open_statuses()).exclude(due_date=saved.due_date):
                assignment.due_date = saved.due_date
                assignment.save(update_fields=["due_date", "updated_at"])
    return saved


def _open_statuses() -> list[str]:
    return [AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.CHANGES_REQUESTED]


# The parties are part of the campaign as edited: choosing them moves its version on (and a write
# based on an older version, `core.concurrency`, is refused here with the parties left as they were).
PARTIES_SAVED = ["party_filter", "updated_at", "edit_version"]


@transaction.atomic
def campaign_set_parties(
    *, user: Any, campaign: Campaign, organisations: Iterable[Organisation], party_filter: dict[str, Any] | None = None
) -> Campaign:
    """Replace the parties of a draft campaign (our own companies answer self-assessments instead).
    The pages add and remove (`campaign_add_parties`, `campaign_remove_parties`); the API sets."""
    _check_draft(user, campaign)
    chosen = list(organisations)
    _check_parties(campaign, chosen)
    campaign.parties.set(chosen)
    if party_filter is not None:
        campaign.party_filter = party_filter
    campaign.save(update_fields=PARTIES_SAVED)
    return campaign


def _check_parties(campaign: Campaign, chosen: Sequence[Organisation]) -> None:
    for org in chosen:
        if is_group_company(org):
            raise RenkeiError(
                _("{name} is one of our own companies: assess it with a self-assessment.").format(name=org.name),
                field_name="parties",
            )
        if org.group_company_id != campaign.group_company_id:
            raise RenkeiError(_("{name} is managed by another group company.").format(name=org.name), field_name="parties")


def _check_draft(user: Any, campaign: Campaign) -> None:
    check_write(user=user, action=ACTION, company_id=campaign.group_company_id)
    # The stored status, locked: the object in hand may predate a launch in another request.
    stored = Campaign.objects.select_for_update().only("status").get(pk=campaign.pk)
    if stored.status != CampaignStatus.DRAFT or campaign.status != CampaignStatus.DRAFT:
        raise RenkeiError(_("The parties of a launched campaign cannot change."), status=409)


@transaction.atomic
def campaign_add_parties(
    *, user: Any, campaign: Campaign, organisations: Iterable[Organisation], party_filter: dict[str, Any] | None = None
) -> int:
    """Add parties to a draft campaign's selection, keeping those already chosen; returns how many
    were new. By name (`party_filter` None) the parties are remembered under "added" and leave
    "removed"; by a filter, the filter is kept (it fills the form again) and parties removed by
    hand earlier stay out."""
    _check_draft(user, campaign)
    chosen = list(organisations)
    stored = dict(campaign.party_filter or {})
    removed = set(stored.get("removed", []))
    if party_filter is None:
        stored["added"] = sorted({*stored.get("added", []), *(o.pk for o in chosen)})
        removed -= {o.pk for o in chosen}
    else:
        chosen = [o for o in chosen if o.pk not in removed]
        stored = {**party_filter, **{k: v for k, v in stored.items() if k == "added"}}
    stored.pop("removed", None)
    if removed:
        stored["removed"] = sorted(removed)
    _check_parties(campaign, chosen)
    already = set(campaign.parties.filter(pk__in=[o.pk for o in chosen]).values_list("pk", flat=True))
    new = [o for o in chosen if o.pk not in already]
    campaign.parties.add(*new)
    campaign.party_filter = stored
    campaign.save(update_fields=PARTIES_SAVED)
    return len(new)


@transaction.atomic
def campaign_remove_parties(*, user: Any, campaign: Campaign, organisations: Iterable[Organisation]) -> None:
    """Take parties out of a draft campaign's selection; remembered under "removed", so adding by
    a filter again keeps them out."""
    _check_draft(user, campaign)
    gone = list(organisations)
    stored = dict(campaign.party_filter or {})
    ids = {o.pk for o in gone}
    stored["removed"] = sorted({*stored.get("removed", []), *ids})
    if stored.get("added"):
        stored["added"] = [pk for pk in stored["added"] if pk not in ids]
    campaign.parties.remove(*gone)
    campaign.party_filter = stored
    campaign.save(update_fields=PARTIES_SAVED)


def campaign_launch(*, user: Any, campaign: Campaign, confirmed: str | None = None) -> Campaign:
    """Start sending: the worker creates the assignments and e-mails each party its portal link.
    `confirmed`: the fingerprint of what the person saw on the launch preview
    (`selectors.campaign_fingerprint`); refused when the campaign has changed since."""
    check_write(user=user, action=ACTION, company_id=campaign.group_company_id)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise RenkeiError(_("This campaign has already been launched."), status=409)
        if confirmed is not None and confirmed != campaign_fingerprint(campaign):
            raise RenkeiError(
                _("The campaign changed after the preview was shown (parties, due date or message). Check the preview again, then launch."),
                status=409,
            )
        _check_framework_usable(campaign.framework, campaign.group_company_id)
        if campaign.due_date < timezone.localdate():
            raise RenkeiError(_("The due date is in the past."), field_name="due_date")
        total = campaign.parties.count()
        if total == 0:
            raise RenkeiError(_("Choose at least one party first."), field_name="parties")
        campaign.status = CampaignStatus.LAUNCHING
        campaign.launched_at = timezone.now()
        campaign.launched_by = user if getattr(user, "pk", None) else None
        campaign.launch_total = total
        campaign.launch_done = 0
        campaign.launch_error = ""
        campaign.save()
        campaign_id = campaign.pk
        transaction.on_commit(lambda: _enqueue_launch(campaign_id))
    return campaign


def _enqueue_launch(campaign_id: int) -> None:
    # The receiver in tasks.py queues the launch (tasks import services, never the reverse).
    campaign_launch_queued.send(sender=Campaign, campaign_id=campaign_id)


def campaign_launch_run(*, campaign_id: int, notify: bool = True) -> Campaign:
    """The worker's part of a launch: in batches, one assignment per party (starting from its last
    cycle's answers), a portal link and an invitation e-mail. Safe to run again after a crash:
    parties that already have their assignment are skipped. `notify=False` creates the assignments
    without links or e-mails (the demo data set)."""
    from renkei.assessments import notifications

    campaign = Campaign.objects.select_related("framework", "group_company").get(pk=campaign_id)
    if campaign.status != CampaignStatus.LAUNCHING:
        return campaign
    parties = list(
        campaign.parties.exclude(assignments__campaign=campaign).prefetch_related("contacts").order_by("pk")
    )
    done = campaign.assignments.count()
    for start in range(0, len(parties), LAUNCH_BATCH):
        batch = parties[start : start + LAUNCH_BATCH]
        invitations = []
        with transaction.atomic():
            assignments = assignments_create(
                organisations=batch,
                framework=campaign.framework,
                due_date=campaign.due_date,
                campaign=campaign,
            )
            for assignment in assignments if notify else ():
                invitations.append(notifications.invitation(assignment=assignment, user=None))
            done += len(batch)
            Campaign.objects.filter(pk=campaign.pk).update(launch_done=done)
        notifications.send_all([m for m in invitations if m is not None])
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING, launch_done=done)
    campaign.refresh_from_db()
    return campaign


def campaign_close(*, user: Any, campaign: Campaign) -> Campaign:
    """Close a campaign: no more reminders; assignments keep their answers and status."""
    check_write(user=user, action=ACTION, company_id=campaign.group_company_id)
    if campaign.status == CampaignStatus.DRAFT:
        raise RenkeiError(_("A draft campaign can be deleted instead."), status=409)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    return campaign


def campaign_delete(*, user: Any, campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise RenkeiError(_("A launched campaign cannot be deleted; close it instead."), status=409)
    record_delete(user=user, instance=campaign, action=ACTION)


# --- assignments ---------------------------------------------------------------------------------


def previous_assignments(*, organisation_ids: Sequence[int], framework_key: str) -> dict[int, Assignment]:
    """Each party's latest completed cycle (accepted, else submitted) of a framework, by party id."""
    latest: dict[int, Assignment] = {}
    rank = {AssignmentStatus.ACCEPTED: 2, AssignmentStatus.SUBMITTED: 1}
    candidates = Assignment.objects.filter(
        organisation_id__in=organisation_ids,
        framework__key=framework_key,
        status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED],
    ).order_by("organisation_id", "-created_at", "-pk")
    for assignment in candidates:
        best = latest.get(assignment.organisation_id)
        if best is None or rank[assignment.status] > rank[best.status]:  # type: ignore[index]
            latest[assignment.organisation_id] = assignment
    return latest


def assignments_create(
    *,
    organisations: Sequence[Organisation],
    framework: Framework,
    due_date: dt.date,
    campaign: Campaign | None = None,
    language: str = "ja",
) -> list[Assignment]:
    """New assignments, one per organisation, each starting from its last cycle's answers.

    Answers of the last cycle are carried over by question ID (the framework may have a newer
    version) and marked for the party to confirm or change; the reviewer sees what changed.
    """
    previous = previous_assignments(organisation_ids=[o.pk for o in organisations], framework_key=framework.key)
    created = []
    for org in organisations:
        before = previous.get(org.pk)
        assignment = Assignment(
            group_company_id=org.group_company_id,  # type: ignore[misc]
            campaign=campaign,
            organisation=org,
            framework=framework,
            due_date=due_date,
            cycle=(before.cycle + 1) if before else 1,
            previous=before,
            language=language,
        )
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:
            continue  # already created by an earlier run of the same launch
        created.append(assignment)
    _carry_over(created, framework)
    return created


def _carry_over(assignments: Sequence[Assignment], framework: Framework) -> None:
    with_previous = [a for a in assignments if a.previous_id]
    if not with_previous:
        return
    question_ids = dict(Question.objects.filter(framework=framework).values_list("ref", "pk"))
    old = Answer.objects.filter(assignment_id__in=[a.previous_id for a in with_previous]).values_list(
        "assignment_id", "question__ref", "value", "note"
    )
    by_previous: dict[int, list[tuple[str, Any, str]]] = {}
    for assignment_id, ref, value, note in old:
        by_previous.setdefault(assignment_id, []).append((ref, value, note))
    rows = []
    for assignment in with_previous:
        for ref, value, note in by_previous.get(assignment.previous_id or 0, []):
            if ref in question_ids and value is not None:
                rows.append(
                    Answer(
                        assignment=assignment,
                        question_id=question_ids[ref],
                        value=value,
                        previous_value=value,
                        note=note,
                        carried_over=True,
                    )
                )
    Answer.objects.bulk_create(rows, batch_size=1000)


def assignment_create(
    *,
    user: Any,
    organisation: Organisation,
    framework: Framework,
    due_date: dt.date,
    language: str = "ja",
    invite: bool = True,
) -> Assignment:
    """One assessment outside a campaign: a self-assessment of one of our companies, or a party's
    reassessment; a party is e-mailed its portal link when `invite` is set."""
    from renkei.assessments import notifications

    check_write(user=user, action=ACTION, company_id=organisation.group_company_id)
    _check_framework_usable(framework, organisation.group_company_id)
    if due_date < timezone.localdate():
        raise RenkeiError(_("The due date is in the past."), field_name="due_date")
    open_one = Assignment.objects.filter(
        organisation=organisation, framework__key=framework.key, status__in=_open_statuses()
    ).first()
    if open_one is not None:
        raise RenkeiError(
            _("{name} already has an open assessment with this framework (due {due}).").format(
                name=organisation.name, due=show_date(open_one.due_date)
            ),
            field_name="framework",
            status=409,
        )
    with transaction.atomic():
        (assignment,) = assignments_create(
            organisations=[organisation], framework=framework, due_date=due_date, language=language
        )
    if invite and not is_group_company(organisation):
        message = notifications.invitation(assignment=assignment, user=user)
        if message is not None:
            notifications.send_all([message])
    return assignment


def assignment_delete(*, user: Any, assignment: Assignment) -> None:
    """Delete an assessment nobody has answered yet (a mistaken self-assessment or invitation)."""
    if assignment.answers.filter(value__isnull=False, carried_over=False).exists() or assignment.status != AssignmentStatus.NOT_STARTED:
        raise RenkeiError(_("This assessment has answers; it cannot be deleted."), status=409)
    record_delete(user=user, instance=assignment, action=ACTION)
