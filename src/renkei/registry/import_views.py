"""Import pages (upload → preview → commit) and the registry export download."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import ENCODING_CHOICES
from renkei.core.files.uploads import check_size, limit_mb, request_too_large, too_large
from renkei.core.network import client_address
from renkei.core.permissions import Action
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.importexport import pending, writing
from renkei.registry.importexport.plan import build_plan
from renkei.registry.importexport.reading import ParsedUpload, parse_upload
from renkei.registry.importexport.rows import ERROR, NEW, UNCHANGED, UPDATE, Plan
from renkei.registry.importexport.schema import KIND_LABELS, KINDS, SCHEMAS
from renkei.registry.importexport.tasks import commit_import
from renkei.registry.permissions import CHANGE_REGISTRY

PREVIEW_ROWS_PER_KIND = 1000
STATUS_ORDER = {ERROR: 0, NEW: 1, UPDATE: 2, UNCHANGED: 3}
# Room for the form fields and multipart framing around the file itself.


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8 or Shift_JIS) or Excel (.xlsx)."))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of records"),
        required=False,
        choices=[("", gettext_lazy("Detect from the file")), *KIND_LABELS.items()],
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding (CSV only)"),
        choices=ENCODING_CHOICES,
        initial="auto",
    )


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "ja"


def _render_upload(
    request: HttpRequest,
    form: ImportForm,
    error: RenkeiError | None = None,
    status: int = 200,
    *,
    running: bool = False,
    outcome: dict[str, Any] | None = None,
) -> HttpResponse:
    language = _language(request)
    counts = (outcome or {}).get("counts") or {}
    context = {
        "running": running,
        "outcome": outcome,
        "outcome_sections": [
            {"label": KIND_LABELS[k], "counts": counts[k]} for k in KINDS if isinstance(counts.get(k), dict)
        ],
        "statuses": {NEW: _("new"), UPDATE: _("update"), UNCHANGED: _("unchanged")},
        "title": _("Import / export"),
        "form": form,
        "error": error,
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "columns": [(KIND_LABELS[k], [c.header(language) for c in SCHEMAS[k].columns]) for k in KINDS],
        "max_mb": limit_mb(),
    }
    return render(request, "registry/import.html", context, status=status)


def _render_preview(
    request: HttpRequest, upload: ParsedUpload, plan: Plan, token: str, error: RenkeiError | None = None, status: int = 200
) -> HttpResponse:
    counts = plan.counts()
    sections = []
    for sheet in upload.sheets:
        rows = sorted((r for r in plan.rows if r.kind == sheet.kind), key=lambda r: (STATUS_ORDER[r.status], r.row))
        sections.append(
            {
                "kind": sheet.kind,
                "label": KIND_LABELS[sheet.kind],
                "title": sheet.title,
                "counts": counts.get(sheet.kind, {}),
                "rows": rows[:PREVIEW_ROWS_PER_KIND],
                "hidden": max(0, len(rows) - PREVIEW_ROWS_PER_KIND),
            }
        )
    context = {
        "title": _("Import preview"),
        "filename": upload.filename,
        "sections": sections,
        "has_errors": plan.has_errors,
        "has_changes": any(r.status in (NEW, UPDATE) for r in plan.rows),
        "token": token,
        "error": error,
        "statuses": {NEW: _("new"), UPDATE: _("update"), UNCHANGED: _("unchanged"), ERROR: _("error")},
    }
    return render(request, "registry/import_preview.html", context, status=status)


class ImportView(RenkeiViewMixin, View):
    """Upload a file and see, row by row, what importing it would do."""

    permission_action = CHANGE_REGISTRY

    def get(self, request: HttpRequest) -> HttpResponse:
        committing, outcome = pending.commit_outcome(request.session)
        return _render_upload(request, ImportForm(), running=committing and outcome is None, outcome=outcome)

    def post(self, request: HttpRequest) -> HttpResponse:
        if request_too_large(request):
            return _render_upload(request, ImportForm(), too_large(), status=413)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _render_upload(request, form, status=400)
        upload_file = form.cleaned_data["file"]
        try:
            check_size(upload_file.size)
            upload = parse_upload(
                upload_file.read(),
                filename=upload_file.name or "upload",
                kind=form.cleaned_data["kind"] or None,
                encoding=form.cleaned_data["encoding"],
            )
        except RenkeiError as exc:
            return _render_upload(request, form, exc, status=exc.status)
        plan = build_plan(user=request.user, upload=upload)
        token = pending.save_pending(request.session, upload)
        return _render_preview(request, upload, plan, token)


class ImportCommitView(RenkeiViewMixin, View):
    """Hand the previewed upload to the worker to commit in one transaction, or cancel it."""

    permission_action = CHANGE_REGISTRY

    def post(self, request: HttpRequest) -> HttpResponse:
        if "cancel" in request.POST:
            pending.discard_pending(request.session)
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return HttpResponseRedirect(reverse("registry:import"))
        token = request.POST.get("token", "")
        path = pending.start_commit(request.session, token)
        if path is None:
            messages.error(request, _("This upload is no longer available; upload the file again."))
            return HttpResponseRedirect(reverse("registry:import"))
        commit_import.enqueue(
            token=token,
            path=path,
            user_id=cast(int, request.user.pk),  # the mixin has required a logged-in user
            language=_language(request),
            remote_addr=client_address(request),
        )
        return HttpResponseRedirect(reverse("registry:import"))


class ExportView(RenkeiViewMixin, View):
    """Download what the user may see: one kind as CSV, or every kind as one workbook."""

    permission_action = Action.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        file_format = request.GET.get("format", "xlsx")
        kind = request.GET.get("kind") or None
        if kind is not None and kind not in KINDS:
            raise RenkeiError(_("Unknown kind of records: {kind}").format(kind=kind), field_name="kind")
        language = _language(request)
        if file_format == "csv":
            kind = kind or KINDS[0]
            content = writing.write_csv(user=request.user, kind=kind, language=language)
            response = HttpResponse(content, content_type=writing.CSV_CONTENT_TYPE)
            filename = writing.export_filename(kind, "csv")
        elif file_format == "xlsx":
            kinds = (kind,) if kind else KINDS
            content = writing.write_xlsx(user=request.user, language=language, kinds=kinds)
            response = HttpResponse(content, content_type=writing.XLSX_CONTENT_TYPE)
            filename = writing.export_filename(kind, "xlsx")
        else:
            raise RenkeiError(_("Unknown file format: {format}").format(format=file_format), field_name="format")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

