"""Setup pages of incident response: response roles, reply templates, playbooks and drills."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404
from renkei.core.views.actions import ChildDeleteView, ChildEditView, ConfirmView
from renkei.core.views.objects import (
    BackToListMixin,
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from renkei.incidents import forms, services
from renkei.incidents.models import (
    Playbook,
    PlaybookStep,
    PlaybookTask,
    ReplyTemplate,
    ResponseRole,
)
from renkei.incidents.views import READ, VIA, WRITE, IncidentsAccess

# --- response roles, reply templates, playbooks -------------------------------------------------------------


class RoleListView(IncidentsAccess, ObjectListView):
    model = ResponseRole
    title = gettext_lazy("Response roles")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("kind", gettext_lazy("kind"), sort="kind"),
        Column("organisation_name", gettext_lazy("organisation")),
        Column("department", gettext_lazy("department")),
        Column("email", gettext_lazy("e-mail")),
        Column("phone", gettext_lazy("phone")),
        Column("escalation_level", gettext_lazy("escalation level"), sort="escalation_level"),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("name", "organisation_name", "department", "email", "notes")
    default_sort = "kind"
    create_url_name = "incidents:role_create"

    def base_queryset(self) -> QuerySet[ResponseRole]:
        return ResponseRole.objects.select_related("group_company")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if ctx["can_change"]:
            ctx["extra_actions"] = [(reverse("incidents:roles_seed"), _("Register public bodies"))]
        return ctx


class RoleEditView(BackToListMixin, IncidentsAccess, ObjectEditView):
    list_url_name = "incidents:role_list"
    model = ResponseRole
    form_class = forms.ResponseRoleForm
    title_create = gettext_lazy("Add response role")
    title_update = gettext_lazy("Edit response role")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.response_role_save(user=self.request.user, role=instance)


class RoleDeleteView(IncidentsAccess, ObjectDeleteView):
    model = ResponseRole
    success_url_name = "incidents:role_list"

    def delete(self, *, instance: Any) -> None:
        services.response_role_delete(user=self.request.user, role=instance)


class RolesSeedView(IncidentsAccess, ConfirmView):
    cancel_url_name = "incidents:incident_list"
    title = gettext_lazy("Register public bodies")
    explanation = gettext_lazy(
        "Adds the PPC, IPA, JPCERT/CC and the police cyber desk to the own company's response roles, "
        "where they are missing. Check their contact details afterwards."
    )
    button = gettext_lazy("Register")

    def run(self, target: Any, data: dict[str, Any]) -> str:
        created = services.response_roles_seed_defaults(user=self.request.user)
        messages.success(self.request, _("{n} public bodies registered.").format(n=len(created)))
        return reverse("incidents:role_list")


class ReplyTemplateListView(IncidentsAccess, ObjectListView):
    model = ReplyTemplate
    title = gettext_lazy("Reply templates")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("name", "body")
    default_sort = "name"
    create_url_name = "incidents:reply_template_create"

    def base_queryset(self) -> QuerySet[ReplyTemplate]:
        return ReplyTemplate.objects.select_related("group_company")


class ReplyTemplateEditView(BackToListMixin, IncidentsAccess, ObjectEditView):
    list_url_name = "incidents:reply_template_list"
    model = ReplyTemplate
    form_class = forms.ReplyTemplateForm
    title_create = gettext_lazy("Add reply template")
    title_update = gettext_lazy("Edit reply template")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.reply_template_save(user=self.request.user, template=instance)


class ReplyTemplateDeleteView(IncidentsAccess, ObjectDeleteView):
    model = ReplyTemplate
    success_url_name = "incidents:reply_template_list"

    def delete(self, *, instance: Any) -> None:
        services.reply_template_delete(user=self.request.user, template=instance)


class PlaybookListView(IncidentsAccess, ObjectListView):
    model = Playbook
    title = gettext_lazy("Playbooks")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("is_default", gettext_lazy("default")),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("name", "description")
    default_sort = "name"
    create_url_name = "incidents:playbook_create"

    def base_queryset(self) -> QuerySet[Playbook]:
        return Playbook.objects.select_related("group_company")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if ctx["can_change"]:
            ctx["extra_actions"] = [(reverse("incidents:playbook_default"), _("Create the standard flow"))]
        return ctx


class PlaybookDetailView(ObjectDetailView):
    model = Playbook
    permission_action = READ
    change_action = WRITE
    template_name = "incidents/playbook_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.object.name
        ctx["steps"] = self.object.steps.prefetch_related("tasks").order_by("order", "pk")
        return ctx


class PlaybookEditView(IncidentsAccess, ObjectEditView):
    model = Playbook
    form_class = forms.PlaybookForm
    title_create = gettext_lazy("Add playbook")
    title_update = gettext_lazy("Edit playbook")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.playbook_save(user=self.request.user, playbook=instance)


class PlaybookDeleteView(IncidentsAccess, ObjectDeleteView):
    model = Playbook
    success_url_name = "incidents:playbook_list"

    def delete(self, *, instance: Any) -> None:
        services.playbook_delete(user=self.request.user, playbook=instance)


class PlaybookDefaultView(IncidentsAccess, ConfirmView):
    cancel_url_name = "incidents:incident_list"
    title = gettext_lazy("Create the standard flow")
    explanation = gettext_lazy(
        "Creates the standard five-step flow (発見報告 → 初動 → 調査・対応 → 復旧 → 最終報告) as the default "
        "playbook of your company, unless it already has a default playbook."
    )
    button = gettext_lazy("Create")

    def run(self, target: Any, data: dict[str, Any]) -> str:
        from renkei.core.tenancy import default_group_company_id
        from renkei.registry.models import Organisation

        company_id = default_group_company_id(self.request.user)
        company = Organisation.objects.filter(pk=company_id).first() if company_id else None
        if company is None:
            raise RenkeiError(_("Register the own company first."))
        playbook = services.playbook_ensure_default(group_company=company, user=self.request.user)
        return playbook.get_absolute_url()


class PlaybookDrillView(IncidentsAccess, ConfirmView):
    cancel_url_name = "incidents:incident_list"
    title = gettext_lazy("Start a drill")
    explanation = gettext_lazy(
        "Runs this playbook as a tabletop exercise: a drill incident with its tasks, kept apart from real "
        "incidents in every count and on the dashboard. Write the after-action note when it is done."
    )
    button = gettext_lazy("Start drill")
    form_class = forms.DrillForm

    def target(self) -> Any:
        return get_visible_or_404(Playbook.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        incident = services.drill_start(user=self.request.user, playbook=target, title=data.get("title") or "", via=VIA)
        return incident.get_absolute_url()


class StepEditView(IncidentsAccess, ChildEditView):
    model = PlaybookStep
    parent_model = Playbook
    parent_field = "playbook"
    form_class = forms.PlaybookStepForm
    title_create = gettext_lazy("Add step")
    title_update = gettext_lazy("Edit step")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.playbook_step_save(user=self.request.user, step=instance)


class StepDeleteView(IncidentsAccess, ChildDeleteView):
    model = PlaybookStep

    def delete(self, *, instance: Any) -> None:
        services.playbook_step_delete(user=self.request.user, step=instance)


class PlaybookTaskEditView(IncidentsAccess, ChildEditView):
    model = PlaybookTask
    parent_model = PlaybookStep
    parent_field = "step"
    form_class = forms.PlaybookTaskForm
    title_create = gettext_lazy("Add task")
    title_update = gettext_lazy("Edit task")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.playbook_task_save(user=self.request.user, task=instance)


class PlaybookTaskDeleteView(IncidentsAccess, ChildDeleteView):
    model = PlaybookTask

    def delete(self, *, instance: Any) -> None:
        services.playbook_task_delete(user=self.request.user, task=instance)
