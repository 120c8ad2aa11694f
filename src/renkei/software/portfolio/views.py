"""Software pages: products and releases on the generic views, the release page with its uploads,
and the portfolio search.

The release page gathers everything about one delivery: its current SBOM, the components, the
delivered files with their integrity, the findings with their triage, and the licence violations.
Uploads check the declared request size before Django reads the body (see `UploadMixin`).
Findings, the vulnerability database and the licence policy have pages of their own in their
sub-packages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import file_too_large_message, limit_mb, request_too_large, upload_limit
from renkei.core.permissions import can, get_visible_or_404, require, visible
from renkei.core.views.objects import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RenkeiViewMixin,
)
from renkei.software.enrichment.selectors_nvd_jvn import attach_jvn
from renkei.software.findings import forms as findings_forms
from renkei.software.findings import selectors as findings_selectors
from renkei.software.findings.forms import GateForm
from renkei.software.findings.selectors import findings_by_severity
from renkei.software.licences.selectors import licence_violations
from renkei.software.models import (
    Component,
    Finding,
    IntegrityState,
    LicencePolicy,
    Product,
    Release,
    Severity,
)
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.portfolio import forms, selectors, services
from renkei.software.sbom import forms as sbom_forms
from renkei.software.sbom import services as sbom_services
from renkei.software.selectors import OPEN_STATES, SEVERITY_ORDER, SeverityCount

COMPONENTS_PER_PAGE = 50
FINDINGS_PER_PAGE = 50

# --- products ----------------------------------------------------------------------------------


class ProductListView(ObjectListView):
    change_action = CHANGE_SOFTWARE
    model = Product
    title = gettext_lazy("Products")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("supplier", gettext_lazy("supplier"), sort="supplier__name", order_by="supplier__sort_key"),
        Column("release_count", gettext_lazy("releases"), sort="release_count"),
        Column("open_findings", gettext_lazy("open findings"), sort="open_findings"),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("search_text", "supplier__search_text")
    filter_form_class = forms.ProductFilterForm
    filter_lookups = {"supplier": "supplier"}
    default_sort = "supplier__sort_key"
    create_url_name = "software:product_create"

    def get_filter_form(self) -> Any:
        if not hasattr(self, "_filter_form"):
            self._filter_form = forms.ProductFilterForm(self.request.GET or None, user=self.request.user)
        return self._filter_form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        # The software section's other pages start here (the main navigation has two links only).
        ctx["extra_actions"] = [
            (reverse("software:release_list"), _("Releases")),
            (reverse("software:finding_list"), _("Findings")),
            (reverse("software:portfolio_search"), _("Portfolio search")),
            (reverse("software:vulnerability_list"), _("Vulnerability database")),
            (reverse("software:licence_policy"), _("Licence policy")),
        ]
        return ctx

    def base_queryset(self) -> QuerySet[Product]:
        return Product.objects.select_related("supplier", "group_company").annotate(
            release_count=Count("releases", distinct=True),
            open_findings=Count(
                "releases__findings",
                filter=Q(releases__findings__resolved=False, releases__findings__state__in=OPEN_STATES),
                distinct=True,
            ),
        )


class ProductDetailView(ObjectDetailView):
    change_action = CHANGE_SOFTWARE
    model = Product
    template_name = "software/product_detail.html"

    def base_queryset(self) -> QuerySet[Product]:
        return Product.objects.select_related("supplier", "group_company", "responsible")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        releases = list(
            visible(Release.objects.filter(product=self.object), self.request.user).annotate(
                mismatches=Count("files", filter=Q(files__integrity=IntegrityState.MISMATCH), distinct=True),
                sbom_count=Count("sboms", distinct=True),
            )
        )
        counts = findings_by_severity(
            visible(Finding.objects.filter(release__product=self.object), self.request.user), by_release=True
        )
        for release in releases:
            release.severity_counts = counts.get(release.pk, [])  # type: ignore[attr-defined]
        ctx["releases"] = releases
        return ctx


class ProductEditView(ObjectEditView):
    change_action = CHANGE_SOFTWARE
    model = Product
    form_class = forms.ProductForm
    title_create = gettext_lazy("Add product")
    title_update = gettext_lazy("Edit product")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.product_save(user=self.request.user, product=instance)


class ProductDeleteView(ObjectDeleteView):
    change_action = CHANGE_SOFTWARE
    model = Product
    success_url_name = "software:product_list"

    def delete(self, *, instance: Any) -> None:
        services.product_delete(user=self.request.user, product=instance)


# --- releases ----------------------------------------------------------------------------------


class ReleaseListView(ObjectListView):
    change_action = CHANGE_SOFTWARE
    model = Release
    title = gettext_lazy("Releases")
    columns = [
        Column("product.name", gettext_lazy("product"), sort="product__name"),
        Column("version", gettext_lazy("version"), link=True, sort="version"),
        Column(
            "product.supplier", gettext_lazy("supplier"), sort="product__supplier__name", order_by="product__supplier__sort_key"
        ),
        Column("delivered_on", gettext_lazy("delivered on"), sort="delivered_on"),
        Column("open_findings", gettext_lazy("open findings"), sort="open_findings"),
    ]
    search_fields = ("version", "product__search_text", "product__supplier__search_text")
    default_sort = "product__name"
    create_url_name = "software:release_create"

    def base_queryset(self) -> QuerySet[Release]:
        return Release.objects.select_related("product__supplier").annotate(
            open_findings=Count("findings", filter=Q(findings__resolved=False, findings__state__in=OPEN_STATES))
        )


class ReleaseEditView(ObjectEditView):
    change_action = CHANGE_SOFTWARE
    model = Release
    form_class = forms.ReleaseForm
    title_create = gettext_lazy("Add release")
    title_update = gettext_lazy("Edit release")

    def base_queryset(self) -> QuerySet[Release]:
        return Release.objects.select_related("product")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.release_save(user=self.request.user, release=instance)


class ReleaseDeleteView(ObjectDeleteView):
    change_action = CHANGE_SOFTWARE
    model = Release

    def get_success_url(self, instance: Any) -> str:
        return str(instance.product.get_absolute_url())

    def delete(self, *, instance: Any) -> None:
        services.release_delete(user=self.request.user, release=instance)


class ReleaseDetailView(ObjectDetailView):
    """Everything about one delivery; the upload views render it again with their form's errors."""

    change_action = CHANGE_SOFTWARE
    model = Release
    template_name = "software/release_detail.html"

    def base_queryset(self) -> QuerySet[Release]:
        return Release.objects.select_related("product__supplier", "group_company", "current_sbom")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(release_context(self.request, self.object))
        return ctx


