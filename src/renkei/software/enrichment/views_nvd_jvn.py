"""The NVD / JVN import page (upload, or a server path for administrators) and one run's progress,
built like the OSV import pages (`vulndb/views.py`): shared reference data, htmx polling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import file_too_large_message, limit_mb, request_too_large
from renkei.core.permissions import Action, can, require
from renkei.core.views.objects import ObjectDetailView, RenkeiViewMixin
from renkei.software.enrichment import services_nvd_jvn as services
from renkei.software.enrichment.models_nvd_jvn import NvdJvnImport, NvdJvnKind
from renkei.software.enrichment.selectors_nvd_jvn import nvd_jvn_sources
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.vulndb.views import SharedData, _describe


class NvdJvnImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Data"),
        choices=[(NvdJvnKind.NVD.value, gettext_lazy("NVD CVE JSON 2.0 feed (CVSS, CWE)")),
                 (NvdJvnKind.JVN.value, gettext_lazy("JVN iPedia / MyJVN XML (Japanese titles and summaries)"))],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("nvdcve-2.0-YYYY.json.gz from nvd.nist.gov, or a JVN iPedia / MyJVN .rdf/.xml file."),
    )
    path = forms.CharField(
        label=gettext_lazy("Path on the server"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Administrators only: a file or a directory of feed files on the server, e.g. /srv/nvd"),
    )

    def __init__(self, *args: Any, allow_path: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_path:
            del self.fields["path"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("path"):
            raise forms.ValidationError(_("Choose a file to upload or give a path on the server."))
        return data


class NvdJvnImportView(RenkeiViewMixin, View):
    """Start an NVD or JVN import and see what is loaded and the recent runs."""

    template_name = "software/nvd_jvn_import.html"

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # As the OSV import: an oversized upload is refused unread; `post` checks CSRF itself.
        return csrf_exempt(super().as_view(**initkwargs))

    def render_page(self, request: HttpRequest, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        imports = list(NvdJvnImport.objects.select_related("started_by").order_by("-created_at", "-pk")[:10])
        for run in imports:
            _describe(run)  # type: ignore[arg-type]
        return render(
            request,
            self.template_name,
            {
                "title": _("NVD and JVN data"),
                "form": form,
                "imports": imports,
                "sources": nvd_jvn_sources(),
                "error": error,
                "can_change": can(request.user, CHANGE_SOFTWARE),
                "max_mb": limit_mb(services.max_enrichment_bytes()),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, NvdJvnImportForm(allow_path=can(request.user, Action.ADMINISTER)))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, CHANGE_SOFTWARE)
        if request_too_large(request, services.max_enrichment_bytes()):
            form = NvdJvnImportForm(allow_path=can(request.user, Action.ADMINISTER))
            return self.render_page(
                request, form, status=413, error=file_too_large_message(services.max_enrichment_bytes())
            )
        return csrf_protect(self.start)(request)

    def start(self, request: HttpRequest) -> HttpResponse:
        allow_path = can(request.user, Action.ADMINISTER)
        if request.POST.get("path") and not allow_path:
            raise PermissionDenied(_("You do not have permission to do this."))
        form = NvdJvnImportForm(request.POST, request.FILES, allow_path=allow_path)
        if form.is_valid():
            path = form.cleaned_data.get("path") or ""
            try:
                run = services.nvd_jvn_import_start(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    paths=[path] if path else None,
                    uploaded_file=form.cleaned_data.get("file"),
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"uploaded_file": "file", "paths": "path"})
                if not form.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The import has started."))
                return HttpResponseRedirect(reverse("software:nvd_jvn_import_detail", args=[run.pk]))
        return self.render_page(request, form, status=400)


class NvdJvnImportDetailView(SharedData, ObjectDetailView):
    """One run's progress; htmx polls the fragment every 2 s while it runs."""

    change_action = CHANGE_SOFTWARE
    model = NvdJvnImport
    template_name = "software/nvd_jvn_import_detail.html"

    def base_queryset(self) -> QuerySet[NvdJvnImport]:
        return NvdJvnImport.objects.select_related("started_by")

    def get_object(self, queryset: Any = None) -> Any:
        try:
            return self.base_queryset().get(pk=self.kwargs["pk"])
        except (NvdJvnImport.DoesNotExist, ValueError) as exc:
            from django.http import Http404

            raise Http404(_("Not found.")) from exc

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") == "true":
            return ["software/_nvd_jvn_import_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["run"] = _describe(self.object)
        ctx["running"] = self.object.is_running
        ctx["title"] = _("NVD and JVN data")
        return ctx
