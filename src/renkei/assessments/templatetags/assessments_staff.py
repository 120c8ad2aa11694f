"""Template pieces other pages include: the assurance a party owes (registry page) and the
assessments card of the dashboard."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    AssuranceLevel,
    FollowUp,
)
from renkei.core.permissions import visible
from renkei.registry.models import OUR_KINDS

register = template.Library()


@register.inclusion_tag("assessments/_assurance_summary.html", takes_context=True)
def assurance_summary(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """Required level with its reasons, last assessment, next due date and whether it is overdue
    (a fixed handful of queries: `campaign_selectors.assurance_rows` for one party)."""
    if organisation.kind in OUR_KINDS:
        return {"organisation": organisation, "is_ours": True}
    row = campaign_selectors.assurance_rows([organisation])[0]
    return {
        "organisation": organisation,
        "is_ours": False,
        "row": row,
        "proposal_label": AssuranceLevel(row.proposal.level).label,
    }


@register.inclusion_tag("assessments/_dashboard_card.html", takes_context=True)
def assessments_card(context: dict[str, Any]) -> dict[str, Any]:
    """Overdue assessments, assessments waiting for review and overdue follow-up items, for the
    dashboard (`{% load assessments_staff %}{% assessments_card %}`): two queries, whatever the rows."""
    request = context.get("request")
    user = getattr(request, "user", None)
    today = timezone.localdate()
    assignments = visible(Assignment.objects.all(), user).aggregate(
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        to_review=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)),
    )
    follow_ups = visible(
        FollowUp.objects.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES).filter(due_date__lt=today), user
    ).count()
    return {"overdue": assignments["overdue"], "to_review": assignments["to_review"], "follow_ups_overdue": follow_ups}
