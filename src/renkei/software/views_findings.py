"""Findings: the list across releases, one finding's page, triage, and asking the supplier to respond.

Triage works as a plain form post (redirect back to `next`) and, when htmx sends it, answers with
the finding's table row only, so the release page updates in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments.followups.services import followup_from_software_finding
from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.permissions import can, get_visible_or_404, require, visible
from renkei.core.views.objects import Column, ObjectDetailView, ObjectListView, RenkeiViewMixin, safe_next
from renkei.software import forms, services
from renkei.software.models import Finding
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.selectors_registry import OPEN_STATES, severity_rank


def finding_queryset() -> QuerySet[Finding]:
    return Finding.objects.select_related(
        "release__product__supplier", "component", "vulnerability", "group_company"
    ).annotate(severity_rank=severity_rank())


class FindingListView(ObjectListView):
    change_action = CHANGE_SOFTWARE
    model = Finding
    title = gettext_lazy("Findings")
    template_name = "software/finding_list.html"
    columns = [
        Column("severity", gettext_lazy("severity"), sort="severity_rank"),
        Column("vulnerability", gettext_lazy("vulnerability"), sort="vulnerability__osv_id"),
        Column("component", gettext_lazy("component"), sort="component__name"),
        Column("release", gettext_lazy("release"), sort="release__product__name"),
        Column("release.product.supplier", gettext_lazy("supplier"), sort="release__product__supplier__name"),
        Column("state", gettext_lazy("state"), sort="state"),
        Column("created_at", gettext_lazy("found"), sort="created_at"),
    ]
    search_fields = ("vulnerability__osv_id", "vulnerability__summary", "component__name", "release__product__name")
    filter_lookups = {"severity": "severity", "state": "state", "supplier": "release__product__supplier",
                      "product": "release__product"}
    default_sort = "severity_rank"

    def get_filter_form(self) -> Any:
        if not hasattr(self, "_filter_form"):
            self._filter_form = forms.FindingFilterForm(self.request.GET or None, user=self.request.user)
        return self._filter_form

    def base_queryset(self) -> QuerySet[Finding]:
        return finding_queryset()

    def get_queryset(self) -> QuerySet[Finding]:
        qs = super().get_queryset()
        form = self.get_filter_form()
        # Closed and vanished findings are history: shown only on request.
        if not (form.is_valid() and form.cleaned_data.get("show_resolved")):
            qs = qs.filter(resolved=False)
        return qs

    def apply_filters(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        data = {k: v for k, v in data.items() if k != "show_resolved"}
        return super().apply_filters(qs, data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["open_states"] = OPEN_STATES
        return ctx


class FindingDetailView(ObjectDetailView):
    change_action = CHANGE_SOFTWARE
    model = Finding
    template_name = "software/finding_detail.html"

    def base_queryset(self) -> QuerySet[Finding]:
        return finding_queryset()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        finding = self.object
        ctx.setdefault(
            "triage_form",
            forms.TriageForm(
                initial={"state": finding.state, "justification": finding.justification, "comment": finding.comment}
            ),
        )
        ctx["title"] = str(finding.vulnerability)
        return ctx


class FindingTriageView(RenkeiViewMixin, View):
    """POST: set the VEX state, justification and comment of one finding."""

    permission_action = CHANGE_SOFTWARE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = get_visible_or_404(finding_queryset(), request.user, pk=pk)
        form = forms.TriageForm(request.POST)
        htmx = request.headers.get("HX-Request") == "true"
        if form.is_valid():
            try:
                finding = services.finding_triage(
                    user=request.user,
                    finding=finding,
                    state=form.cleaned_data["state"],
                    justification=form.cleaned_data["justification"],
                    comment=form.cleaned_data["comment"],
                )
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                if htmx:
                    finding = finding_queryset().get(pk=finding.pk)
                    return self.row(request, finding, saved=True)
                messages.success(request, _("Triage saved."))
                return HttpResponseRedirect(safe_next(request, finding.get_absolute_url()))
        if htmx:
            # 200 so that htmx swaps the row in; the row shows the errors beside the form.
            return self.row(request, finding, form=form)
        return render(
            request,
            "software/finding_detail.html",
            {"object": finding, "finding": finding, "triage_form": form, "can_change": True},
            status=400,
        )

    def row(self, request: HttpRequest, finding: Finding, *, form: Any = None, saved: bool = False) -> HttpResponse:
        return render(
            request,
            "software/_finding_row.html",
            {
                "finding": finding,
                "form_errors": form.errors if form is not None else None,
                "saved": saved,
                "can_change": True,
                "next": safe_next(request, finding.release.get_absolute_url()),
                "vex_states": forms.TriageForm.base_fields["state"].choices,  # type: ignore[attr-defined]
                "justifications": forms.TriageForm.base_fields["justification"].choices,  # type: ignore[attr-defined]
            },
        )


class FindingRequestResponseView(RenkeiViewMixin, View):
    """Ask the supplier to respond: a confirmation page naming the recipients (GET; anyone who may see
    the finding sees whom it would go to), then the e-mail (POST, for those who may change)."""

    template_name = "software/finding_request_response.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = get_visible_or_404(finding_queryset(), request.user, pk=pk)
        return render(request, self.template_name, self.context(finding))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require(request.user, CHANGE_SOFTWARE)
        finding = get_visible_or_404(finding_queryset(), request.user, pk=pk)
        try:
            services.finding_request_response(user=request.user, finding=finding)
        except RenkeiError as exc:
            return render(request, self.template_name, {**self.context(finding), "error": exc}, status=exc.status)
        try:
            follow_up = followup_from_software_finding(user=request.user, finding=finding)
        except RenkeiError as exc:
            messages.success(request, _("The supplier was asked to respond."))
            messages.error(request, _("No follow-up item was added: {error}").format(error=exc))
        else:
            messages.success(
                request,
                _("The supplier was asked to respond; the follow-up item “{title}” tracks the response.").format(
                    title=follow_up.title
                ),
            )
        return HttpResponseRedirect(safe_next(request, finding.get_absolute_url()))

    def context(self, finding: Finding) -> dict[str, Any]:
        from renkei.registry.models import Contact, ContactRole

        supplier = finding.release.product.supplier
        contacts = visible(
            Contact.objects.filter(
                organisation=supplier, role__in=[ContactRole.SECURITY, ContactRole.INCIDENT]
            ).exclude(email=""),
            self.request.user,
        )
        return {
            "object": finding,
            "finding": finding,
            "supplier": supplier,
            "contacts": contacts,
            "can_change": can(self.request.user, CHANGE_SOFTWARE),
            "next": safe_next(self.request, finding.get_absolute_url()),
        }
