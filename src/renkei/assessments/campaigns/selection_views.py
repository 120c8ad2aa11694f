"""Choosing a draft campaign's parties and launching it: by a filter and by name (search as you
type, `static/assessments/campaign_parties.js` over a small JSON endpoint), each adding to the
selection; the chosen parties with remove; then the launch page with the real invitation e-mail
for one chosen party. Launching is only accepted from that page (its fingerprint of the
selection), so nobody launches on a preview that is no longer true."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments import notifications
from renkei.assessments.campaigns import forms as campaign_forms
from renkei.assessments.campaigns import selectors as campaign_selectors
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.campaigns.views import campaign_queryset
from renkei.assessments.models import Campaign, CampaignStatus
from renkei.assessments.views import WRITE, StaffActionView, StaffConfirmView, paginate, querystring
from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.models import Organisation


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
        if (not data.get("level") or r.level == data["level"]) and (not data.get("due") or r.due)
    ]
    return qs, ids


def parties_url(campaign: Campaign, **params: str) -> str:
    url = reverse("assessments:campaign_parties", args=[campaign.pk])
    return url + ("?" + urlencode(params) if params else "")


class DraftCampaignMixin:
    request: HttpRequest

    def get_campaign(self, pk: int) -> Campaign:
        return get_visible_or_404(campaign_queryset(), self.request.user, pk=pk)

    def not_draft(self, campaign: Campaign) -> HttpResponse:
        messages.error(self.request, _("The parties of a launched campaign cannot change."))
        return HttpResponseRedirect(campaign.get_absolute_url())


class CampaignPartiesView(DraftCampaignMixin, RenkeiViewMixin, View):
    """Choose a draft campaign's parties: by a filter (the count and a preview of the matches, then
    "add these N parties"; the filter is kept on the campaign) and by name; both add to the
    parties chosen so far, which are listed with "remove"."""

    permission_action = WRITE
    template_name = "assessments/campaign_parties.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        if campaign.status != CampaignStatus.DRAFT:
            return self.not_draft(campaign)
        if "filter" in request.GET:
            form = campaign_forms.CampaignPartiesForm(request.GET)
        else:
            initial = {k: v for k, v in (campaign.party_filter or {}).items() if k not in ("added", "removed")}
            form = campaign_forms.CampaignPartiesForm(initial=initial)
        return self.render_page(campaign, form)

    def render_page(self, campaign: Campaign, form: campaign_forms.CampaignPartiesForm, status: int = 200) -> HttpResponse:
        request = self.request
        preview: Any = None
        match_count = None
        if form.is_bound and form.is_valid():
            qs, ids = matching_parties(campaign_selectors.candidate_parties(campaign, request.user), form.cleaned_data)
            if ids is None:
                preview = paginate(request, qs.select_related("group_company"))
                match_count = preview.paginator.count
            else:
                preview = paginate(request, ids)
                by_id = Organisation.objects.in_bulk(list(preview.object_list))
                preview.object_list = [by_id[i] for i in preview.object_list if i in by_id]
                match_count = len(ids)
        query = request.GET.get("q", "").strip()[:100]
        found, more = campaign_selectors.party_search(campaign=campaign, user=request.user, query=query)
        chosen = paginate(request, campaign.parties.order_by("name", "pk"), param="cpage")
        context = {
            "title": _("Parties of the campaign"),
            "object": campaign,
            "campaign": campaign,
            "form": form,
            "preview": preview,
            "match_count": match_count,
            "chosen": chosen,
            "query": query,
            "found": found,
            "found_more": more,
            "filter_querystring": querystring(request, "page", "cpage"),
            "chosen_querystring": querystring(request, "cpage"),
            "preview_querystring": querystring(request, "page"),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        if campaign.status != CampaignStatus.DRAFT:
            return self.not_draft(campaign)
        form = campaign_forms.CampaignPartiesForm(request.POST)
        if not form.is_valid():
            return self.render_page(campaign, form, status=400)
        qs, ids = matching_parties(campaign_selectors.candidate_parties(campaign, request.user), form.cleaned_data)
        matched = qs if ids is None else Organisation.objects.filter(pk__in=ids)
        try:
            added = campaign_services.campaign_add_parties(
                user=request.user, campaign=campaign, organisations=matched, party_filter=form.as_filter()
            )
        except RenkeiError as exc:
            messages.error(request, str(exc))
            return self.render_page(campaign, form, status=exc.status)
        messages.success(
            request, _("{n} parties added; {total} chosen in all.").format(n=added, total=campaign.parties.count())
        )
        return HttpResponseRedirect(parties_url(campaign))


class CampaignPartySearchView(DraftCampaignMixin, RenkeiViewMixin, View):
    """Search as you type (JSON): at most 20 candidate parties whose name, reading or corporate
    number contains `q`, each saying whether it is already chosen, and whether there are more."""

    permission_action = WRITE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        query = request.GET.get("q", "").strip()[:100]
        found, more = campaign_selectors.party_search(campaign=campaign, user=request.user, query=query)
        results = [
            {"id": m.organisation.pk, "name": m.organisation.name, "reading": m.organisation.name_reading,
             "kind": str(m.organisation.get_kind_display()), "chosen": m.chosen}
            for m in found
        ]
        return JsonResponse({"query": query, "results": results, "more": more})


class PartyAddForm(forms.Form):
    party = forms.IntegerField()
    q = forms.CharField(required=False, max_length=100)


class CampaignPartyAddView(DraftCampaignMixin, RenkeiViewMixin, View):
    """Add one party found by name to the selection (the search stays where it was)."""

    permission_action = WRITE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        if campaign.status != CampaignStatus.DRAFT:
            return self.not_draft(campaign)
        form = PartyAddForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a party from the search results."))
            return HttpResponseRedirect(parties_url(campaign))
        party = get_visible_or_404(campaign_selectors.candidate_parties(campaign, request.user), request.user, pk=form.cleaned_data["party"])
        try:
            added = campaign_services.campaign_add_parties(user=request.user, campaign=campaign, organisations=[party])
        except RenkeiError as exc:
            messages.error(request, str(exc))
        else:
            if added:
                messages.success(request, _("{name} was added to the campaign.").format(name=party.name))
            else:
                messages.info(request, _("{name} was already chosen.").format(name=party.name))
        query = form.cleaned_data.get("q") or ""
        return HttpResponseRedirect(parties_url(campaign, q=query) if query else parties_url(campaign))


class CampaignPartyRemoveView(StaffActionView):
    """Take one party out of a draft campaign (remembered, so adding by a filter again keeps it out)."""

    model = Campaign

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        party = get_visible_or_404(obj.parties.all(), self.request.user, pk=self.kwargs["org_pk"])
        campaign_services.campaign_remove_parties(user=self.request.user, campaign=obj, organisations=[party])
        messages.success(self.request, _("{name} was removed from the campaign.").format(name=party.name))

    def redirect_url(self, obj: Any) -> str:
        return reverse("assessments:campaign_parties", args=[obj.pk])


# --- launch --------------------------------------------------------------------------------------


class LaunchForm(forms.Form):
    confirmed = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": gettext_lazy("Launch from the page with the preview of the invitation.")},
    )


class CampaignLaunchView(StaffConfirmView):
    """The launch page: what will happen, the invitation e-mail one chosen party will receive
    (`?party=` picks which), and the button. The form carries the selection's fingerprint."""

    title = gettext_lazy("Launch the campaign")
    button = gettext_lazy("Launch")
    template_name = "assessments/campaign_launch.html"
    form_class = LaunchForm

    def target(self) -> Campaign:
        return get_visible_or_404(campaign_queryset(), self.request.user, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.target()
        return self.render_page(target, LaunchForm(initial={"confirmed": campaign_selectors.campaign_fingerprint(target)}))

    def render_page(self, target: Any, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        if form is not None and status != 200:
            if form.is_bound and form.errors and not error:
                error = " ".join(str(e) for errors in form.errors.values() for e in errors)
            # Show the page again on what is true now: a new fingerprint for the new preview.
            form = LaunchForm(initial={"confirmed": campaign_selectors.campaign_fingerprint(target)})
        return super().render_page(target, form, status, error)

    def preview(self, campaign: Campaign) -> notifications.InvitationPreview | None:
        parties = campaign.parties.order_by("name", "pk").prefetch_related("contacts")
        wanted = self.request.GET.get("party", "")
        party = parties.filter(pk=wanted).first() if wanted.isdigit() else None
        party = party or parties.first()
        if party is None:
            return None
        previous = campaign_services.previous_assignments(organisation_ids=[party.pk], framework_key=campaign.framework.key)
        return notifications.invitation_preview(campaign=campaign, organisation=party, previous=previous.get(party.pk))

    def extra_context(self, target: Any) -> dict[str, Any]:
        parties = target.parties.all()
        count = parties.count()
        without = parties.annotate(n=Count("contacts", filter=~Q(contacts__email=""))).filter(n=0).count()
        details = [
            _("Framework: {framework}").format(framework=str(target.framework)),
            _("Due date: {date}").format(date=target.due_date.isoformat()),
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
            "campaign": target,
            "mail_preview": self.preview(target) if target.status == CampaignStatus.DRAFT else None,
            "cancel_url": parties_url(target) if target.status == CampaignStatus.DRAFT else target.get_absolute_url(),
        }

    def run(self, target: Any, data: dict[str, Any]) -> str:
        campaign_services.campaign_launch(user=self.request.user, campaign=target, confirmed=data["confirmed"])
        messages.success(self.request, _("The campaign is being launched."))
        return str(target.get_absolute_url())

