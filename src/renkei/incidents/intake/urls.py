"""Intake pages: `urlpatterns` are the CSIRT's (in the incidents namespace, included by the app's
urls.py), `public_urlpatterns` the reporter's form and status pages (no login; the project's urls.py
mounts them under /report/ in the `intake` namespace)."""

from django.urls import path

from renkei.incidents.intake.views import (
    IntakeListView,
    intake_attachment,
    intake_create_incident,
    intake_detail,
    intake_form,
    intake_receipt,
    intake_reply,
    intake_status,
    intake_status_detail,
    intake_status_end,
    intake_triage,
)

public_urlpatterns = [
    path("", intake_form, name="form"),
    path("receipt/", intake_receipt, name="receipt"),
    path("status/", intake_status, name="status"),
    path("status/report/", intake_status_detail, name="status_detail"),
    path("status/end/", intake_status_end, name="status_end"),
]

urlpatterns = [
    path("intake/", IntakeListView.as_view(), name="intake_list"),
    path("intake/<int:pk>/", intake_detail, name="intake_detail"),
    path("intake/<int:pk>/triage/", intake_triage, name="intake_triage"),
    path("intake/<int:pk>/reply/", intake_reply, name="intake_reply"),
    path("intake/<int:pk>/incident/", intake_create_incident, name="intake_create_incident"),
    path("intake/attachments/<int:pk>/", intake_attachment, name="intake_attachment"),
]
