"""The incidents card on the dashboard (`{% load incidents_tags %}{% incidents_card %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from renkei.incidents.response import selectors

register = template.Library()


@register.inclusion_tag("incidents/dashboard_card.html", takes_context=True)
def incidents_card(context: dict[str, Any]) -> dict[str, Any]:
    """Open real incidents with their nearest APPI deadline (drills are left out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"card": selectors.dashboard_incidents(user=user)}
