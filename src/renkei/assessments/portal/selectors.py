"""Reads of the partner portal: exactly what one party's portal link may see."""

from __future__ import annotations

from django.db.models import QuerySet

from renkei.assessments.models import (
    Assignment,
    FollowUp,
)
from renkei.registry.models import InformationAsset, Organisation

# --- what a party may see -------------------------------------------------------------------------


def assets_shared_with(organisation: Organisation) -> QuerySet[InformationAsset]:
    """Our information assets the party holds (what it may say its subcontractors handle)."""
    return InformationAsset.objects.filter(holdings__holder=organisation).distinct().order_by("name")


def portal_assignments(organisation: Organisation) -> QuerySet[Assignment]:
    """Everything a portal link opens: the party's assessments, newest first."""
    return (
        Assignment.objects.filter(organisation=organisation)
        .select_related("framework", "campaign", "group_company")
        .order_by("-created_at", "-pk")
    )


def portal_follow_ups(organisation: Organisation) -> QuerySet[FollowUp]:
    """The party's follow-up items it owns or may see (every item of the party)."""
    return FollowUp.objects.filter(organisation=organisation).select_related("question").order_by("due_date", "pk")
