"""The form "報告・通知用の記載": the wording the PPC report and the notice to individuals print."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renkei.incidents.response.forms import IncidentsModelForm
from renkei.incidents.response.models import Incident

REPORT_FIELDS = (
    "report_summary",
    "report_data_items",
    "report_cause",
    "report_secondary_damage",
    "report_response_to_persons",
    "report_publication",
    "report_prevention",
    "report_other",
)


class ReportFieldsForm(IncidentsModelForm):
    """The eight free-text items (the edit view adds the hidden `version`, as for every edit)."""

    class Meta:
        model = Incident
        fields = list(REPORT_FIELDS)
        labels = {
            "report_summary": _("Summary"),
            "report_data_items": _("Personal data items concerned"),
            "report_cause": _("Cause"),
            "report_secondary_damage": _("Secondary damage or its risk"),
            "report_response_to_persons": _("Response to the persons"),
            "report_publication": _("Publication"),
            "report_prevention": _("Measures to prevent recurrence"),
            "report_other": _("Other matters for reference"),
        }
        help_texts = {
            "report_summary": _(
                "What happened, for outsiders: when it happened and was found, what leaked or may have leaked, "
                "and from where. Printed in the report and in the notice; do not paste the reporter's words or "
                "internal notes."
            ),
            "report_data_items": _("e.g. name, address, telephone number, purchase history. Name special-care "
                                   "personal information explicitly."),
            "report_cause": _("How it happened, as far as known (e.g. unauthorised access to a contractor's "
                              "server). Write 'under investigation' if unknown."),
            "report_secondary_damage": _("Whether there is secondary damage or a risk of it, and what "
                                         "(e.g. phishing e-mails); 'none confirmed so far' if so."),
            "report_response_to_persons": _("Report only: whether and how the persons were or will be "
                                            "notified, with dates."),
            "report_publication": _("Report only: whether and where it was or will be made public."),
            "report_prevention": _("Report only: the measures decided or taken, in sentences (not the task list)."),
            "report_other": _("e.g. the police or other authorities consulted, what the persons should watch "
                              "for. Printed in the report and in the notice."),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in REPORT_FIELDS}
