"""Export of the PPC report draft (nine items) and the notice to individuals, as .docx or PDF.

The drafts are prefilled from what the incident records (`selectors.report_data`: description,
affected assets, persons, the APPI answers and deadlines, the notification plan); the CSIRT
completes them in Word. The documents are always Japanese (see `documents`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404, require
from renkei.incidents import documents, selectors
from renkei.incidents.documents import NoticeData, ReportData
from renkei.incidents.models import Incident
from renkei.incidents.permissions import VIEW_INCIDENTS

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}
STAGES = ("preliminary", "final")


# --- from the incident to the documents' data --------------------------------------------------


def report_data(incident: Incident, *, stage: str = "preliminary") -> ReportData:
    """The report draft's data, from the incidents app's prefill (`selectors.report_data`).

    The reasons are taken as codes from the assessment, so the document names the legal cases in the
    rules' own Japanese wording (`documents.REASON_LABELS`) rather than the page's sentences.
    """
    prefill = selectors.report_data(incident)
    persons = prefill.get("persons")
    return ReportData(
        business_name=prefill["company"],
        incident_title=prefill["title"],
        stage=stage,
        learned_at=prefill["learned_at"],
        occurred_at=prefill["occurred_at"],
        prepared_on=timezone.localdate(),
        prelim_until=prefill["deadlines"]["prelim_until"],
        final_due=prefill["deadlines"]["final_due"],
        reasons=tuple(selectors.assessment_for(incident).reasons),
        summary=prefill["summary"],
        data_items=prefill["data_items"],
        persons=persons,
        persons_note="推定" if persons is not None else "",
        cause=prefill["cause"],
        secondary_damage=prefill["secondary_damage"],
        response_to_persons=prefill["response_to_persons"],
        publication=prefill["publication"],
        prevention=prefill["prevention"],
        other=prefill["other"],
        is_drill=incident.is_drill,
    )


def notice_data(incident: Incident) -> NoticeData:
    """The notice draft's data: the same facts, the five items the people affected must be told."""
    report = report_data(incident)
    return NoticeData(
        business_name=report.business_name,
        incident_title=report.incident_title,
        prepared_on=report.prepared_on,
        summary=report.summary,
        data_items=report.data_items,
        cause=report.cause,
        secondary_damage=report.secondary_damage,
        other=report.other,
        is_drill=report.is_drill,
    )


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
    render = documents.report_docx if fmt == "docx" else documents.report_pdf
    label = documents.STAGE_LABELS[stage]
    return _download(render(data), fmt=fmt, filename=f"個人データ漏えい等報告書_{label}_案_{incident.pk}")


@login_required
def incident_notice_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice to the people affected, `?format=docx|pdf`."""
    incident = _incident(request, pk)
    fmt = _format(request)
    data = notice_data(incident)
    render = documents.notice_docx if fmt == "docx" else documents.notice_pdf
    return _download(render(data), fmt=fmt, filename=f"本人への通知_案_{incident.pk}")


def urlpatterns_for_incidents() -> list[Any]:
    """The export pages, for the incidents app's urls.py."""
    return [
        path("<int:pk>/report/", incident_report_export, name="incident_report_export"),
        path("<int:pk>/notice/", incident_notice_export, name="incident_notice_export"),
    ]
