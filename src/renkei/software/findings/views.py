"""Findings: the list across releases, one finding's page, triage, asking the supplier to respond,
and a release's findings as a VEX document.

Triage works as a plain form post (redirect back to `next`) and, when htmx sends it, answers with
the finding's table row only, so the release page updates in place.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.permissions import can, get_visible_or_404, require, visible
from renkei.core.views.objects import Column, ObjectDetailView, ObjectListView, RenkeiViewMixin, safe_next
from renkei.software.enrichment.selectors_nvd_jvn import attach_jvn
from renkei.software.findings import bulk, forms, selectors, services
from renkei.software.models import Finding, Release
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.selectors import OPEN_STATES, severity_rank


def finding_queryset() -> QuerySet[Finding]:
    return selectors.with_priority(
        Finding.objects.select_related(
            "release__product__supplier", "component", "vulnerability", "group_company"
        ).annotate(severity_rank=severity_rank())
    )


class FindingListView(ObjectListView):
    change_action = CHANGE_SOFTWARE
    model = Finding
    title = gettext_lazy("Findings")
    template_name = "software/finding_list.html"
    columns = [
        Column("priority", gettext_lazy("priority"), sort="priority_rank"),
        Column("severity", gettext_lazy("severity"), sort="severity_rank"),
        Column("vulnerability", gettext_lazy("vulnerability"), sort="vulnerability__osv_id"),
        Column("component", gettext_lazy("component"), sort="component__name"),
        Column("release", gettext_lazy("release"), sort="release__product__name"),
        Column("release.product.supplier", gettext_lazy("supplier"), sort="release__product__supplier__name"),
        Column("fixed_versions", gettext_lazy("fixed in"), sort="-fix_available"),
        Column("state", gettext_lazy("state"), sort="state"),
        Column("created_at", gettext_lazy("found"), sort="created_at"),
    ]
    search_fields = ("vulnerability__osv_id", "vulnerability__summary", "component__name", "release__product__name")
    filter_lookups = {"severity": "severity", "state": "state", "supplier": "release__product__supplier",
                      "product": "release__product", "fix_available": "fix_available"}
    default_sort = "priority_rank"

    def filter_known_exploited(self, qs: QuerySet[Finding], value: bool) -> QuerySet[Finding]:
        return qs.filter(vulnerability__known_exploited_since__isnull=False) if value else qs

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

    def sort_options(self) -> dict[str, str]:
        return {**super().sort_options(), "fix_available": "fix_available"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["open_states"] = OPEN_STATES
        attach_jvn([f.vulnerability for f in ctx["object_list"]], attr="pk")
        # The severity buckets of what the filters select (unknown is a bucket of its own). One query.
        unfiltered = self.request.GET.copy()
        unfiltered.pop("severity", None)
        unfiltered.pop("page", None)
        ctx["severity_buckets"] = selectors.findings_by_severity(self.get_queryset()).get(None, [])
        ctx["bucket_querystring"] = unfiltered.urlencode()
        ctx["bulk_form"] = forms.BulkTriageForm()
        ctx["undo_token"] = self.request.session.get(UNDO_SESSION_KEY, "")
        return ctx


UNDO_SESSION_KEY = "software.findings.bulk_undo"


class FindingBulkTriageView(RenkeiViewMixin, View):
    """POST: one VEX state for the selected findings, or for every finding of one vulnerability the
    user may see (optionally within one release); with `undo`, put back the last such change."""

    permission_action = CHANGE_SOFTWARE
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        back = safe_next(request, reverse("software:finding_list"))
        undo = request.POST.get("undo", "")
        try:
            if undo:
                count = bulk.bulk_undo(user=request.user, token=undo)
                request.session.pop(UNDO_SESSION_KEY, None)
                messages.success(
                    request, _("Undone: {count} findings are back as they were.").format(count=f"{count:,}")
                )
                return HttpResponseRedirect(back)
            form = forms.BulkTriageForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return HttpResponseRedirect(back)
            data = form.cleaned_data
            if data["ids"]:
                chosen: Any = data["ids"]
            else:
                chosen = selectors.advisory_findings(
                    user=request.user, vulnerability=data["vulnerability"], release_id=data.get("release")
                )
            count, token = bulk.bulk_triage(
                user=request.user, findings=chosen, state=data["state"],
                justification=data["justification"], comment=data["comment"],
            )
        except RenkeiError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            messages.error(request, exc.message)
            return HttpResponseRedirect(back)
        request.session[UNDO_SESSION_KEY] = token
        messages.success(request, _("Triage saved for {count} findings.").format(count=f"{count:,}"))
        return HttpResponseRedirect(back)


class ReleaseFindingsStatusView(RenkeiViewMixin, View):
    """GET: whether the release's findings are being matched, for the page's poll (JSON)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return JsonResponse({"message": _("Authentication required.")}, status=401)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = get_visible_or_404(Release.objects.all(), request.user, pk=pk)
        open_count = selectors.open_findings(visible(Finding.objects.filter(release=release), request.user)).count()
        return JsonResponse({"matching": release.matching, "open_findings": open_count})


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
        attach_jvn([finding.vulnerability], attr="pk")
        ctx["title"] = str(finding.vulnerability)
        ctx["upgrade_pending"] = finding.upgrade_total - finding.upgrade_fixes
        from renkei.software.enrichment.selectors_kev_epss import kev_entry_for

        ctx["kev"] = kev_entry_for(finding.vulnerability)
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
        attach_jvn([finding.vulnerability], attr="pk")
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
    the finding sees whom it would go to), then the e-mail (POST, for those who may change).

    The page's form posts to the assessments app, whose view (a subclass of this one) also tracks
    the response as a follow-up item in the same transaction; a POST here only asks, as the API does.
    """

    template_name = "software/finding_request_response.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = get_visible_or_404(finding_queryset(), request.user, pk=pk)
        return render(request, self.template_name, self.context(finding))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require(request.user, CHANGE_SOFTWARE)
        finding = get_visible_or_404(finding_queryset(), request.user, pk=pk)
        try:
            message = self.request_response(finding)
        except RenkeiError as exc:
            return render(request, self.template_name, {**self.context(finding), "error": exc}, status=exc.status)
        messages.success(request, message)
        return HttpResponseRedirect(safe_next(request, finding.get_absolute_url()))

    def request_response(self, finding: Finding) -> str:
        """Ask the supplier (raises `RenkeiError`); returns the message to show."""
        services.finding_request_response(user=self.request.user, finding=finding)
        return _("The supplier was asked to respond.")

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


class VexExportView(RenkeiViewMixin, View):
    """The release's findings as a CycloneDX 1.5 VEX document (a JSON download)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = get_visible_or_404(Release.objects.select_related("product__supplier"), request.user, pk=pk)
        document = selectors.vex_document(release=release)
        response = HttpResponse(
            orjson.dumps(document, option=orjson.OPT_INDENT_2), content_type="application/vnd.cyclonedx+json"
        )
        name = slugify(f"{release.product.name}-{release.version}") or f"release-{release.pk}"
        response["Content-Disposition"] = f'attachment; filename="vex-{name}.cdx.json"'
        return response
