"""The drafts page (what is still missing, downloads), the form for the drafts' wording, and the
export of the PPC report draft (nine items) and the notice to individuals, as .docx or PDF.

The drafts are built only from the fields written for them (`documents.selectors`); the CSIRT
reads them through and completes them in Word. The documents are always Japanese (see `drafts`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, require
from renkei.core.views.objects import ObjectEditView
from renkei.incidents.documents import drafts, services
from renkei.incidents.documents.forms import REPORT_FIELDS, ReportFieldsForm
from renkei.incidents.documents.selectors import drafts_status, notice_data, report_data
from renkei.incidents.permissions import VIEW_INCIDENTS
from renkei.incidents.response.models import Incident
from renkei.incidents.response.views import VIA, IncidentPageView, IncidentsAccess, incident_queryset

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}
STAGES = ("preliminary", "final")


# --- the drafts page and the wording form -------------------------------------------------------


class DraftsView(IncidentPageView):
    """報告・通知の下書き: the wording as it will be printed, what is missing, and the downloads."""

    template_name = "incidents/drafts.html"

    def page_context(self, incident: Incident) -> dict[str, Any]:
        form = ReportFieldsForm(instance=incident)
        items = [(form[name].label, getattr(incident, name)) for name in REPORT_FIELDS]
        return {"title": _("Report and notice drafts"), "status": drafts_status(incident), "items": items}


class ReportFieldsView(IncidentsAccess, ObjectEditView):
    """Edit "報告・通知用の記載" (a stale submit gets the conflict page, as every edit)."""

    model = Incident
    form_class = ReportFieldsForm
    template_name = "incidents/report_fields_edit.html"
    title_update = gettext_lazy("Wording for the report and notice")

    def base_queryset(self) -> Any:
        return incident_queryset()

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.incident_report_fields_update(user=self.request.user, incident=instance, via=VIA)

    def success_url(self, saved: Any) -> str:
        return reverse("incidents:incident_drafts", args=[saved.pk])


# --- the downloads ------------------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Incident:
    require(request.user, VIEW_INCIDENTS)
    return get_visible_or_404(incident_queryset(), request.user, pk=pk)


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "docx")
    if fmt not in FORMATS:
        raise RenkeiError(_("Choose .docx or PDF."), field_name="format")
    return fmt


def _download(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{filename}.{fmt}") or ""
    response["Cache-Control"] = "no-store"
    return response


@login_required
def incident_report_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The report to the PPC (速報 or 確報 draft), `?format=docx|pdf&stage=preliminary|final`."""
    incident = _incident(request, pk)
    fmt = _format(request)
    stage = request.GET.get("stage", "preliminary")
    if stage not in STAGES:
        raise RenkeiError(_("Choose the preliminary or the final report."), field_name="stage")
    data = report_data(incident, stage=stage)
    render = drafts.report_docx if fmt == "docx" else drafts.report_pdf
    label = drafts.STAGE_LABELS[stage]
    return _download(render(data), fmt=fmt, filename=f"個人データ漏えい等報告書_{label}_案_{incident.pk}")


@login_required
def incident_notice_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice to the people affected, `?format=docx|pdf`."""
    incident = _incident(request, pk)
    fmt = _format(request)
    data = notice_data(incident)
    render = drafts.notice_docx if fmt == "docx" else drafts.notice_pdf
    return _download(render(data), fmt=fmt, filename=f"本人への通知_案_{incident.pk}")
