"""Sections that other apps add to the organisation page, without the registry importing them.

The registry knows parties; the software a supplier delivered or the assurance a party owes
belong to the capabilities above it. Each capability registers its panel in its
`AppConfig.ready()`; the organisation page renders the panels in registration order (the order
of INSTALLED_APPS) with `{% load registry_panels %}{% organisation_panels object %}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from renkei.registry.models import Organisation


@dataclass(frozen=True)
class OrganisationPanel:
    """`context(template_context, organisation)` answers the values `template_name` is rendered with
    (the page's context gives the request and `can_change`)."""

    key: str
    template_name: str
    context: Callable[[Any, Organisation], dict[str, Any]]


_PANELS: dict[str, OrganisationPanel] = {}


def register_organisation_panel(panel: OrganisationPanel) -> None:
    """Add (or, by its key, replace) a panel of the organisation page."""
    _PANELS[panel.key] = panel


def organisation_panels() -> tuple[OrganisationPanel, ...]:
    return tuple(_PANELS.values())
