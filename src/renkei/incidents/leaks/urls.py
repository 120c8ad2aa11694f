"""The leak attribution pages, included by the incidents app's urls.py."""

from django.urls import path

from renkei.incidents.leaks.evidence_views import AttachmentTraceView, TraceEvidenceView
from renkei.incidents.leaks.views import (
    DatasetDeleteView,
    DatasetDetailView,
    DatasetListView,
    DatasetShareView,
    TraceView,
)

urlpatterns = [
    path("leaks/", DatasetListView.as_view(), name="dataset_list"),
    path("leaks/share/", DatasetShareView.as_view(), name="dataset_create"),
    path("leaks/<int:pk>/", DatasetDetailView.as_view(), name="dataset_detail"),
    path("leaks/<int:pk>/delete/", DatasetDeleteView.as_view(), name="dataset_delete"),
    path("leaks/trace/", TraceView.as_view(), name="leak_trace"),
    path("attachments/<int:pk>/trace/", AttachmentTraceView.as_view(), name="attachment_trace"),
    path("leaks/evidence/<int:pk>/", TraceEvidenceView.as_view(), name="trace_evidence"),
]
