"""URLs of the follow-up pages (under /assessments/, namespace "assessments")."""

from django.urls import path

from renkei.assessments.followups import views

urlpatterns = [
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/new/", views.FollowUpEditView.as_view(), name="followup_create"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/edit/", views.FollowUpEditView.as_view(), name="followup_update"),
    path("follow-ups/<int:pk>/message/", views.FollowUpMessageView.as_view(), name="followup_message"),
    path("follow-ups/<int:pk>/delete/", views.FollowUpDeleteView.as_view(), name="followup_delete"),
    path(
        "follow-ups/from-finding/<int:pk>/", views.FollowUpFromFindingView.as_view(), name="followup_from_finding"
    ),
]
