"""`{% organisation_panels object %}`: the panels other apps registered (see `registry.panels`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from renkei.registry.panels import organisation_panels as registered_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_panels(context: Any, organisation: Any) -> SafeString:
    """Each panel rendered like an inclusion tag: its own values in a fresh context."""
    parts = []
    for panel in registered_panels():
        panel_template = context.template.engine.get_template(panel.template_name)
        parts.append(panel_template.render(context.new(panel.context(context, organisation))))
    return mark_safe("\n\n".join(parts))  # noqa: S308 - each part is a rendered (auto-escaped) template
