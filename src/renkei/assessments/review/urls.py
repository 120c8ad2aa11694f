"""URLs of the review pages (under /assessments/, namespace "assessments")."""

from django.urls import path

from renkei.assessments.review import views

urlpatterns = [
    path("assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/review/<int:question_pk>/", views.AnswerReviewView.as_view(), name="answer_review"),
    path("assignments/<int:pk>/accept-pending/", views.AcceptPendingView.as_view(), name="assignment_accept_pending"),
    path("assignments/<int:pk>/accept/", views.AssignmentAcceptView.as_view(), name="assignment_accept"),
    path("assignments/<int:pk>/return/", views.AssignmentReturnView.as_view(), name="assignment_return"),
    path("assignments/<int:pk>/reopen/", views.AssignmentReopenView.as_view(), name="assignment_reopen"),
    path("assignments/<int:pk>/follow-ups/", views.FollowupsFromAnswersView.as_view(), name="assignment_followups"),
    path("assignments/<int:pk>/resend/", views.ResendInvitationView.as_view(), name="assignment_resend"),
    path("assignments/<int:pk>/delete/", views.AssignmentDeleteView.as_view(), name="assignment_delete"),
    path("declarations/<int:pk>/accept/", views.DeclarationAcceptView.as_view(), name="declaration_accept"),
    path("declarations/<int:pk>/reject/", views.DeclarationRejectView.as_view(), name="declaration_reject"),
]
