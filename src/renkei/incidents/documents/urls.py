"""The drafts page, the drafts' wording and their export, included by the incidents app's urls.py."""

from django.urls import path

from renkei.incidents.documents.views import (
    DraftsView,
    ReportFieldsView,
    incident_notice_export,
    incident_report_export,
)

urlpatterns = [
    path("<int:pk>/drafts/", DraftsView.as_view(), name="incident_drafts"),
    path("<int:pk>/drafts/edit/", ReportFieldsView.as_view(), name="incident_report_fields"),
    path("<int:pk>/report/", incident_report_export, name="incident_report_export"),
    path("<int:pk>/notice/", incident_notice_export, name="incident_notice_export"),
]
