from django.urls import path

from renkei.core import audit_views

# `renkei/urls.py` mounts these in the `core` namespace together with the dashboard of `reports`
# (`core:dashboard`), so that core imports no app.

urlpatterns = [
    path("audit/", audit_views.AuditListView.as_view(), name="audit_list"),
    path("audit/<str:model_name>/<int:pk>/", audit_views.object_history, name="audit_object"),
]
