"""URLs of the framework library pages (under /assessments/, namespace "assessments")."""

from django.urls import path

from renkei.assessments.frameworks import views

urlpatterns = [
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/upload/", views.FrameworkUploadView.as_view(), name="framework_upload"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path("frameworks/<int:pk>/download/", views.FrameworkDownloadView.as_view(), name="framework_download"),
    path("frameworks/<int:pk>/active/", views.FrameworkActiveView.as_view(), name="framework_active"),
    path("frameworks/<int:pk>/delete/", views.FrameworkDeleteView.as_view(), name="framework_delete"),
]
