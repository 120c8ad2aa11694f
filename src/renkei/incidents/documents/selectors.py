"""From an incident to the drafts' data: only the fields written for them (報告・通知用の記載).

The drafts never take the internal description, the timeline, the intake reporter's words, task
titles or the list of affected assets: those are internal and may name people, suspicions or data
unrelated to the persons written to. The CSIRT writes the public wording in the form
"報告・通知用の記載" (`documents.forms.ReportFieldsForm`); what is left empty is flagged in the draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from renkei.incidents.documents.drafts import (
    NoticeData,
    ReportData,
    missing_notice_items,
    missing_report_items,
)
from renkei.incidents.response import selectors
from renkei.incidents.response.models import Incident


def inquiry_contact() -> str:
    """The inquiry desk printed on both drafts (`RENKEI_INQUIRY_CONTACT`); empty when not set."""
    return str(getattr(settings, "RENKEI_INQUIRY_CONTACT", "") or "").strip()


def report_data(incident: Incident, *, stage: str = "preliminary") -> ReportData:
    """The report draft's data: the incident's report fields, the APPI reasons and the deadlines.

    The reasons are taken as codes from the assessment, so the document names the legal cases in the
    rules' own Japanese wording (`drafts.REASON_LABELS`) rather than the page's sentences.
    """
    deadlines = selectors.deadlines_for(incident)
    persons = incident.persons_estimate
    return ReportData(
        business_name=incident.group_company.name,
        incident_title=incident.title,
        stage=stage,
        learned_at=incident.learned_at,
        occurred_at=incident.occurred_at,
        prepared_on=timezone.localdate(),
        prelim_until=deadlines.prelim_until,
        final_due=deadlines.final_due,
        reasons=tuple(selectors.assessment_for(incident).reasons),
        summary=incident.report_summary,
        data_items=incident.report_data_items,
        persons=persons,
        persons_note="",  # the count the user confirmed on the APPI panel, not an estimate of ours
        cause=incident.report_cause,
        secondary_damage=incident.report_secondary_damage,
        response_to_persons=incident.report_response_to_persons,
        publication=incident.report_publication,
        prevention=incident.report_prevention,
        other=incident.report_other,
        contact=inquiry_contact(),
        is_drill=incident.is_drill,
    )


def notice_data(incident: Incident) -> NoticeData:
    """The notice draft's data: the same fields, the five items the people affected must be told."""
    return NoticeData(
        business_name=incident.group_company.name,
        incident_title=incident.title,
        prepared_on=timezone.localdate(),
        summary=incident.report_summary,
        data_items=incident.report_data_items,
        cause=incident.report_cause,
        secondary_damage=incident.report_secondary_damage,
        other=incident.report_other,
        contact=inquiry_contact(),
        is_drill=incident.is_drill,
    )


@dataclass(frozen=True)
class DraftsStatus:
    """What the drafts page warns about before anything is sent."""

    report_missing: list[str]
    notice_missing: list[str]
    contact: str

    @property
    def ready(self) -> bool:
        return not (self.report_missing or self.notice_missing or not self.contact)


def drafts_status(incident: Incident) -> DraftsStatus:
    """The items still empty in each draft, and the inquiry contact (empty: not configured)."""
    return DraftsStatus(
        report_missing=missing_report_items(report_data(incident)),
        notice_missing=missing_notice_items(notice_data(incident)),
        contact=inquiry_contact(),
    )
