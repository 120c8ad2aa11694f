"""The dashboard at `/`. `renkei/urls.py` puts these patterns in the `core` namespace, so the
page keeps its name `core:dashboard` while core itself imports no app."""

from django.urls import path

from renkei.reports.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="dashboard"),
]
