"""Export of the PPC report draft (nine items) and the notice to individuals, as .docx or PDF.

The drafts are prefilled from what the incident records (`documents.selectors`); the CSIRT
completes them in Word. The documents are always Japanese (see `documents.drafts`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, require
from renkei.incidents.documents import drafts
from renkei.incidents.documents.selectors import notice_data, report_data
from renkei.incidents.permissions import VIEW_INCIDENTS
from renkei.incidents.response.models import Incident

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}
STAGES = ("preliminary", "final")


# --- the views ----------------------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Incident:
    require(request.user, VIEW_INCIDENTS)
    return get_visible_or_404(Incident.objects.select_related("group_company", "principal"), request.user, pk=pk)


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
