"""The enrichment pages: the sources page (which data is loaded, from when, how old) and the KEV
and EPSS import pages (upload, progress, result). Reference data shared by the whole group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import file_too_large_message, limit_mb, request_too_large
from renkei.core.permissions import can, require
from renkei.core.views.objects import RenkeiViewMixin
from renkei.software.enrichment import selectors_kev_epss as selectors
from renkei.software.enrichment import services_kev_epss as services
from renkei.software.enrichment.models_kev_epss import EnrichmentImport, EnrichmentKind
from renkei.software.permissions import CHANGE_SOFTWARE

RUNNING_STATES = ("queued", "running")
STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "running": gettext_lazy("Running"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}
HELP = {
    EnrichmentKind.KEV: gettext_lazy(
        "Download known_exploited_vulnerabilities.json (or the CSV) from "
        "https://www.cisa.gov/known-exploited-vulnerabilities-catalog and upload it here, or run "
        "`renkei kev import FILE` on the server. Each import replaces the catalogue as a whole."
    ),
    EnrichmentKind.EPSS: gettext_lazy(
        "Download the daily scores (epss_scores-YYYY-MM-DD.csv.gz) from https://www.first.org/epss/data_stats "
        "and upload them here as they are, or run `renkei epss import FILE` on the server. Each import "
        "replaces all scores."
    ),
}


class EnrichmentUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))


def describe(run: EnrichmentImport) -> EnrichmentImport:
    run.is_running = run.status in RUNNING_STATES  # type: ignore[attr-defined]
    run.status_label = STATUS_LABELS.get(run.status, run.status)  # type: ignore[attr-defined]
    return run


class SourcesView(RenkeiViewMixin, View):
    """Which enrichment sources are loaded, when, how many records, the file's date and its age."""

    change_action = CHANGE_SOFTWARE

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "software/enrichment_sources.html",
            {
                "title": _("Vulnerability data sources"),
                "sources": selectors.kev_epss_sources(),
                "other_sources": selectors.other_sources(),
                "osv": selectors.osv_status(),
                "can_change": self.can_change(),
            },
        )


class EnrichmentImportView(RenkeiViewMixin, View):
    """Upload a KEV catalogue or an EPSS file and see the recent imports of that source."""

    change_action = CHANGE_SOFTWARE
    kind: str = EnrichmentKind.KEV

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Exempt from the middleware so that an oversized upload is refused unread; `post` runs the
        # same CSRF check itself before reading the body (as the OSV import page).
        return csrf_exempt(super().as_view(**initkwargs))

    def render_page(self, request: HttpRequest, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        kind = EnrichmentKind(self.kind)
        imports = [describe(r) for r in EnrichmentImport.objects.filter(kind=kind).select_related("started_by")
                   .order_by("-created_at", "-pk")[:10]]
        return render(
            request,
            "software/enrichment_import.html",
            {
                "title": _("Import: {source}").format(source=kind.label),
                "kind": kind.value,
                "help": HELP[kind],
                "form": form,
                "imports": imports,
                "error": error,
                "can_change": self.can_change(),
                "max_mb": limit_mb(services.max_file_bytes()),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, EnrichmentUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, CHANGE_SOFTWARE)
        if request_too_large(request, services.max_file_bytes()):
            error = file_too_large_message(services.max_file_bytes())
            return self.render_page(request, EnrichmentUploadForm(), status=413, error=error)
        return csrf_protect(self.start)(request)

    def start(self, request: HttpRequest) -> HttpResponse:
        form = EnrichmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = services.enrichment_import_start(
                    user=request.user, kind=self.kind, uploaded_file=form.cleaned_data["file"]
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"uploaded_file": "file"})
                if not form.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The import has started."))
                return HttpResponseRedirect(reverse("software:enrichment_import_detail", args=[run.pk]))
        return self.render_page(request, form, status=400)


class EnrichmentImportDetailView(RenkeiViewMixin, View):
    """One import's progress; htmx polls it every 2 s (the fragment only) while it runs."""

    change_action = CHANGE_SOFTWARE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = EnrichmentImport.objects.select_related("started_by").filter(pk=pk).first()
        if run is None:
            raise Http404(_("Not found."))
        describe(run)
        template = (
            "software/_enrichment_import_progress.html"
            if request.headers.get("HX-Request") == "true"
            else "software/enrichment_import_detail.html"
        )
        return render(
            request,
            template,
            {"run": run, "running": run.is_running, "title": _("Import: {source}").format(source=run.get_kind_display()),  # type: ignore[attr-defined]
             "can_change": can(request.user, CHANGE_SOFTWARE)},
        )
