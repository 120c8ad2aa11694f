"""Follow-up items across all parties: the overdue list, adding one by hand (optionally from a
party or an assessment), editing, the thread with the party and deleting."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from renkei.assessments.followups import forms as followup_forms
from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import CLOSED_FOLLOW_UP_STATUSES, Assignment, FollowUp, FollowUpStatus
from renkei.assessments.views import (
    StaffActionView,
    StaffDeleteView,
    StaffDetailView,
    StaffEditView,
    StaffListView,
)
from renkei.core.permissions import visible
from renkei.core.search import search_condition
from renkei.core.views.objects import Column
from renkei.software.findings.views import FindingRequestResponseView
from renkei.software.models import Finding


def followup_queryset() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("organisation", "owner_user", "assignment__framework", "question", "group_company")


def filter_status(qs: QuerySet[FollowUp], status: str, today: Any = None) -> QuerySet[FollowUp]:
    """Open (the default), overdue, closed, all, or one stored status."""
    today = today or timezone.localdate()
    if status == "all":
        return qs
    if status == "closed":
        return qs.filter(status__in=CLOSED_FOLLOW_UP_STATUSES)
    if status == "overdue":
        return qs.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES).filter(due_date__lt=today)
    if status in FollowUpStatus.values:
        return qs.filter(status=status)
    return qs.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES)


class FollowUpListView(StaffListView):
    model = FollowUp
    template_name = "assessments/followup_list.html"
    title = gettext_lazy("Follow-up items")
    columns = [
        Column("title", gettext_lazy("title"), link=True, sort="title"),
        Column("organisation", gettext_lazy("party"), sort="organisation__name"),
        Column("severity", gettext_lazy("severity"), sort="severity"),
        Column("owner", pgettext_lazy("follow-up", "owner"), sort="owner"),
        Column("due_date", gettext_lazy("due date"), sort="due_date"),
        Column("status", gettext_lazy("status"), sort="status"),
    ]
    search_fields = ("title", "description", "organisation__name")
    filter_form_class = followup_forms.FollowUpFilterForm
    filter_lookups = {"severity": "severity"}
    default_sort = "due_date"
    create_url_name = "assessments:followup_create"

    def base_queryset(self) -> QuerySet[FollowUp]:
        return FollowUp.objects.select_related("organisation", "owner_user")

    def filter_status(self, qs: QuerySet[FollowUp], value: str) -> QuerySet[FollowUp]:
        return qs  # applied in get_queryset, so that open items are the default

    def filter_owner(self, qs: QuerySet[FollowUp], value: str) -> QuerySet[FollowUp]:
        if value == "mine":
            return qs.filter(owner_user_id=self.request.user.pk)
        return qs.filter(owner=value)

    def filter_party(self, qs: QuerySet[FollowUp], value: str) -> QuerySet[FollowUp]:
        value = value.strip()
        if value.isdigit():
            return qs.filter(organisation_id=int(value))
        return qs.filter(search_condition(("organisation__search_text",), value))

    def get_queryset(self) -> QuerySet[FollowUp]:
        form = self.get_filter_form()
        status = form.cleaned_data.get("status", "") if form is not None and form.is_valid() else ""
        return filter_status(super().get_queryset(), status or "")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["overdue_count"] = filter_status(visible(FollowUp.objects.all(), self.request.user), "overdue").count()
        ctx["today"] = timezone.localdate()
        return ctx


class FollowUpEditView(StaffEditView):
    model = FollowUp
    form_class = followup_forms.FollowUpForm
    title_create = gettext_lazy("Add a follow-up item")
    title_update = gettext_lazy("Edit follow-up item")

    def base_queryset(self) -> QuerySet[FollowUp]:
        return followup_queryset()

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        assignment_id = initial.get("assignment")
        if assignment_id and str(assignment_id).isdigit() and not initial.get("organisation"):
            assignment = visible(Assignment.objects.all(), self.request.user).filter(pk=assignment_id).first()
            if assignment is not None:
                initial["organisation"] = assignment.organisation_id
        initial.setdefault("due_date", followup_services.default_due("medium"))
        return initial

    def save(self, *, form: Any, instance: Any) -> Any:
        return followup_services.followup_save(user=self.request.user, follow_up=instance)


class FollowUpDetailView(StaffDetailView):
    model = FollowUp
    template_name = "assessments/followup_detail.html"

    def base_queryset(self) -> QuerySet[FollowUp]:
        return followup_queryset()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        follow_up: FollowUp = self.object
        ctx.update(
            {
                "title": follow_up.title,
                "thread": follow_up.messages.select_related("author").order_by("created_at", "pk"),
                "message_form": followup_forms.FollowUpMessageForm(),
            }
        )
        return ctx


class FollowUpMessageView(StaffActionView):
    """A message to the party in the item's thread, optionally changing the status."""

    model = FollowUp
    form_class = followup_forms.FollowUpMessageForm
    success_message = gettext_lazy("Message added.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return followup_services.followup_message_add(
            follow_up=obj, body=data.get("body") or "", user=self.request.user, status=data.get("status") or None
        )

    def redirect_url(self, obj: Any) -> str:
        return f"{obj.get_absolute_url()}#thread"


class FollowUpFromFindingView(FindingRequestResponseView):
    """POST from a software finding's "ask the supplier to respond" page: ask, and track the response
    as a follow-up item, in one service (`followup_request_software_response`); back to the finding."""

    http_method_names = ["post"]

    def request_response(self, finding: Finding) -> str:
        follow_up = followup_services.followup_request_software_response(user=self.request.user, finding=finding)
        return _("The supplier was asked to respond; the follow-up item “{title}” tracks the response.").format(
            title=follow_up.title
        )


class FollowUpDeleteView(StaffDeleteView):
    model = FollowUp
    success_url_name = "assessments:followup_list"

    def delete(self, *, instance: Any) -> None:
        followup_services.followup_delete(user=self.request.user, follow_up=instance)
