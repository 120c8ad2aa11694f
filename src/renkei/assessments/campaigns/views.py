"""Campaigns: one questionnaire sent to parties chosen by a filter, with a due date. The list, the
form, choosing the parties, the page with the progress per party (polled while the worker
launches), launching, closing and deleting a draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
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
    WRITE,
    StaffActionView,
    StaffConfirmView,
    StaffDeleteView,
    StaffDetailView,
    StaffEditView,
    StaffListView,
    is_htmx,
    paginate,
    querystring,
)
from renkei.core.display import show_date
from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, visible
from renkei.core.views.objects import Column, RenkeiViewMixin
from renkei.registry.models import OUR_KINDS, Organisation

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


# --- choosing the parties ------------------------------------------------------------------------


def candidate_parties(campaign: Campaign, user: Any) -> QuerySet[Organisation]:
    """Parties a campaign may go to: active, managed by its group company, not one of ours."""
    return visible(
        Organisation.objects.filter(group_company_id=campaign.group_company_id, status="active").exclude(kind__in=OUR_KINDS),
        user,
    )


def matching_parties(qs: QuerySet[Organisation], data: dict[str, Any]) -> tuple[QuerySet[Organisation], list[int] | None]:
    """Apply a party filter: the queryset, and when the required level or "due for reassessment"
    is asked for, the matching ids (those need computed values: evaluated in bulk, in Python)."""
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("criticality"):
        qs = qs.filter(criticality__in=data["criticality"])
    if data.get("tag"):
        qs = qs.filter(tags__name=data["tag"]).distinct()
    if data.get("tier_max") is not None:
        qs = qs.filter(tier__lte=data["tier_max"])
    qs = qs.order_by("name", "pk")
    if not data.get("level") and not data.get("due"):
        return qs, None
    rows = campaign_selectors.assurance_rows(list(qs.only("pk", "criticality", "group_company_id")))
    ids = [
        r.organisation.pk
        for r in rows
        if (not data.get("level") or r.level == data["level"]) and (not data.get("due") or r.overdue)
    ]
    return qs, ids


class CampaignPartiesView(RenkeiViewMixin, View):
    """Choose a draft campaign's parties by a filter: the count and a preview of the matches, then
    "use these N parties" (the filter is kept on the campaign); single parties can be removed."""

    permission_action = WRITE
    template_name = "assessments/campaign_parties.html"

    def get_campaign(self, request: HttpRequest, pk: int) -> Campaign:
        return get_visible_or_404(campaign_queryset(), request.user, pk=pk)

    def not_draft(self, campaign: Campaign) -> HttpResponse:
        messages.error(self.request, _("The parties of a launched campaign cannot change."))
        return HttpResponseRedirect(campaign.get_absolute_url())

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(request, pk)
        if campaign.status != CampaignStatus.DRAFT:
            return self.not_draft(campaign)
        if "filter" in request.GET:
            form = campaign_forms.CampaignPartiesForm(request.GET)
        else:
            form = campaign_forms.CampaignPartiesForm(initial=campaign.party_filter or {})
        return self.render_page(campaign, form)

    def render_page(self, campaign: Campaign, form: campaign_forms.CampaignPartiesForm, status: int = 200) -> HttpResponse:
        request = self.request
        preview: Any = None
        match_count = None
        if form.is_bound and form.is_valid():
            qs, ids = matching_parties(candidate_parties(campaign, request.user), form.cleaned_data)
            if ids is None:
                preview = paginate(request, qs.select_related("group_company"))
                match_count = preview.paginator.count
            else:
                preview = paginate(request, ids)
                by_id = Organisation.objects.in_bulk(list(preview.object_list))
                preview.object_list = [by_id[i] for i in preview.object_list if i in by_id]
                match_count = len(ids)
        chosen = paginate(request, campaign.parties.order_by("name", "pk"), param="cpage")
        context = {
            "title": _("Parties of the campaign"),
            "object": campaign,
            "campaign": campaign,
            "form": form,
            "preview": preview,
            "match_count": match_count,
            "chosen": chosen,
            "filter_querystring": querystring(request, "page", "cpage"),
            "chosen_querystring": querystring(request, "cpage"),
            "preview_querystring": querystring(request, "page"),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(request, pk)
        if campaign.status != CampaignStatus.DRAFT:
            return self.not_draft(campaign)
        form = campaign_forms.CampaignPartiesForm(request.POST)
        if not form.is_valid():
            return self.render_page(campaign, form, status=400)
        qs, ids = matching_parties(candidate_parties(campaign, request.user), form.cleaned_data)
        chosen = qs if ids is None else Organisation.objects.filter(pk__in=ids)
        try:
            campaign_services.campaign_set_parties(
                user=request.user, campaign=campaign, organisations=chosen, party_filter=form.as_filter()
            )
        except RenkeiError as exc:
            messages.error(request, str(exc))
            return self.render_page(campaign, form, status=exc.status)
        count = campaign.parties.count()
        messages.success(request, _("{n} parties chosen.").format(n=count))
        return HttpResponseRedirect(campaign.get_absolute_url())


class CampaignPartyRemoveView(StaffActionView):
    """Take one party out of a draft campaign (remembered in the filter, so a re-match keeps it out)."""

    model = Campaign

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        party = get_visible_or_404(obj.parties.all(), self.request.user, pk=self.kwargs["org_pk"])
        party_filter = dict(obj.party_filter or {})
        party_filter["removed"] = sorted({*party_filter.get("removed", []), party.pk})
        campaign_services.campaign_set_parties(
            user=self.request.user, campaign=obj, organisations=obj.parties.exclude(pk=party.pk), party_filter=party_filter
        )
        messages.success(self.request, _("{name} was removed from the campaign.").format(name=party.name))

    def redirect_url(self, obj: Any) -> str:
        return reverse("assessments:campaign_parties", args=[obj.pk])


# --- launch, close, delete -----------------------------------------------------------------------


class CampaignLaunchView(StaffConfirmView):
    title = gettext_lazy("Launch the campaign")
    button = gettext_lazy("Launch")

    def target(self) -> Campaign:
        return get_visible_or_404(campaign_queryset(), self.request.user, pk=self.kwargs["pk"])

    def extra_context(self, target: Any) -> dict[str, Any]:
        parties = target.parties.all()
        count = parties.count()
        without = parties.annotate(n=Count("contacts", filter=~Q(contacts__email=""))).filter(n=0).count()
        details = [
            _("Framework: {framework}").format(framework=str(target.framework)),
            _("Due date: {date}").format(date=show_date(target.due_date)),
        ]
        if without:
            details.append(
                _("{n} of them have no contact e-mail: their assessment is created, and you can issue them a portal link from their page.").format(
                    n=without
                )
            )
        return {
            "explanation": _(
                "{n} parties will be e-mailed an invitation with their own portal link. The worker sends them in the background; this page shows the progress."
            ).format(n=count),
            "details": details,
        }

    def run(self, target: Any, data: dict[str, Any]) -> str:
        campaign_services.campaign_launch(user=self.request.user, campaign=target)
        messages.success(self.request, _("The campaign is being launched."))
        return str(target.get_absolute_url())


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
