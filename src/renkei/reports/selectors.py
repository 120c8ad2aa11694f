"""Reads across apps for the dashboard: each a fixed number of queries, whatever the rows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    Assignment,
    AssignmentStatus,
    FollowUp,
)
from renkei.core.permissions import visible


def assessments_figures(*, user: Any) -> dict[str, int]:
    """Parties overdue for assessment (the parties page's own selector, so the two agree),
    assessments waiting for review and overdue follow-up items the user may see: a fixed number of
    queries."""
    today = timezone.localdate()
    to_review = visible(Assignment.objects.filter(status=AssignmentStatus.SUBMITTED), user).count()
    follow_ups = visible(
        FollowUp.objects.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES).filter(due_date__lt=today), user
    ).count()
    return {
        "overdue_parties": campaign_selectors.overdue_party_count(user=user, today=today),
        "to_review": to_review,
        "follow_ups_overdue": follow_ups,
    }
