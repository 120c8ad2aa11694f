"""Incident pages. The list is visible to every role (scoped); everything else needs
`VIEW_INCIDENTS`, and every write `CHANGE_INCIDENTS`. Objects outside the user's
group companies answer 404 (through `permissions.visible`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet, Sum
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import limit_mb, request_too_large, request_too_large_message
from renkei.core.permissions import Action, can, get_visible_or_404
from renkei.core.views.actions import ActionView, ChildDeleteView, ChildEditView, ConfirmView
from renkei.core.views.objects import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RenkeiViewMixin,
)
from renkei.incidents.leaks import selectors as leak_selectors
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS
from renkei.incidents.response import (
    asset_proposals,
    forms,
    notification_services,
    selectors,
    services,
    timeline,
)
from renkei.incidents.response.models import (
    Attachment,
    CostEntry,
    CostKind,
    Incident,
    IncidentAsset,
    IncidentTask,
    Inquiry,
    NotificationEntry,
)

READ = VIEW_INCIDENTS
WRITE = CHANGE_INCIDENTS
VIA = "web"


class IncidentsAccess:
    """Incident pages are seen with `incidents.view` and written with `incidents.change`
    (put first in a view's bases, before the core generic view)."""

    permission_action = READ
    change_action = WRITE


def incident_queryset() -> QuerySet[Incident]:
    return Incident.objects.select_related("group_company", "principal", "appi_decided_by")


# --- incidents ----------------------------------------------------------------------------------------


class IncidentListView(IncidentsAccess, ObjectListView):
    """Every role sees the list of its companies' incidents (details need VIEW_INCIDENTS)."""

    model = Incident
    permission_action = Action.VIEW
    title = gettext_lazy("Incidents")
    columns = [
        Column("title", gettext_lazy("title"), link=True, sort="title"),
        Column("status", gettext_lazy("status"), sort="status"),
        Column("severity", gettext_lazy("severity"), sort="severity"),
        Column("category", gettext_lazy("category"), sort="category"),
        Column("learned_at", gettext_lazy("learned at"), sort="learned_at"),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("search_text",)
    filter_form_class = forms.IncidentFilterForm
    filter_lookups = {"status": "status", "severity": "severity"}
    default_sort = "-learned_at"
    create_url_name = "incidents:incident_create"

    def base_queryset(self) -> QuerySet[Incident]:
        return Incident.objects.select_related("group_company")

    def filter_show(self, qs: QuerySet[Incident], value: str) -> QuerySet[Incident]:
        return qs  # applied in get_queryset, so that real incidents are the default

    def get_queryset(self) -> QuerySet[Incident]:
        drills = self.request.GET.get("show") == "drills"
        return super().get_queryset().filter(is_drill=drills)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if self.request.GET.get("show") == "drills":
            ctx["title"] = _("Drills")
        if can(self.request.user, READ):
            ctx["extra_actions"] = [
                (reverse("incidents:intake_list"), _("Intake")),
                (reverse("incidents:dataset_list"), _("Shared datasets")),
                (reverse("incidents:playbook_list"), _("Playbooks")),
                (reverse("incidents:role_list"), _("Response roles")),
                (reverse("incidents:reply_template_list"), _("Reply templates")),
                (reverse("incidents:incident_list") + "?show=drills", _("Drills")),
            ]
        return ctx


class IncidentDetailView(ObjectDetailView):
    model = Incident
    permission_action = READ
    change_action = WRITE
    template_name = "incidents/incident_detail.html"

    def base_queryset(self) -> QuerySet[Incident]:
        return incident_queryset().prefetch_related("parties")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        incident: Incident = self.object
        ctx.update(
            {
                "title": incident.title,
                "appi": selectors.appi_panel(incident),
                "assets": incident.assets.select_related("asset"),
                "attachments": incident.attachments.select_related("uploaded_by").prefetch_related("traces"),
                "trace_evidence": leak_selectors.evidence_for(incident),
                "timeline": incident.timeline.select_related("author"),
                "task_counts": incident.tasks.aggregate(
                    total=Count("pk"),
                    done=Count("pk", filter=Q(status="done")),
                    overdue=Count("pk", filter=Q(due_at__lt=timezone.now()) & ~Q(status="done")),
                ),
                "notification_counts": incident.notifications.aggregate(
                    total=Count("pk"), pending=Count("pk", filter=Q(status="pending"))
                ),
                "status_form": forms.StatusForm(initial={"status": incident.status}),
                "timeline_form": forms.TimelineForm(),
                "attachment_form": forms.AttachmentForm(),
                "max_upload_mb": limit_mb(),
            }
        )
        return ctx


class IncidentCreateView(IncidentsAccess, ObjectEditView):
    model = Incident
    form_class = forms.IncidentOpenForm
    title_create = gettext_lazy("Open an incident")

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial.setdefault("learned_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        return initial

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.incident_open(
            user=self.request.user,
            incident=instance,
            parties=form.cleaned_data.get("parties") or [],
            playbook=form.cleaned_data.get("playbook"),
            via=VIA,
        )


class IncidentUpdateView(IncidentsAccess, ObjectEditView):
    model = Incident
    form_class = forms.IncidentForm
    title_update = gettext_lazy("Edit incident")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.incident_update(
            user=self.request.user, incident=instance, parties=form.cleaned_data.get("parties") or [], via=VIA
        )


class IncidentAppiView(IncidentsAccess, ObjectEditView):
    model = Incident
    form_class = forms.AppiForm
    title_update = gettext_lazy("Personal-information assessment (APPI)")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.incident_update(user=self.request.user, incident=instance, via=VIA)


class IncidentDeleteView(IncidentsAccess, ObjectDeleteView):
    model = Incident
    success_url_name = "incidents:incident_list"

    def delete(self, *, instance: Any) -> None:
        services.incident_delete(user=self.request.user, incident=instance)


class IncidentStatusView(IncidentsAccess, ActionView):
    model = Incident
    form_class = forms.StatusForm
    success_message = gettext_lazy("Status changed.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.incident_set_status(
            user=self.request.user, incident=obj, status=data["status"], note=data.get("note") or "", via=VIA
        )


class TimelineAddView(IncidentsAccess, ActionView):
    model = Incident
    form_class = forms.TimelineForm
    success_message = gettext_lazy("Added to the timeline.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return timeline.timeline_add(user=self.request.user, incident=obj, text=data["text"], at=data.get("at"), via=VIA)


class PersonsConfirmView(IncidentsAccess, ActionView):
    """Confirm the persons count proposed from the affected assets (it answers the >1,000 question)."""

    model = Incident
    form_class = forms.PersonsConfirmForm
    success_message = gettext_lazy("Number of persons confirmed.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.incident_persons_confirm(user=self.request.user, incident=obj, persons=data["persons"], via=VIA)


class AssetsPrefillView(IncidentsAccess, ConfirmView):
    """The assets the registry proposes for the involved parties (what they hold); the user ticks
    each one to add (`asset_proposals`)."""

    template_name = "incidents/asset_proposals.html"
    title = gettext_lazy("Affected assets from the registry")
    button = gettext_lazy("Add the ticked assets")

    def target(self) -> Any:
        return get_visible_or_404(incident_queryset(), self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.target()
        proposals = asset_proposals.asset_proposals(incident)
        return self._page(incident, proposals, forms.AssetProposalsForm(proposals=proposals))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.target()
        proposals = asset_proposals.asset_proposals(incident)
        form = forms.AssetProposalsForm(request.POST, proposals=proposals)
        if not form.is_valid():
            return self._page(incident, proposals, form, status=400)
        try:
            items = asset_proposals.incident_assets_confirm(
                user=request.user, incident=incident, asset_ids=form.cleaned_data["asset_ids"], via=VIA
            )
        except RenkeiError as exc:
            return self._page(incident, proposals, form, status=exc.status, error=str(exc))
        messages.success(request, _("{n} assets added from the registry.").format(n=len(items)))
        return HttpResponseRedirect(incident.get_absolute_url())

    def _page(self, incident: Any, proposals: list[Any], form: Any, status: int = 200, error: str = "") -> HttpResponse:
        context = {
            "title": self.title,
            "button": self.button,
            "object": incident,
            "incident": incident,
            "form": form,
            "error": error,
            "proposals": proposals,
            "ticked": {int(v) for v in (form["asset_ids"].value() or [])},
            "cancel_url": incident.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)


class PlanGenerateView(IncidentsAccess, ActionView):
    model = Incident
    success_message = gettext_lazy("Notification plan generated.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return notification_services.notification_plan_generate(user=self.request.user, incident=obj, via=VIA)

    def redirect_url(self, obj: Any) -> str:
        return reverse("incidents:incident_notifications", args=[obj.pk])


class TaskMoveView(IncidentsAccess, ActionView):
    model = IncidentTask
    form_class = forms.TaskMoveForm

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.task_set_status(user=self.request.user, task=obj, status=data["status"], via=VIA)


# --- pages hanging off one incident ----------------------------------------------------------------------


class IncidentPageView(RenkeiViewMixin, TemplateView):
    """A read page of one incident (tasks, inquiries, costs, notifications)."""

    permission_action = READ

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        incident = get_visible_or_404(incident_queryset(), self.request.user, pk=self.kwargs["pk"])
        ctx.update({"incident": incident, "object": incident, "can_change": can(self.request.user, WRITE)})
        ctx.update(self.page_context(incident))
        return ctx

    def page_context(self, incident: Incident) -> dict[str, Any]:
        return {}


class TaskBoardView(IncidentPageView):
    template_name = "incidents/task_board.html"

    def page_context(self, incident: Incident) -> dict[str, Any]:
        return {
            "title": _("Task board"),
            "columns": selectors.task_board(incident),
            "clock": selectors.clock_for(incident),
        }


class InquiriesView(IncidentPageView):
    template_name = "incidents/inquiries.html"

    def page_context(self, incident: Incident) -> dict[str, Any]:
        return {"title": _("Inquiries"), "inquiries": incident.inquiries.all()}


class CostsView(IncidentPageView):
    template_name = "incidents/costs.html"

    def page_context(self, incident: Incident) -> dict[str, Any]:
        totals = dict(incident.costs.values_list("kind").annotate(total=Sum("amount")).order_by())
        return {
            "title": _("Costs and compensation"),
            "costs": incident.costs.select_related("party"),
            "totals": [(label, totals.get(kind, 0)) for kind, label in CostKind.choices],
        }


class NotificationsView(IncidentPageView):
    template_name = "incidents/notifications.html"

    def page_context(self, incident: Incident) -> dict[str, Any]:
        now = timezone.now()
        entries = list(incident.notifications.select_related("organisation", "role"))
        clock = selectors.clock_for(incident)
        rows = [
            {
                "entry": e,
                # An entry edited by hand keeps its date; say what the clock says when it differs.
                "clock_due": selectors.clock_differs(e, clock),
                "overdue": e.deadline is not None and e.deadline < now and e.status == "pending",
                "left": selectors.countdown_text(selectors.appi.time_left(deadline=e.deadline, now=now))
                if e.deadline and e.status == "pending"
                else "",
            }
            for e in entries
        ]
        return {"title": _("Notification plan"), "rows": rows, "appi": selectors.appi_panel(incident, now=now)}


class IncidentAssetEditView(IncidentsAccess, ChildEditView):
    parent_model = Incident
    parent_field = "incident"
    model = IncidentAsset
    form_class = forms.IncidentAssetForm
    title_create = gettext_lazy("Add affected asset")
    title_update = gettext_lazy("Edit affected asset")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.incident_asset_save(user=self.request.user, item=instance, via=VIA)


class IncidentAssetDeleteView(IncidentsAccess, ChildDeleteView):
    model = IncidentAsset

    def delete(self, *, instance: Any) -> None:
        services.incident_asset_delete(user=self.request.user, item=instance, via=VIA)


class TaskEditView(IncidentsAccess, ChildEditView):
    parent_model = Incident
    parent_field = "incident"
    model = IncidentTask
    form_class = forms.TaskForm
    title_create = gettext_lazy("Add task")
    title_update = gettext_lazy("Edit task")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.task_save(user=self.request.user, task=instance, via=VIA)


class TaskDeleteView(IncidentsAccess, ChildDeleteView):
    model = IncidentTask

    def delete(self, *, instance: Any) -> None:
        services.task_delete(user=self.request.user, task=instance, via=VIA)


class InquiryEditView(IncidentsAccess, ChildEditView):
    parent_model = Incident
    parent_field = "incident"
    model = Inquiry
    form_class = forms.InquiryForm
    title_create = gettext_lazy("Log inquiry")
    title_update = gettext_lazy("Edit inquiry")

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial.setdefault("received_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        return initial

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.inquiry_save(user=self.request.user, inquiry=instance, via=VIA)


class InquiryDeleteView(IncidentsAccess, ChildDeleteView):
    model = Inquiry

    def delete(self, *, instance: Any) -> None:
        services.inquiry_delete(user=self.request.user, inquiry=instance, via=VIA)


class CostEditView(IncidentsAccess, ChildEditView):
    parent_model = Incident
    parent_field = "incident"
    model = CostEntry
    form_class = forms.CostForm
    title_create = gettext_lazy("Record cost or compensation")
    title_update = gettext_lazy("Edit cost or compensation")

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial.setdefault("date", timezone.localdate().isoformat())
        return initial

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.cost_save(user=self.request.user, cost=instance, via=VIA)


class CostDeleteView(IncidentsAccess, ChildDeleteView):
    model = CostEntry

    def delete(self, *, instance: Any) -> None:
        services.cost_delete(user=self.request.user, cost=instance, via=VIA)


class NotificationEditView(IncidentsAccess, ChildEditView):
    parent_model = Incident
    parent_field = "incident"
    model = NotificationEntry
    form_class = forms.NotificationForm
    title_create = gettext_lazy("Add notification")
    title_update = gettext_lazy("Edit notification")

    def save(self, *, form: Any, instance: Any) -> Any:
        return notification_services.notification_save(user=self.request.user, entry=instance, via=VIA)


class NotificationDeleteView(IncidentsAccess, ChildDeleteView):
    model = NotificationEntry

    def delete(self, *, instance: Any) -> None:
        notification_services.notification_delete(user=self.request.user, entry=instance, via=VIA)


class AttachmentCreateView(RenkeiViewMixin, View):
    """Upload a file to an incident (size-limited before the body is read)."""

    permission_action = WRITE
    template_name = "core/object_edit.html"

    def incident(self) -> Incident:
        return get_visible_or_404(incident_queryset(), self.request.user, pk=self.kwargs["parent_pk"])

    def render_form(self, incident: Incident, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "title": _("Attach a file · {incident}").format(incident=incident),
            "cancel_url": incident.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(self.incident(), forms.AttachmentForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.incident()
        if request_too_large(request):
            error = request_too_large_message()
            return render(request, "core/error.html", {"error": error}, status=413)
        form = forms.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(user=request.user, incident=incident, upload=form.cleaned_data["file"], via=VIA)
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("File attached."))
                return HttpResponseRedirect(incident.get_absolute_url())
        return self.render_form(incident, form, status=400)


class AttachmentDownloadView(RenkeiViewMixin, View):
    permission_action = READ

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        attachment = get_visible_or_404(Attachment.objects.all(), request.user, pk=kwargs["pk"])
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


class AttachmentDeleteView(IncidentsAccess, ChildDeleteView):
    model = Attachment

    def delete(self, *, instance: Any) -> None:
        services.attachment_delete(user=self.request.user, attachment=instance, via=VIA)
