"""From an incident to the drafts' data: the report's nine items and the notice's five, from the
response prefill (`response.selectors.report_data`: description, affected assets, persons, the APPI
answers and deadlines, the notification plan)."""

from __future__ import annotations

from django.utils import timezone

from renkei.incidents.documents.drafts import NoticeData, ReportData
from renkei.incidents.response import selectors
from renkei.incidents.response.models import Incident


def report_data(incident: Incident, *, stage: str = "preliminary") -> ReportData:
    """The report draft's data, from the incidents app's prefill (`selectors.report_data`).

    The reasons are taken as codes from the assessment, so the document names the legal cases in the
    rules' own Japanese wording (`drafts.REASON_LABELS`) rather than the page's sentences.
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
