"""Campaigns: one questionnaire sent to chosen parties, with a due date. The list, the form, the
page with the progress per party (polled while the worker launches), closing and deleting a draft.
Choosing the parties and launching are in `selection_views.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments.campaigns import forms as campaign_forms
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.campaigns.party_views import with_scores
from renkei.assessments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
)
from renkei.assessments.views import (
    READ,
    StaffConfirmView,
    StaffDeleteView,
    StaffDetailView,
    StaffEditView,
    StaffListView,
    is_htmx,
    paginate,
    querystring,
)
from renkei.core.permissions import get_visible_or_404
from renkei.core.views.objects import Column, RenkeiViewMixin

DONE_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACCEPTED)


def campaign_queryset() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("framework", "group_company")


def filter_assignments(qs: QuerySet[Assignment], status: str, today: Any = None) -> QuerySet[Assignment]:
    """Assignments in a status a person tracks: "overdue" (open past due), "open", or a stored
    status; a stored open status leaves out the overdue ones, as the status column shows them."""
    today = today or timezone.localdate()
    late = Q(status__in=OPEN_STATUSES, due_date__lt=today)
    if status == "overdue":
        return qs.filter(late)
    if status == "open":
        return qs.filter(status__in=OPEN_STATUSES)
    if status in AssignmentStatus.values:
        return qs.filter(status=status).exclude(late)
    return qs


class CampaignListView(StaffListView):
    model = Campaign
    template_name = "assessments/campaign_list.html"
    title = gettext_lazy("Campaigns")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("framework", gettext_lazy("framework")),
        Column("due_date", gettext_lazy("due date"), sort="due_date"),
        Column("status", gettext_lazy("status"), sort="status"),
    ]
    search_fields = ("name", "message")
    filter_form_class = campaign_forms.CampaignFilterForm
    filter_lookups = {"status": "status"}
    default_sort = "-created_at"
    create_url_name = "assessments:campaign_create"

    def base_queryset(self) -> QuerySet[Campaign]:
        today = timezone.localdate()
        return campaign_queryset().annotate(
            total=Count("assignments", distinct=True),
            done=Count("assignments", filter=Q(assignments__status__in=DONE_STATUSES), distinct=True),
            overdue=Count(
                "assignments", filter=Q(assignments__status__in=OPEN_STATUSES, assignments__due_date__lt=today), distinct=True
            ),
        )


class CampaignEditView(StaffEditView):
    model = Campaign
    form_class = campaign_forms.CampaignForm
    title_create = gettext_lazy("New campaign")
    title_update = gettext_lazy("Edit campaign")

    def base_queryset(self) -> QuerySet[Campaign]:
        return campaign_queryset()

    def save(self, *, form: Any, instance: Any) -> Any:
        return campaign_services.campaign_save(user=self.request.user, campaign=instance)


class CampaignDetailView(StaffDetailView):
    """Counts per status and, per party: status, answered / total, submitted, overall score."""

    model = Campaign
    template_name = "assessments/campaign_detail.html"

    def base_queryset(self) -> QuerySet[Campaign]:
        return campaign_queryset().select_related("launched_by", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        campaign: Campaign = self.object
        form = campaign_forms.CampaignAssignmentFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        assignments = filter_assignments(campaign.assignments.select_related("organisation"), data.get("status") or "")
        if data.get("party"):
            assignments = assignments.filter(organisation__name__icontains=data["party"])
        page = paginate(
            self.request,
            assignments.annotate(answered=Count("answers", filter=Q(answers__value__isnull=False))).order_by(
                "organisation__name", "pk"
            ),
        )
        for a in page.object_list:
            a.framework = campaign.framework  # one framework for the whole campaign: no query per row
        rows = with_scores(page.object_list)
        progress = campaign_selectors.campaign_progress(campaign)
        ctx.update(
            {
                "title": campaign.name,
                "progress": progress,
                "statuses": [
                    (value, label, progress.get(value, 0))
                    for value, label in [*AssignmentStatus.choices, ("overdue", _("Overdue"))]
                ],
                "party_count": campaign.parties.count(),
                "rows": rows,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "querystring": querystring(self.request, "page"),
                "filter_form": form,
                "question_total": campaign.framework.question_count,
                "is_draft": campaign.status == CampaignStatus.DRAFT,
            }
        )
        return ctx


class CampaignProgressView(RenkeiViewMixin, View):
    """The launch progress partial, polled by htmx every 2 s while the worker launches. When the
    launch is over, htmx reloads the whole page (the per-party table is then filled)."""

    permission_action = READ

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_visible_or_404(campaign_queryset(), request.user, pk=pk)
        response = render(request, "assessments/_campaign_progress.html", {"object": campaign})
        if is_htmx(request) and campaign.status != CampaignStatus.LAUNCHING and request.GET.get("polling"):
            response["HX-Refresh"] = "true"
        return response


# --- launch, close, delete -----------------------------------------------------------------------


class CampaignCloseView(StaffConfirmView):
    title = gettext_lazy("Close the campaign")
    explanation = gettext_lazy(
        "No more reminders are sent. The assessments keep their answers and status, and can still be reviewed."
    )
    button = gettext_lazy("Close")

    def target(self) -> Campaign:
        return get_visible_or_404(campaign_queryset(), self.request.user, pk=self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        campaign_services.campaign_close(user=self.request.user, campaign=target)
        messages.success(self.request, _("The campaign was closed."))
        return str(target.get_absolute_url())


class CampaignDeleteView(StaffDeleteView):
    model = Campaign
    success_url_name = "assessments:campaign_list"

    def delete(self, *, instance: Any) -> None:
        campaign_services.campaign_delete(user=self.request.user, campaign=instance)
