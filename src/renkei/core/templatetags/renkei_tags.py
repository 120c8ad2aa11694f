"""Template helpers for the generic pages."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from django import template
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.text import capfirst

from renkei.core.display import show_date, show_date_short, show_datetime, show_number

register = template.Library()

# The display conventions (core/display.py, core/formats/): `{{ x|jdate }}` in prose and on detail
# pages, `{{ x|jdate_short }}` in dense tables, `{{ x|jdatetime }}` for a moment (Japan time) and
# `{{ n|num }}` for a count or an amount. These filters are template builtins (settings.TEMPLATES).
register.filter("jdate", show_date)
register.filter("jdate_short", show_date_short)
register.filter("jdatetime", show_datetime)
register.filter("num", show_number)


@register.filter
def shown_ref(value: Any) -> str:
    """A section's reference as readers see it: numbers ("2", "A-1") stay, an internal code without
    a digit (`basic`, `staff`, `org`) is not shown; the section's title says the same thing."""
    text = str(value or "")
    return text if any(ch.isdigit() for ch in text) else ""


def format_moment(value: dt.date) -> str:
    """A list cell's datetime as 2026/12/07 18:37 in Japan time, a date as 2026/12/07."""
    return show_datetime(value)


def resolve(obj: Any, path: str) -> Any:
    value: Any = obj
    for part in path.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display if callable(display) else getattr(value, part, None)
        if callable(value) and not hasattr(value, "all"):
            value = value()
    if hasattr(value, "all"):
        return ", ".join(str(v) for v in value.all())
    if isinstance(value, FieldFile):
        # A stored file by its own name, never the storage path ("certifications/12/x.pdf").
        return PurePosixPath(value.name).name if value.name else None
    return value


@register.simple_tag
def cell(obj: Any, column: Any) -> Any:
    """The value of one list column for one object, linked to the object when the column says so."""
    value = resolve(obj, column.attr)
    if value is None or value == "":
        value = "—"
    if value is True:
        value = "✔"
    if value is False:
        value = "—"
    if isinstance(value, dt.date):
        # str() of a datetime would be UTC with microseconds; the span keeps the day and time on one line.
        value = format_html('<span class="date">{}</span>', format_moment(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        value = show_number(value)
    if column.link and hasattr(obj, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), value)
    return value


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], column: Any) -> str:
    current = context.get("current_sort", "")
    key = column.sort
    new = f"-{key}" if current == key else key
    base = context.get("sort_querystring", "")
    qs = f"{base}&sort={new}" if base else f"sort={new}"
    arrow = " ▲" if current == key else (" ▼" if current == f"-{key}" else "")
    return format_html('<a href="?{}">{}{}</a>', qs, capfirst(str(column.label)), arrow)


@register.filter
def field_value(obj: Any, path: str) -> Any:
    return resolve(obj, path)


@register.simple_tag
def verbose_name(obj: Any, name: str) -> str:
    """The translated label of a model field (or of a method with a `short_description`)."""
    try:
        return capfirst(str(obj._meta.get_field(name).verbose_name))
    except Exception:  # noqa: BLE001 - not a field: a computed value
        from django.utils.translation import gettext

        return capfirst(gettext(LABELS.get(name, name)))


LABELS = {"state_label": "state"}
