"""The audit trail: per object for anyone who may see the object, searchable for administrators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from renkei.core.audit import describe_actor
from renkei.core.display import show_date_short, show_datetime, show_number
from renkei.core.masking import OUT_OF_SCOPE_PARTY, names_in_scope
from renkei.core.permissions import Action, get_visible_or_404, visible
from renkei.core.tenancy import group_company_model, is_unrestricted
from renkei.core.views.objects import RenkeiViewMixin

AUDITED_APPS = ("registry", "accounts", "software", "assessments")
AUDITED_SCOPED_APPS = ("registry", "software", "assessments")
ACTION_LABELS = {0: _("created"), 1: _("changed"), 2: _("deleted"), 3: _("accessed")}


HIDDEN_FIELDS = {"created_at", "updated_at", "id"}


def _display_value(field: Any, value: Any) -> str:
    """A recorded value as the pages show it: the choice's label, a day or a Japan-time moment, a
    count with separators (the library records str() of the value: UTC, microseconds, enum codes)."""
    if value in (None, "None", ""):
        return ""
    choices = {str(k): v for k, v in (getattr(field, "choices", None) or [])}
    if choices:
        return str(choices.get(str(value), value))
    if value in ("True", True):
        return "✔"
    if value in ("False", False):
        return "—"
    text = str(value)
    if isinstance(field, models.FileField):
        return text.rsplit("/", 1)[-1]  # the file's name, not where the server keeps it
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(text)
        if moment is not None:
            return show_datetime(moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC))
    elif isinstance(field, models.DateField):
        day = parse_date(text)
        if day is not None:
            return show_date_short(day)
    elif isinstance(field, models.IntegerField | models.DecimalField) and not field.choices:
        return show_number(text)
    return text


def _change_rows(entry: LogEntry) -> list[dict[str, Any]]:
    """Field-by-field before → after, with translated field names and choice labels.

    Reverse relations that the library records on creation are left out; many-to-many changes
    (tags, group-company limits) show what was added or removed.
    """
    model = entry.content_type.model_class()
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    rows = []
    for name, values in changes.items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            continue
        if field is None or field.auto_created or getattr(field, "one_to_many", False) or name in HIDDEN_FIELDS:
            continue
        label = capfirst(str(getattr(field, "verbose_name", name)))
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(str(o) for o in values.get("objects", []))
            if values.get("operation") == "delete":
                rows.append({"field": label, "before": objects, "after": ""})
            else:
                rows.append({"field": label, "before": "", "after": objects})
            continue
        if not isinstance(values, list | tuple):
            continue
        before = values[0] if len(values) > 0 else ""
        after = values[1] if len(values) > 1 else ""
        row: dict[str, Any] = {"field": label, "before": _display_value(field, before), "after": _display_value(field, after)}
        if getattr(field, "related_model", None) is group_company_model():
            row["party"] = True  # the value is an organisation's name: masked outside the reader's scope
        rows.append(row)
    return rows


def _model_label(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    return capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model


def entry_rows(entries: Iterable[LogEntry], user: Any = None) -> list[dict[str, Any]]:
    """Rows of the audit table; for a user limited to some group companies, organisations outside
    them are not named (`core.masking`), neither in a changed reference nor in the record's name."""
    rows = [
        {
            "entry": e,
            "who": describe_actor(e),
            "action": ACTION_LABELS.get(e.action, e.action),
            "model": _model_label(e),
            "record": e.object_repr,
            "changes": _change_rows(e),
        }
        for e in entries
    ]
    if user is not None and not is_unrestricted(user):
        _mask_parties(rows, user)
    return rows


