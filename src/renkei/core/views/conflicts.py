"""The edit forms' half of "no lost edits" (core.concurrency): the hidden `version` field and the
conflict page a stale submit gets.

The page compares, field by field, what the person submitted with what is saved now, in the form's
own labels and display values (choice labels, names, dates in Japan time; never stored codes), says
who saved last and when, and offers two ways on: reload the saved version (theirs is discarded) or
apply theirs over it (the same values posted again with the current version). Nothing is saved
until they choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from auditlog.models import LogEntry
from django import forms
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from renkei.core.audit import describe_actor
from renkei.core.concurrency import VERSION_FIELD, StaleEdit, check_current, current_version, expect_version
from renkei.core.models import Versioned

EMPTY = "—"


def is_versioned(instance: Any) -> bool:
    return isinstance(instance, Versioned) and instance.pk is not None


def add_version_field(form: forms.BaseForm, instance: Any) -> None:
    """Carry the loaded version in a hidden field (only when editing a versioned record)."""
    if not is_versioned(instance) or VERSION_FIELD in form.fields:
        return
    form.fields[VERSION_FIELD] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    if not form.is_bound:
        form.initial[VERSION_FIELD] = current_version(instance)


def posted_version(form: forms.BaseForm) -> int | None:
    """The version the form was loaded with; `None` for a form posted without it (an old page)."""
    value = form.cleaned_data.get(VERSION_FIELD) if hasattr(form, "cleaned_data") else None
    return int(value) if value else None


def prepare_save(form: forms.BaseForm, instance: Any) -> None:
    """Before the service saves: refuse now if the record already moved on, and make the save itself
    refuse if it moves on meanwhile (the conditional UPDATE in core.concurrency)."""
    if not is_versioned(instance):
        return
    version = posted_version(form)
    check_current(instance, version)
    expect_version(instance, version)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    mine: str
    theirs: str


def display(field: forms.Field, value: Any) -> str:
    """A value as a person reads it in this form: the choice's label, the object's name, a date."""
    if value in (None, "", [], ()):
        return EMPTY
    if isinstance(field, forms.ModelMultipleChoiceField):
        objects = value if isinstance(value, list | tuple | models.QuerySet) else [value]
        pks = [getattr(o, "pk", o) for o in objects]
        model = field.queryset.model  # type: ignore[union-attr]
        return ", ".join(sorted(str(o) for o in model._default_manager.filter(pk__in=pks))) or EMPTY
    if isinstance(field, forms.ModelChoiceField):
        if isinstance(value, models.Model):
            return str(value)
        obj = field.queryset.model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(obj) if obj is not None else EMPTY
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in _flat_choices(field.choices)}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or EMPTY
    return str(value)


def _flat_choices(choices: Any) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            out.extend(label)
        else:
            out.append((key, label))
    return out


def conflict_rows(form: forms.BaseForm, current: models.Model) -> list[ConflictRow]:
    """The fields where the submitted value and the saved one differ."""
    saved = model_to_dict(current)
    rows = []
    for name, field in form.fields.items():
        if name == VERSION_FIELD or isinstance(field.widget, forms.HiddenInput) or name not in form.cleaned_data:
            continue
        mine = display(field, form.cleaned_data.get(name))
        # A field that is not a model field (an organisation's tag names) shows its initial value,
        # which the form built from the row the view loaded on this submit.
        theirs = display(field, saved[name] if name in saved else form.get_initial_for_field(field, name))
        if mine != theirs:
            rows.append(ConflictRow(label=str(field.label or name), mine=mine, theirs=theirs))
    return rows


def last_change(current: models.Model) -> tuple[str, Any]:
    """Who saved the record last and when (from the audit trail, else its `updated_at`)."""
    entry = LogEntry.objects.get_for_object(current).order_by("-timestamp", "-pk").first()
    if entry is not None:
        return describe_actor(entry), entry.timestamp
    return "", getattr(current, "updated_at", None)


def resubmit_fields(request: HttpRequest, version: int) -> list[tuple[str, str]]:
    """The person's submitted values, to post again with the current version ("apply mine")."""
    out = [(name, value) for name, values in request.POST.lists() for value in values
           if name not in {"csrfmiddlewaretoken", VERSION_FIELD}]
    out.append((VERSION_FIELD, str(version)))
    return out


def render_conflict(
    request: HttpRequest, *, form: forms.BaseForm, error: StaleEdit, title: Any, cancel_url: str
) -> HttpResponse:
    current = error.current
    who, when = last_change(current)
    return render(
        request,
        "core/edit_conflict.html",
        {
            "title": title,
            "object": current,
            "rows": conflict_rows(form, current),
            "who": who,
            "when": when,
            "reload_url": request.get_full_path(),
            "resubmit": resubmit_fields(request, current_version(current)),
            "had_files": bool(request.FILES),
            "cancel_url": cancel_url,
        },
        status=409,
    )
