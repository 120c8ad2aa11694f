"""The assurance panel of the organisation page (registered in `apps.py`, see `registry.panels`)."""

from __future__ import annotations

from typing import Any

from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.models import AssuranceLevel
from renkei.core.tenancy import is_group_company
from renkei.registry.panels import OrganisationPanel


def assurance_context(context: Any, organisation: Any) -> dict[str, Any]:
    """Required level with its reasons, last assessment, next due date and whether it is overdue
    (a fixed handful of queries: `campaign_selectors.assurance_rows` for one party)."""
    if is_group_company(organisation):
        return {"organisation": organisation, "is_ours": True}
    row = campaign_selectors.assurance_rows([organisation])[0]
    return {
        "organisation": organisation,
        "is_ours": False,
        "row": row,
        "proposal_label": AssuranceLevel(row.proposal.level).label,
    }


ASSURANCE = OrganisationPanel(key="assurance", template_name="assessments/_assurance_summary.html", context=assurance_context)
