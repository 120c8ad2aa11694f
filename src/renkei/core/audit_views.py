"""The audit trail: per object for anyone who may see the object, searchable for administrators."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from renkei.core.audit import describe_actor
from renkei.core.permissions import Action, get_visible_or_404
from renkei.core.views import RenkeiViewMixin

AUDITED_APPS = ("registry", "accounts")
ACTION_LABELS = {0: _("created"), 1: _("changed"), 2: _("deleted"), 3: _("accessed")}


def entry_rows(entries: QuerySet[LogEntry]) -> list[dict[str, Any]]:
    rows = []
    for e in entries:
        changes = e.changes_dict if isinstance(e.changes_dict, dict) else {}
        rows.append(
            {
                "entry": e,
                "who": describe_actor(e),
                "action": ACTION_LABELS.get(e.action, e.action),
                "changes": [
                    {"field": name, "before": vals[0] if len(vals) > 0 else "", "after": vals[1] if len(vals) > 1 else ""}
                    for name, vals in changes.items()
                    if isinstance(vals, list | tuple)
                ],
            }
        )
    return rows


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
    return render(request, "core/audit_object.html", {"object": obj, "rows": entry_rows(entries[:500])})


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
        choices = [("", "—")] + [(str(ct.pk), ct.model) for ct in cts]
        self.fields["model"].choices = choices  # type: ignore[attr-defined]


class AuditListView(RenkeiViewMixin, ListView):
    """Every change, searchable by text, who, type, action and date (administrators only)."""

    permission_action = Action.VIEW_AUDIT
    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[LogEntry]:
        qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(object_repr__icontains=q)
                | Q(actor__username__icontains=q)
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
                "rows": entry_rows(ctx["object_list"]),
                "filter_form": self.filter_form,
                "query": self.request.GET.get("q", ""),
                "querystring": params.urlencode(),
                "title": _("Audit trail"),
            }
        )
        return ctx
