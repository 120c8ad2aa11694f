"""The capability cards of the dashboard (`{% load reports_tags %}{% incidents_card %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from renkei.incidents.response import selectors as incidents_selectors
from renkei.reports import selectors

register = template.Library()


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("reports/_incidents_card.html", takes_context=True)
def incidents_card(context: dict[str, Any]) -> dict[str, Any]:
    """Open real incidents with their nearest APPI deadline (drills are left out)."""
    return {"card": incidents_selectors.dashboard_incidents(user=_user(context))}


@register.inclusion_tag("reports/_assessments_card.html", takes_context=True)
def assessments_card(context: dict[str, Any]) -> dict[str, Any]:
    """Parties overdue for assessment, assessments waiting for review and overdue follow-up items:
    a fixed number of queries, whatever the rows."""
    return selectors.assessments_figures(user=_user(context))
