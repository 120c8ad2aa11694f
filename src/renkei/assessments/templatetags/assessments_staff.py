"""Template pieces other pages include: the assurance a party owes (registry page)."""

from __future__ import annotations

from typing import Any

from django import template

from renkei.assessments import selectors
from renkei.assessments.models import AssuranceLevel
from renkei.registry.models import OUR_KINDS

register = template.Library()


@register.inclusion_tag("assessments/_assurance_summary.html", takes_context=True)
def assurance_summary(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """Required level with its reasons, last assessment, next due date and whether it is overdue
    (a fixed handful of queries: `selectors.assurance_rows` for one party)."""
    if organisation.kind in OUR_KINDS:
        return {"organisation": organisation, "is_ours": True}
    row = selectors.assurance_rows([organisation])[0]
    return {
        "organisation": organisation,
        "is_ours": False,
        "row": row,
        "proposal_label": AssuranceLevel(row.proposal.level).label,
    }
