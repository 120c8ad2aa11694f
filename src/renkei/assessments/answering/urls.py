"""URLs of the staff answering page (under /assessments/, namespace "assessments")."""

from django.urls import path

from renkei.assessments.answering import views

urlpatterns = [
    path("assignments/<int:pk>/answer/", views.staff_answer_page, name="assignment_answer"),
    path("assignments/<int:pk>/answer/q/<int:qid>/", views.staff_answer_save, name="answer_save"),
    path("assignments/<int:pk>/answer/q/<int:qid>/evidence/", views.staff_evidence_add, name="answer_evidence_add"),
    path("assignments/<int:pk>/answer/q/<int:qid>/comment/", views.staff_comment_add, name="answer_comment_add"),
    path("assignments/<int:pk>/answer/q/<int:qid>/confirm/", views.staff_confirm, name="answer_confirm"),
    path("assignments/<int:pk>/answer/s/<int:sid>/", views.staff_section_save, name="answer_section_save"),
    path("assignments/<int:pk>/answer/evidence/<int:eid>/delete/", views.staff_evidence_delete, name="answer_evidence_delete"),
    path("assignments/<int:pk>/answer/confirm/", views.staff_confirm_all, name="answer_confirm_all"),
    path("assignments/<int:pk>/answer/comment/", views.staff_comment_general, name="answer_comment"),
    path("assignments/<int:pk>/submit/", views.staff_submit, name="assignment_submit"),
    path("evidence/<int:pk>/", views.staff_evidence_download, name="evidence_download"),
]
