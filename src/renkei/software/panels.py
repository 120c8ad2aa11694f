"""The software panel of the organisation page (registered in `apps.py`, see `registry.panels`)."""

from __future__ import annotations

from typing import Any

from renkei.registry.panels import OrganisationPanel
from renkei.software.selectors_registry import supplier_software


def supplier_software_context(context: Any, organisation: Any) -> dict[str, Any]:
    """Products, releases, open findings by severity and hash mismatches of one supplier."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"summary": supplier_software(user=user, organisation=organisation), "organisation": organisation,
            "can_change": context.get("can_change", False)}


SUPPLIER_SOFTWARE = OrganisationPanel(
    key="software", template_name="software/_supplier_software.html", context=supplier_software_context
)