def release_context(request: HttpRequest, release: Release, **forms_: Any) -> dict[str, Any]:
    """The release page's data; `forms_` replaces the empty upload forms (to show their errors)."""
    user = request.user
    # The components and findings come from the current (newest) SBOM only.
    sbom = release.current_sbom
    components_query = request.GET.get("cq", "").strip()
    components: QuerySet[Component] = Component.objects.none()
    if sbom is not None:
        components = Component.objects.filter(sbom=sbom).order_by("name", "version", "pk")
        if components_query:
            components = components.filter(
                Q(name__icontains=components_query)
                | Q(purl__icontains=components_query)
                | Q(version__icontains=components_query)
                | Q(licences__icontains=components_query)
            )
    components_page = Paginator(components, COMPONENTS_PER_PAGE).get_page(request.GET.get("cpage"))

    show_resolved = request.GET.get("resolved") == "1"
    findings = visible(Finding.objects.filter(release=release), user).select_related("component", "vulnerability")
    if not show_resolved:
        findings = findings.filter(resolved=False)
    findings = findings_selectors.with_priority(findings).order_by("priority_rank", "vulnerability__osv_id", "pk")
    gate_form = GateForm(request.GET or None)
    gate = None
    if sbom is not None and gate_form.is_valid() and gate_form.cleaned_data.get("fail_on"):
        gate = findings_selectors.gate(
            visible(Finding.objects.filter(release=release), user),
            fail_on=gate_form.cleaned_data["fail_on"],
            unknown_as=gate_form.cleaned_data.get("unknown_as") or None,
        )
    findings_page = Paginator(findings, FINDINGS_PER_PAGE).get_page(request.GET.get("fpage"))
    findings_page.object_list = list(findings_page.object_list)
    attach_jvn([f.vulnerability for f in findings_page.object_list], attr="pk")

    overview = selectors.release_overview(user=user, release=release)
    params = request.GET.copy()
    for key in ("cpage", "fpage"):
        params.pop(key, None)
    return {
        "release": release,
        "sbom": sbom,
        "overview": overview,
        "sbom_count": overview.sbom_count,
        "components_page": components_page,
        "components_query": components_query,
        "findings_page": findings_page,
        "upgrades": findings_selectors.upgrade_advice(release=release) if sbom is not None else [],
        "gate_form": gate_form,
        "gate": gate,
        "show_resolved": show_resolved,
        "severity_counts": severity_counts(overview.open_by_severity),
        "files": overview.files,
        "mismatched_files": overview.mismatched_files,
        # Delivered files listed in the SBOM are not packages: they are checked by their hash instead.
        "not_checked": [c for c in overview.not_checked if not (sbom and c.name in (sbom.file_hashes or {}))],
        "has_policy": LicencePolicy.objects.filter(group_company_id=release.group_company_id).exists(),
        "violations": licence_violations(user=user, release=release),
        "sbom_form": forms_.get("sbom_form") or sbom_forms.SbomUploadForm(),
        "file_form": forms_.get("file_form") or sbom_forms.DeliveredFileForm(),
        "upload_error": forms_.get("upload_error"),
        "max_sbom_mb": limit_mb(sbom_services.max_sbom_bytes()),
        "max_file_mb": limit_mb(),
        "can_change": can(user, CHANGE_SOFTWARE),
        "querystring": params.urlencode(),
        "vex_states": findings_forms.TriageForm.base_fields["state"].choices,  # type: ignore[attr-defined]
        "justifications": findings_forms.TriageForm.base_fields["justification"].choices,  # type: ignore[attr-defined]
    }


