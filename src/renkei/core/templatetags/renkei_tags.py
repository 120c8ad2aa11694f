"""Template helpers for the generic pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from renkei.core.masking import OUT_OF_SCOPE_PARTY, party_in_scope, party_name

register = template.Library()

# The one way pages show a moment and a day (as the templates' `|date:"Y-m-d H:i"`), in Japan time.
DATETIME_FORMAT = "Y-m-d H:i"
DATE_FORMAT = "Y-m-d"


def format_moment(value: dt.date) -> str:
    """A datetime in the current time zone (Asia/Tokyo) as 2026-12-07 18:37, a date as 2026-12-07."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, DATETIME_FORMAT)
    return date_format(value, DATE_FORMAT)


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
        value = format_moment(value)  # str() of a datetime would be UTC with microseconds
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
    return format_html('<a href="?{}">{}{}</a>', qs, column.label, arrow)


@register.filter
def field_value(obj: Any, path: str) -> Any:
    return resolve(obj, path)


@register.simple_tag
def verbose_name(obj: Any, name: str) -> str:
    """The translated label of a model field (or of a method with a `short_description`)."""
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - not a field: a computed value
        from django.utils.translation import gettext

        return gettext(LABELS.get(name, name))


LABELS = {"state_label": "state"}
