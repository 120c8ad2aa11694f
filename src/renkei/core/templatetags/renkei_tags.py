"""Template helpers for the generic pages."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from django import template
from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.text import capfirst

from renkei.core.display import show_date, show_date_short, show_datetime, show_number
from renkei.core.masking import OUT_OF_SCOPE_PARTY, party_in_scope, party_name

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


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def _is_organisation(value: Any) -> bool:
    return isinstance(value, models.Model) and value._meta.label == settings.RENKEI_GROUP_COMPANY_MODEL


@register.simple_tag(takes_context=True)
def cell(context: Any, obj: Any, column: Any) -> Any:
    """The value of one list column for one object, linked to the object when the column says so.
    An organisation outside the user's scope is not named (`core.masking`)."""
    value = resolve(obj, column.attr)
    if _is_organisation(value):
        value = party_name(_user(context), value)
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
def party(context: Any, organisation: Any) -> str:
    """An organisation, named and linked to its page; outside the user's scope 「範囲外の取引先」, unlinked."""
    if organisation is None:
        return "—"
    if party_in_scope(_user(context), organisation):
        return format_html('<a href="{}">{}</a>', organisation.get_absolute_url(), organisation.name)
    return format_html('<span class="muted out-of-scope">{}</span>', OUT_OF_SCOPE_PARTY)


@register.simple_tag(takes_context=True)
def record_label(context: Any, obj: Any) -> str:
    """A record's name as the user may read it: records naming others (a relationship names two
    parties) provide `label_for(user)`, which leaves out parties outside the user's scope."""
    label_for = getattr(obj, "label_for", None)
    return str(label_for(_user(context))) if callable(label_for) else str(obj)


@register.simple_tag(takes_context=True)
def party_visible(context: Any, organisation: Any) -> bool:
    """`{% party_visible p as ok %}`: whether to offer links about the organisation (its blast radius)."""
    return organisation is not None and party_in_scope(_user(context), organisation)


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
