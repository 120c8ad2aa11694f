"""Export of the report drafts, included by the incidents app's urls.py."""

from django.urls import path

from renkei.incidents.documents.views import incident_notice_export, incident_report_export

urlpatterns = [
    path("<int:pk>/report/", incident_report_export, name="incident_report_export"),
    path("<int:pk>/notice/", incident_notice_export, name="incident_notice_export"),
]
