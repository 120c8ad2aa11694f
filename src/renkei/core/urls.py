from django.urls import path

from renkei.core import audit_views
from renkei.registry.views import HomeView

app_name = "core"

urlpatterns = [
    path("", HomeView.as_view(), name="dashboard"),
    path("audit/", audit_views.AuditListView.as_view(), name="audit_list"),
    path("audit/<str:model_name>/<int:pk>/", audit_views.object_history, name="audit_object"),
]
