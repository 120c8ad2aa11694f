"""Reads across apps for the dashboard: each a fixed number of queries, whatever the rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    FollowUp,
)
from renkei.core.permissions import visible


def assessments_figures(*, user: Any) -> dict[str, int]:
    """Overdue assessments, assessments waiting for review and overdue follow-up items the user
    may see: two queries."""
    today = timezone.localdate()
    assignments = visible(Assignment.objects.all(), user).aggregate(
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        to_review=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)),
    )
    follow_ups = visible(
        FollowUp.objects.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES).filter(due_date__lt=today), user
    ).count()
    return {"overdue": assignments["overdue"], "to_review": assignments["to_review"], "follow_ups_overdue": follow_ups}
