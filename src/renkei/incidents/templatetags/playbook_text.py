"""`{{ step.name|playbook_text }}`: the default response flow's texts in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from renkei.incidents.response.playbooks import default_text

register = template.Library()


@register.filter
def playbook_text(value: str) -> str:
    return default_text(str(value or ""), get_language() or "ja")