def severity_counts(by_severity: dict[str, int]) -> list[SeverityCount]:
    """{"critical": 2, …} → badges in severity order, zero counts left out."""
    labels = dict(Severity.choices)
    return [SeverityCount(s.value, str(labels[s.value]), by_severity[s.value])
            for s in SEVERITY_ORDER if by_severity.get(s.value)]


# --- uploads -----------------------------------------------------------------------------------


class UploadMixin(View):
    """A POST-only upload that refuses an oversized request by its declared length, unread.

    Django's CSRF middleware reads the whole body to find the form token; a 200 MB upload would be
    spooled to disk before any view could refuse it. So the view is exempt from the middleware's
    check, answers login, permission and size first, and then runs the same CSRF check itself
    (`csrf_protect`) before touching the body.
    """

    http_method_names = ["post"]
    release: Release

    def limit(self) -> int:
        return upload_limit()

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return csrf_exempt(super().as_view(**initkwargs))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, CHANGE_SOFTWARE)
        self.release = get_visible_or_404(
            Release.objects.select_related("product__supplier", "group_company", "current_sbom"),
            request.user,
            pk=kwargs["pk"],
        )
        if request_too_large(request, self.limit()):
            return self.render_error(file_too_large_message(self.limit()), status=413)
        return csrf_protect(self.handle)(request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    def render_error(self, message: str, *, status: int, **forms_: Any) -> HttpResponse:
        ctx = release_context(self.request, self.release, upload_error=message, **forms_)
        ctx["object"] = self.release
        return render(self.request, "software/release_detail.html", ctx, status=status)

    def render_form_errors(self, **forms_: Any) -> HttpResponse:
        ctx = release_context(self.request, self.release, **forms_)
        ctx["object"] = self.release
        return render(self.request, "software/release_detail.html", ctx, status=400)


class SbomUploadView(UploadMixin):
    def limit(self) -> int:
        return sbom_services.max_sbom_bytes()

    def handle(self, request: HttpRequest) -> HttpResponse:
        form = sbom_forms.SbomUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                sbom = sbom_services.sbom_upload(
                    user=request.user, release=self.release, uploaded_file=form.cleaned_data["file"],
                    validate=not form.cleaned_data["lenient"],
                )  # fmt: skip
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"uploaded_file": "file"})
                if not form.errors:
                    form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _("SBOM uploaded: {count} components. Findings are being recomputed.").format(
                        count=sbom.component_count
                    ),
                )
                return HttpResponseRedirect(self.release.get_absolute_url())
        return self.render_form_errors(sbom_form=form)


class DeliveredFileUploadView(UploadMixin):
    def handle(self, request: HttpRequest) -> HttpResponse:
        form = sbom_forms.DeliveredFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                delivered = sbom_services.delivered_file_add(
                    user=request.user,
                    release=self.release,
                    uploaded_file=form.cleaned_data["file"],
                    declared_sha256=form.cleaned_data["declared_sha256"],
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"uploaded_file": "file"})
                if not form.errors:
                    form.add_error("file", exc.message)
            else:
                if delivered.integrity == IntegrityState.MISMATCH:
                    messages.error(
                        request, _("Hash mismatch: {name} differs from the declared hash.").format(name=delivered.name)
                    )
                else:
                    messages.success(request, _("File added: {name}").format(name=delivered.name))
                return HttpResponseRedirect(self.release.get_absolute_url())
        return self.render_form_errors(file_form=form)


# --- portfolio search ----------------------------------------------------------------------------


class PortfolioSearchView(RenkeiViewMixin, TemplateView):
    """Which of our suppliers delivered something containing this package (optionally in a range)?"""

    template_name = "software/portfolio_search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = forms.PortfolioSearchForm(self.request.GET if "name" in self.request.GET else None)
        results = None
        if form.is_valid():
            try:
                results = selectors.portfolio_search(
                    user=self.request.user,
                    name=form.cleaned_data["name"],
                    ecosystem=form.cleaned_data["ecosystem"] or None,
                    version_range=form.cleaned_data["version_range"] or None,
                )
            except RenkeiError as exc:
                errors_to_form(form, exc)
        ctx.update({"form": form, "results": results, "title": _("Portfolio search")})
        return ctx


__all__ = [
    "DeliveredFileUploadView",
    "PortfolioSearchView",
    "ProductDeleteView",
    "ProductDetailView",
    "ProductEditView",
    "ProductListView",
    "ReleaseDeleteView",
    "ReleaseDetailView",
    "ReleaseEditView",
    "ReleaseListView",
    "SbomUploadView",
]
