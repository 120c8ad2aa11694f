"""Template pieces other apps' pages include: the software a supplier delivered (registry page)."""

from __future__ import annotations

from typing import Any

from django import template

from renkei.software.portfolio.selectors import supplier_software

register = template.Library()


@register.inclusion_tag("software/_supplier_software.html", takes_context=True)
def supplier_software_summary(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """Products, releases, open findings by severity and hash mismatches of one supplier."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"summary": supplier_software(user=user, organisation=organisation), "organisation": organisation,
            "can_change": context.get("can_change", False)}
