"""The vulnerability database pages: vulnerabilities and OSV imports.

Vulnerabilities and OSV imports are reference data shared by the whole group (no group company):
anyone who may view sees them, while the releases and findings shown beside them stay restricted
by `visible()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import file_too_large_message, limit_mb, request_too_large
from renkei.core.permissions import Action, can, require, visible
from renkei.core.views.objects import (
    Column,
    ObjectDetailView,
    ObjectListView,
    RenkeiViewMixin,
    ScopedQuerysetMixin,
)
from renkei.software.enrichment.selectors_nvd_jvn import attach_jvn, nvd_records
from renkei.software.models import Finding, OsvImport, Vulnerability
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.selectors import severity_rank
from renkei.software.vulndb import forms, services

RUNNING_STATES = ("queued", "running")
STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "running": gettext_lazy("Running"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}


def _describe(run: OsvImport) -> OsvImport:
    """Attach what the progress fragment shows besides the row: running or not, the status label."""
    run.is_running = run.status in RUNNING_STATES  # type: ignore[attr-defined]
    run.status_label = STATUS_LABELS.get(run.status, run.status)  # type: ignore[attr-defined]
    return run


class SharedData(ScopedQuerysetMixin):
    """Reference data (no group company): the role decides, there is no scope to apply.

    List views put it after `ObjectListView` (which builds search and sort on this queryset),
    detail views before `ObjectDetailView` (whose `get_object` would apply the scope).
    """

    def get_queryset(self) -> QuerySet[Any]:
        qs = self.base_queryset()
        return qs if can(self.request.user, Action.VIEW) else qs.none()

    def get_object(self, queryset: Any = None) -> Any:
        try:
            return self.base_queryset().get(pk=self.kwargs["pk"])  # type: ignore[attr-defined]
        except (Vulnerability.DoesNotExist, OsvImport.DoesNotExist, ValueError) as exc:
            raise Http404(_("Not found.")) from exc


# --- vulnerabilities -----------------------------------------------------------------------------


class VulnerabilityListView(ObjectListView, SharedData):
    change_action = CHANGE_SOFTWARE
    model = Vulnerability
    title = gettext_lazy("Vulnerability database")
    columns = [
        Column("osv_id", gettext_lazy("ID"), link=True, sort="osv_id"),
        Column("severity", gettext_lazy("severity"), sort="severity_rank"),
        Column("cvss_score", gettext_lazy("CVSS"), sort="cvss_score"),
        Column("display_summary", gettext_lazy("summary")),
        Column("modified", gettext_lazy("modified"), sort="modified"),
    ]
    search_fields = ("osv_id", "aliases", "summary")
    default_sort = "-modified"

    def base_queryset(self) -> QuerySet[Vulnerability]:
        return Vulnerability.objects.annotate(severity_rank=severity_rank()).defer("details", "affected", "references")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["extra_actions"] = [
            (reverse("software:osv_import"), _("Import OSV data")),
            (reverse("software:enrichment_sources"), _("Vulnerability data sources")),
        ]
        rows = list(ctx["object_list"])
        attach_jvn(rows, attr="pk")
        for row in rows:
            # The Japanese title of JVN iPedia on the Japanese UI (with its JVNDB id), else the advisory's.
            row.display_summary = f"{row.jvn.title} ({row.jvn.jvndb_id})" if row.jvn else row.headline
        return ctx


class VulnerabilityDetailView(SharedData, ObjectDetailView):
    change_action = CHANGE_SOFTWARE
    model = Vulnerability
    template_name = "software/vulnerability_detail.html"

    def base_queryset(self) -> QuerySet[Vulnerability]:
        return Vulnerability.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        vulnerability = self.object
        ctx["findings"] = visible(Finding.objects.filter(vulnerability=vulnerability), self.request.user).select_related(
            "release__product__supplier", "component"
        ).order_by("release__product__supplier__name", "release__product__name", "release__version", "pk")
        ctx["affected"] = affected_rows(vulnerability.affected)
        ctx["references"] = safe_references(vulnerability.references)
        attach_jvn([vulnerability], attr="pk")
        ctx["nvd"] = nvd_records(vulnerability)
        ctx["title"] = vulnerability.osv_id
        return ctx


def affected_rows(affected: Any) -> list[dict[str, Any]]:
    """The OSV `affected` entries as readable rows: package, ranges as text, listed versions."""
    rows = []
    for entry in affected if isinstance(affected, list) else []:
        if not isinstance(entry, dict):
            continue
        # Stored entries are flat (ecosystem, name, …); raw OSV ones nest them under "package".
        package: dict[str, Any] = entry["package"] if isinstance(entry.get("package"), dict) else entry
        ranges = []
        for rng in entry.get("ranges") or []:
            if not isinstance(rng, dict) or rng.get("type") == "GIT":
                continue
            events = []
            for event in rng.get("events") or []:
                for key, value in (event or {}).items():
                    events.append(f"{key} {value}")
            ranges.append(", ".join(events))
        versions = [str(v) for v in entry.get("versions") or []]
        rows.append(
            {
                "ecosystem": package.get("ecosystem", ""),
                "name": package.get("name", ""),
                "ranges": ranges,
                "versions": versions[:30],
                "more_versions": max(0, len(versions) - 30),
            }
        )
    return rows


def safe_references(references: Any) -> list[str]:
    """Only http(s) links: a hostile record must not plant a `javascript:` URL on the page."""
    urls = []
    for ref in references if isinstance(references, list) else []:
        url = ref.get("url", "") if isinstance(ref, dict) else str(ref)
        if url.startswith(("https://", "http://")):
            urls.append(url)
    return urls


# --- OSV import ----------------------------------------------------------------------------------


class OsvImportView(RenkeiViewMixin, View):
    """Start an import (upload, or a server path for administrators) and see the recent ones."""

    template_name = "software/osv_import.html"

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Exempt from the middleware so that an oversized upload is refused unread; `post` runs the
        # same CSRF check itself before reading the body (see views.UploadMixin).
        return csrf_exempt(super().as_view(**initkwargs))

    def render_page(self, request: HttpRequest, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        imports = list(OsvImport.objects.select_related("started_by").order_by("-created_at", "-pk")[:10])
        for run in imports:
            _describe(run)
        stats = Vulnerability.objects.aggregate(total=Count("pk"), withdrawn=Count("pk", filter=Q(withdrawn__isnull=False)))
        return render(
            request,
            self.template_name,
            {
                "title": _("Vulnerability database import"),
                "form": form,
                "imports": imports,
                "stats": stats,
                "error": error,
                "can_change": can(request.user, CHANGE_SOFTWARE),
                "max_mb": limit_mb(services.max_osv_bytes()),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, forms.OsvImportForm(allow_path=can(request.user, Action.ADMINISTER)))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, CHANGE_SOFTWARE)
        # An OSV archive has a limit of its own (RENKEI_MAX_OSV_BYTES): the databases are large.
        if request_too_large(request, services.max_osv_bytes()):
            error = file_too_large_message(services.max_osv_bytes())
            form = forms.OsvImportForm(allow_path=can(request.user, Action.ADMINISTER))
            return self.render_page(request, form, status=413, error=error)
        return csrf_protect(self.start)(request)

    def start(self, request: HttpRequest) -> HttpResponse:
        allow_path = can(request.user, Action.ADMINISTER)
        if request.POST.get("path") and not allow_path:
            raise PermissionDenied(_("You do not have permission to do this."))
        form = forms.OsvImportForm(request.POST, request.FILES, allow_path=allow_path)
        if form.is_valid():
            path = form.cleaned_data.get("path") or ""
            try:
                run = services.osv_import_start(
                    user=request.user,
                    paths=[path] if path else None,
                    uploaded_file=form.cleaned_data.get("file"),
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"uploaded_file": "file", "paths": "path"})
                if not form.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The import has started."))
                return HttpResponseRedirect(reverse("software:osv_import_detail", args=[run.pk]))
        return self.render_page(request, form, status=400)


class OsvImportDetailView(SharedData, ObjectDetailView):
    """One import's progress; htmx polls it every 2 s (the fragment only) while it runs."""

    change_action = CHANGE_SOFTWARE
    model = OsvImport
    template_name = "software/osv_import_detail.html"

    def base_queryset(self) -> QuerySet[OsvImport]:
        return OsvImport.objects.select_related("started_by")

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") == "true":
            return ["software/_osv_import_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["run"] = _describe(self.object)
        ctx["running"] = self.object.is_running
        ctx["title"] = _("Vulnerability database import")
        return ctx