def _mask_parties(rows: list[dict[str, Any]], user: Any) -> None:
    changes = [c for row in rows for c in row["changes"] if c.get("party")]
    named = names_in_scope(user, [c[side] for c in changes for side in ("before", "after")])
    for change in changes:
        for side in ("before", "after"):
            if change[side] and change[side] not in named:
                change[side] = str(OUT_OF_SCOPE_PARTY)
    # A record whose name shows other records (a relationship names two parties) says how a user
    # may read it (`label_for`); the stored name is only shown for records without that.
    by_model: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        model = row["entry"].content_type.model_class()
        if model is not None and hasattr(model, "label_for"):
            by_model.setdefault(model, []).append(row)
    for model, model_rows in by_model.items():
        live = model._default_manager.in_bulk([r["entry"].object_id for r in model_rows if r["entry"].object_id])
        for row in model_rows:
            obj = live.get(row["entry"].object_id)
            row["record"] = obj.label_for(user) if obj is not None else f"#{row['entry'].object_pk}"


def scoped_entries(qs: QuerySet[LogEntry], user: Any) -> QuerySet[LogEntry]:
    """A limited administrator sees the history of the records they may see, and nothing else."""
    if is_unrestricted(user):
        return qs
    condition = Q(pk__in=[])
    for app_label in AUDITED_SCOPED_APPS:
        if not apps.is_installed(f"renkei.{app_label}"):
            continue
        for model in apps.get_app_config(app_label).get_models():
            if not hasattr(model, "group_company") and not hasattr(model, "scope_lookup"):
                continue
            ct = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=ct, object_id__in=visible(model._default_manager.all(), user).values("pk"))
    return qs.filter(condition)


def object_history(request: HttpRequest, model_name: str, pk: int) -> HttpResponse:
    """History of one object; the object must be visible to the user (else 404)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    model = None
    for app_label in AUDITED_APPS:
        try:
            model = apps.get_model(app_label, model_name)
            break
        except LookupError:
            continue
    if model is None or not hasattr(model, "group_company"):
        raise Http404
    obj = get_visible_or_404(model._default_manager.all(), request.user, pk=pk)
    ct = ContentType.objects.get_for_model(model)
    entries = LogEntry.objects.filter(content_type=ct, object_pk=str(pk)).select_related("actor").order_by("-timestamp")
    context = {"object": obj, "rows": entry_rows(entries[:500], request.user)}
    return render(request, "core/audit_object.html", context)


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("record type"), required=False)
    action = forms.ChoiceField(
        label=_("action"),
        required=False,
        choices=[("", "—"), ("0", _("created")), ("1", _("changed")), ("2", _("deleted"))],
    )
    date_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cts = ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("model")
        labels = [(str(ct.pk), capfirst(str(m._meta.verbose_name))) for ct in cts if (m := ct.model_class()) is not None]
        choices = [("", "—"), *sorted(labels, key=lambda c: c[1])]
        self.fields["model"].choices = choices  # type: ignore[attr-defined]


class AuditListView(RenkeiViewMixin, ListView):
    """Every change, searchable by text, who, type, action and date (administrators only)."""

    permission_action = Action.VIEW_AUDIT
    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[LogEntry]:
        qs = scoped_entries(
            LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp"), self.request.user
        )
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(object_repr__icontains=q)
                | Q(actor__username__icontains=q)
                | Q(actor__last_name__icontains=q)
                | Q(actor__first_name__icontains=q)
                | Q(additional_data__icontains=q)
                | Q(changes_text__icontains=q)
                | Q(changes__icontains=q)
            )
        self.filter_form = AuditFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["model"]:
                qs = qs.filter(content_type_id=int(data["model"]))
            if data["action"]:
                qs = qs.filter(action=int(data["action"]))
            if data["date_from"]:
                qs = qs.filter(timestamp__date__gte=data["date_from"])
            if data["date_to"]:
                qs = qs.filter(timestamp__date__lte=data["date_to"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            {
                "rows": entry_rows(ctx["object_list"], self.request.user),
                "filter_form": self.filter_form,
                "query": self.request.GET.get("q", ""),
                "querystring": params.urlencode(),
                "title": _("Audit trail"),
            }
        )
        return ctx
