"""Parties and the assurance they owe: the list with required levels and due dates (the landing
page of /assessments/), one party's page (proposal, override, history, follow-ups, portal links,
starting an assessment) and the reassessment policy of each group company."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_issue, portal_link_revoke
from renkei.assessments import forms, notifications
from renkei.assessments.campaigns import forms as campaign_forms
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import Assignment, AssuranceLevel, FollowUp
from renkei.assessments.views import (
    READ,
    WRITE,
    StaffActionView,
    StaffConfirmView,
    StaffDetailView,
    optional_url,
    paginate,
    querystring,
)
from renkei.core.concurrency import StaleEdit
from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.permissions import can, get_visible_or_404, require, visible
from renkei.core.search import search_condition
from renkei.core.tenancy import is_group_company
from renkei.core.views.conflicts import add_version_field, prepare_save, render_conflict
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.models import OUR_KINDS, Organisation

CRITICALITY_RANK = Case(
    When(criticality="critical", then=Value(4)),
    When(criticality="high", then=Value(3)),
    When(criticality="medium", then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)
# "name" sorts by the stored reading key (registry Organisation.sort_key): gojūon order, legal forms ignored.
SORTS = {
    "name": ("sort_key",),
    "-name": ("-sort_key",),
    "criticality": ("crit_rank", "sort_key"),
    "-criticality": ("-crit_rank", "sort_key"),
}


def score_text(scoring: str, score: dict[str, Any] | None) -> str:
    """The overall score an assessment was submitted or accepted with, as the framework counts it."""
    overall = (score or {}).get("overall") or {}
    if scoring == "maturity":
        average = overall.get("average")
        return f"{average:.1f} / 5" if average is not None else ""
    if scoring == "points":
        if overall.get("max_points"):
            return f"{overall.get('points', 0):g} / {overall['max_points']:g}"
        return ""
    percent = overall.get("percent")
    return f"{percent:.0f}%" if percent is not None else ""


def with_scores(assignments: Any) -> list[Assignment]:
    """Assignments (with their framework selected) carrying `score_text` for the templates."""
    rows = list(assignments)
    for a in rows:
        a.score_text = score_text(a.framework.scoring, a.score)  # type: ignore[attr-defined]
    return rows


# --- the list ----------------------------------------------------------------------------------


class PartyListView(RenkeiViewMixin, View):
    """Every visible party (not one of our companies) with its required level, last assessment,
    next due date and whether it is overdue.

    The level and "overdue for assessment" filters depend on computed values, so with either of them the
    matching parties' ids are evaluated in bulk (`campaign_selectors.assurance_rows`: a fixed number of
    queries whatever their number) and filtered in Python before paginating the ids; fine for
    some 10⁴ parties. Without them the queryset is paginated directly. Either way only the page's
    parties are loaded in full, and the query count does not grow with rows.
    """

    permission_action = READ
    template_name = "assessments/party_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = campaign_forms.PartyFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        qs = visible(Organisation.objects.exclude(kind__in=OUR_KINDS), request.user)
        status = data.get("status") or ""
        if status == "":
            qs = qs.filter(status="active")
        elif status == "offboarded":
            qs = qs.filter(status="offboarded")
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("criticality"):
            qs = qs.filter(criticality=data["criticality"])
        query = request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(search_condition(("search_text",), query))
        sort = request.GET.get("sort", "name")
        qs = qs.annotate(crit_rank=CRITICALITY_RANK).order_by(*SORTS.get(sort, SORTS["name"]), "pk")
        level, overdue_only = data.get("level"), data.get("overdue")
        if level or overdue_only:
            # The dashboard counts with the same selector (`overdue_party_ids`), so its figure and
            # this filtered list agree.
            ids = campaign_selectors.overdue_party_ids(qs) if overdue_only else list(qs.values_list("pk", flat=True))
            if level:
                candidates = list(qs.only("pk", "criticality", "group_company_id"))
                wanted = {row.organisation.pk for row in campaign_selectors.assurance_rows(candidates) if row.level == level}
                ids = [pk for pk in ids if pk in wanted]
            page = paginate(request, ids)
            by_id = {o.pk: o for o in Organisation.objects.filter(pk__in=list(page.object_list)).select_related("group_company")}
            organisations = [by_id[pk] for pk in page.object_list if pk in by_id]
        else:
            page = paginate(request, qs.select_related("group_company"))
            organisations = list(page.object_list)
        context = {
            "title": _("Parties and required levels"),
            "rows": campaign_selectors.assurance_rows(organisations),
            "filter_form": form,
            "query": query,
            "current_sort": sort,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "querystring": querystring(request, "page"),
            "sort_querystring": querystring(request, "page", "sort"),
            "can_change": can(request.user, WRITE),
        }
        return render(request, self.template_name, context)


# --- one party ---------------------------------------------------------------------------------


def get_party(request: HttpRequest, pk: int) -> Organisation:
    return get_visible_or_404(Organisation.objects.select_related("group_company"), request.user, pk=pk)


def party_context(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    user = request.user
    row = campaign_selectors.assurance_rows([organisation])[0]
    assignments = visible(Assignment.objects.filter(organisation=organisation), user).select_related(
        "framework", "campaign"
    ).order_by("-created_at", "-pk")
    follow_ups = visible(FollowUp.objects.filter(organisation=organisation), user).select_related("owner_user")
    links = visible(PortalLink.objects.filter(organisation=organisation), user).order_by("-created_at")
    initial = {"level": row.level, "reason": row.override.reason if row.override else ""}
    return {
        "title": organisation.name,
        "organisation": organisation,
        "object": organisation,
        "row": row,
        "proposal_label": AssuranceLevel(row.proposal.level).label,
        "is_ours": is_group_company(organisation),
        "assignments": with_scores(assignments[:50]),
        "follow_ups": follow_ups.order_by("status", "due_date", "pk")[:50],
        "links": links[:5],
        "link_count": links.count(),
        "override_form": campaign_forms.OverrideForm(initial=initial),
        "can_change": can(user, WRITE),
        "recipients": notifications.party_recipients(organisation),
        "today": timezone.localdate(),
    }


class PartyAssuranceView(StaffDetailView):
    """One party: its required level (proposed or overridden), assessments, follow-ups and links."""

    model = Organisation
    template_name = "assessments/party_assurance.html"

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("group_company")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = {**super().get_context_data(**kwargs), **party_context(self.request, self.object)}
        for a in context["assignments"]:
            a.answer_url = optional_url("assessments:assignment_answer", a.pk) if context["is_ours"] else None
        return context


class OverrideView(RenkeiViewMixin, View):
    """The analyst's level for a party, replacing the proposal; the reason is required (audited)."""

    permission_action = WRITE
    template_name = "assessments/override_form.html"

    def render_page(self, organisation: Organisation, form: campaign_forms.OverrideForm, status: int = 200) -> HttpResponse:
        row = campaign_selectors.assurance_rows([organisation])[0]
        context = {
            "title": _("Override the required level"),
            "organisation": organisation,
            "row": row,
            "proposal_label": AssuranceLevel(row.proposal.level).label,
            "form": form,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_party(request, pk)
        row = campaign_selectors.assurance_rows([organisation])[0]
        initial = {"level": row.level, "reason": row.override.reason if row.override else ""}
        return self.render_page(organisation, campaign_forms.OverrideForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_party(request, pk)
        form = campaign_forms.OverrideForm(request.POST)
        if form.is_valid():
            try:
                campaign_services.assurance_override_set(
                    user=request.user, organisation=organisation, level=form.cleaned_data["level"], reason=form.cleaned_data["reason"]
                )
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The required level was set."))
                return HttpResponseRedirect(reverse("assessments:party_assurance", args=[organisation.pk]))
        return self.render_page(organisation, form, status=400)


class OverrideClearView(StaffActionView):
    model = Organisation
    success_message = gettext_lazy("Back to the proposed level.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        campaign_services.assurance_override_clear(user=self.request.user, organisation=obj)

    def redirect_url(self, obj: Any) -> str:
        return reverse("assessments:party_assurance", args=[obj.pk])


# --- portal links --------------------------------------------------------------------------------


class PartyLinksView(RenkeiViewMixin, View):
    """The party's portal links (state, created, expires, last used, sent to) and a form to issue one."""

    permission_action = READ
    template_name = "assessments/party_links.html"

    def render_page(self, organisation: Organisation, form: campaign_forms.LinkIssueForm, status: int = 200) -> HttpResponse:
        links = visible(PortalLink.objects.filter(organisation=organisation), self.request.user).select_related("created_by")
        page = paginate(self.request, links.order_by("-created_at", "-pk"))
        context = {
            "title": _("Portal links"),
            "organisation": organisation,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "querystring": querystring(self.request, "page"),
            "form": form,
            "can_change": can(self.request.user, WRITE),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(get_party(request, pk), campaign_forms.LinkIssueForm())


class PartyLinkIssueView(PartyLinksView):
    """Issue a link: its full address is shown once (only its hash is stored)."""

    permission_action = WRITE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("assessments:party_links", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_party(request, pk)
        form = campaign_forms.LinkIssueForm(request.POST)
        if form.is_valid():
            try:
                link, raw = portal_link_issue(
                    user=request.user,
                    organisation=organisation,
                    expires_at=timezone.now() + dt.timedelta(days=form.cleaned_data["days"]),
                    purpose=form.cleaned_data.get("purpose") or "",
                    sent_to=form.cleaned_data.get("sent_to") or "",
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, {"expires_at": "days"})
            else:
                response = render(
                    request,
                    "assessments/link_issued.html",
                    {"title": _("Portal link issued"), "organisation": organisation, "link": link, "url": notifications.portal_url(raw)},
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_page(organisation, form, status=400)


class LinkRevokeView(StaffConfirmView):
    title = gettext_lazy("Revoke the portal link")
    explanation = gettext_lazy("The link stops working at once, also in a browser that has already opened it.")
    button = gettext_lazy("Revoke")

    def target(self) -> PortalLink:
        return get_visible_or_404(PortalLink.objects.select_related("organisation"), self.request.user, pk=self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        portal_link_revoke(user=self.request.user, link=target)
        messages.success(self.request, _("The link was revoked."))
        return reverse("assessments:party_links", args=[target.organisation_id])


# --- starting an assessment --------------------------------------------------------------------


class AssignmentCreateView(RenkeiViewMixin, View):
    """Start an assessment of one party (invited by e-mail) or a self-assessment of our company."""

    permission_action = WRITE
    template_name = "assessments/assignment_create.html"

    def render_page(self, organisation: Organisation, form: campaign_forms.AssignmentCreateForm, status: int = 200) -> HttpResponse:
        context = {
            "title": _("Self-assessment") if is_group_company(organisation) else _("Start an assessment"),
            "organisation": organisation,
            "form": form,
            "is_ours": is_group_company(organisation),
            "recipients": notifications.party_recipients(organisation),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_party(request, pk)
        initial = {"due_date": timezone.localdate() + dt.timedelta(days=30), "language": "ja", "invite": True}
        return self.render_page(organisation, campaign_forms.AssignmentCreateForm(user=request.user, organisation=organisation, initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_party(request, pk)
        form = campaign_forms.AssignmentCreateForm(request.POST, user=request.user, organisation=organisation)
        if not form.is_valid():
            return self.render_page(organisation, form, status=400)
        data = form.cleaned_data
        invite = bool(data.get("invite")) and not is_group_company(organisation)
        recipients = notifications.party_recipients(organisation) if invite else []
        try:
            assignment = campaign_services.assignment_create(
                user=request.user,
                organisation=organisation,
                framework=data["framework"],
                due_date=data["due_date"],
                language=data["language"],
                invite=invite,
            )
        except RenkeiError as exc:
            errors_to_form(form, exc)
            return self.render_page(organisation, form, status=400)
        if is_group_company(organisation):
            messages.success(request, _("The self-assessment was created."))
        elif invite and recipients:
            messages.success(request, _("The assessment was created and the invitation sent to {emails}.").format(emails=", ".join(recipients)))
        elif invite:
            messages.warning(
                request,
                _("The assessment was created, but {party} has no contact e-mail: issue a portal link and pass it on.").format(
                    party=organisation.name
                ),
            )
        else:
            messages.success(request, _("The assessment was created; no invitation was sent."))
        return HttpResponseRedirect(assignment.get_absolute_url())


# --- policy ------------------------------------------------------------------------------------


class PolicyView(RenkeiViewMixin, View):
    """How often each group company reassesses its parties, and when it reminds them."""

    permission_action = READ
    template_name = "assessments/policy.html"

    def company(self, request: HttpRequest) -> tuple[Organisation | None, QuerySet[Organisation]]:
        companies = forms.our_companies(request.user)
        wanted = request.POST.get("company") or request.GET.get("company")
        if wanted:
            return get_visible_or_404(companies, request.user, pk=wanted), companies
        return companies.first(), companies

    def render_page(self, company: Organisation | None, companies: Any, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "title": _("Reassessment policy"),
            "company": company,
            "companies": companies,
            "form": form,
            "can_change": can(self.request.user, WRITE),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        company, companies = self.company(request)
        form = campaign_forms.PolicyForm(instance=campaign_services.policy_for(company.pk)) if company else None
        if form is not None:
            add_version_field(form, form.instance)
        return self.render_page(company, companies, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        require(request.user, WRITE)
        company, companies = self.company(request)
        if company is None:
            return HttpResponseRedirect(reverse("assessments:policy"))
        form = campaign_forms.PolicyForm(request.POST, instance=campaign_services.policy_for(company.pk))
        add_version_field(form, form.instance)
        if form.is_valid():
            try:
                prepare_save(form, form.instance)
                campaign_services.policy_save(user=request.user, policy=form.instance)
            except StaleEdit as exc:
                cancel_url = reverse("assessments:policy") + f"?company={company.pk}"
                return render_conflict(request, form=form, error=exc, title=_("Reassessment policy"), cancel_url=cancel_url)
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("assessments:policy") + f"?company={company.pk}")
        return self.render_page(company, companies, form, status=400)
