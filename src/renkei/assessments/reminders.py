"""Reminders of the assessments app, sent by a periodic job in the worker.

- a party's open assessment: once within the policy's days before the due date, then every
  `overdue_reminder_days` once overdue (each with a fresh portal link);
- follow-up items: a week before the due date, then weekly once overdue, to the party or to our
  responsible person by the item's owner;
- our own companies' certifications: at each of `RENKEI_CERT_REMINDER_DAYS` before expiry.
Each reminder is claimed by a key in `ReminderSent` before it is sent, so a job that runs every
hour (or on several workers) sends it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from renkei.assessments import notifications
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    OPEN_STATUSES,
    Assignment,
    CampaignStatus,
    FollowUp,
    ReminderSent,
)
from renkei.registry.models import OUR_KINDS, Certification

FOLLOW_UP_NOTICE_DAYS = 7
FOLLOW_UP_REPEAT_DAYS = 7
# Reminders look this far ahead for due dates (the longest "days before" a policy may reasonably set).
HORIZON_DAYS = 60
# Certifications expired longer ago than this are no longer reminded of.
CERT_STALE_DAYS = 30


def claim(key: str) -> bool:
    """Whether this run may send the reminder named `key` (True once per key, ever)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def _assignment_key(assignment: Assignment, policy: Any, today: dt.date) -> tuple[str, bool] | None:
    if assignment.due_date >= today:
        days_before = policy.reminder_days_before
        if days_before and (assignment.due_date - today).days <= days_before:
            return f"assignment:{assignment.pk}:due:{assignment.due_date}", False
        return None
    every = policy.overdue_reminder_days
    if not every:
        return None
    round_number = (today - assignment.due_date).days // every
    return f"assignment:{assignment.pk}:overdue:{assignment.due_date}:{round_number}", True


def _follow_up_key(follow_up: FollowUp, today: dt.date) -> tuple[str, bool] | None:
    if follow_up.due_date >= today:
        if (follow_up.due_date - today).days <= FOLLOW_UP_NOTICE_DAYS:
            return f"followup:{follow_up.pk}:due:{follow_up.due_date}", False
        return None
    round_number = (today - follow_up.due_date).days // FOLLOW_UP_REPEAT_DAYS
    return f"followup:{follow_up.pk}:overdue:{follow_up.due_date}:{round_number}", True


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder that is due now; returns how many of each kind were sent."""
    today = today or timezone.localdate()
    sent = {"assignments": 0, "follow_ups": 0, "certifications": 0}
    messages = []
    assignments = list(
        Assignment.objects.filter(status__in=OPEN_STATUSES, due_date__lte=today + dt.timedelta(days=HORIZON_DAYS))
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .exclude(organisation__kind__in=OUR_KINDS)
        .select_related("organisation", "framework", "group_company", "campaign")
        .prefetch_related("organisation__contacts")
    )
    policy = campaign_selectors.policies(a.group_company_id for a in assignments)
    for assignment in assignments:
        found = _assignment_key(assignment, policy[assignment.group_company_id], today)
        if found is None or not claim(found[0]):
            continue
        message = notifications.reminder(assignment=assignment, overdue=found[1])
        Assignment.objects.filter(pk=assignment.pk).update(last_reminded_at=timezone.now())
        if message is not None:
            messages.append(message)
            sent["assignments"] += 1
    follow_ups = (
        FollowUp.objects.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES)
        .filter(due_date__lte=today + dt.timedelta(days=FOLLOW_UP_NOTICE_DAYS))
        .select_related("organisation", "owner_user")
        .prefetch_related("organisation__contacts")
    )
    for follow_up in follow_ups:
        found = _follow_up_key(follow_up, today)
        if found is None or not claim(found[0]):
            continue
        message = notifications.follow_up_reminder(follow_up=follow_up, overdue=found[1])
        FollowUp.objects.filter(pk=follow_up.pk).update(last_reminded_at=timezone.now())
        if message is not None:
            messages.append(message)
            sent["follow_ups"] += 1
    messages += _certification_reminders(today, sent)
    notifications.send_all(messages)
    return sent


def _certification_reminders(today: dt.date, sent: dict[str, int]) -> list[Any]:
    thresholds = sorted(set(settings.RENKEI_CERT_REMINDER_DAYS), reverse=True)
    if not thresholds:
        return []
    certifications = Certification.objects.filter(
        organisation__kind__in=OUR_KINDS,
        valid_until__isnull=False,
        valid_until__lte=today + dt.timedelta(days=max(thresholds)),
        valid_until__gte=today - dt.timedelta(days=CERT_STALE_DAYS),
    ).select_related("organisation")
    recipients_by_company: dict[int, list[str]] = {}
    messages = []
    for certification in certifications:
        assert certification.valid_until is not None
        days_left = (certification.valid_until - today).days
        # The tightest threshold reached; the wider ones passed unannounced are claimed with it, so a
        # certification first noticed 5 days before expiry gets one message, not three.
        reached = [t for t in thresholds if days_left <= t]
        keys = [f"cert:{certification.pk}:{certification.valid_until}:{t}" for t in reached]
        if not keys or not claim(keys[-1]):
            continue
        for key in keys[:-1]:
            claim(key)
        company_id = certification.group_company_id
        if company_id not in recipients_by_company:
            recipients_by_company[company_id] = notifications.staff_recipients(company_id)
        recipients = recipients_by_company[company_id]
        if recipients:
            messages.append(
                notifications.certification_reminder(certification=certification, days_left=days_left, recipients=recipients)
            )
            sent["certifications"] += 1
    return messages
