"""The partner portal under /portal/ (namespace "portal"): no account, a portal link opens one party's assessments."""

from django.urls import include, path

from renkei.assessments.excel import urls as excel_urls
from renkei.assessments.portal import access, views

app_name = "portal"

urlpatterns = [
    path("t/<str:token>/", access.enter, name="enter"),
    path("", views.home, name="home"),
    path("name/", access.name_page, name="name"),
    path("leave/", access.leave, name="leave"),
    path("a/<int:pk>/", views.assignment_page, name="assignment"),
    path("a/<int:pk>/q/<int:qid>/", views.answer_save, name="answer_save"),
    path("a/<int:pk>/q/<int:qid>/evidence/", views.evidence_add, name="evidence_add"),
    path("a/<int:pk>/q/<int:qid>/comment/", views.comment_add, name="comment_add"),
    path("a/<int:pk>/q/<int:qid>/confirm/", views.confirm, name="confirm"),
    path("a/<int:pk>/s/<int:sid>/", views.section_save, name="section_save"),
    path("a/<int:pk>/evidence/<int:eid>/delete/", views.evidence_delete, name="evidence_delete"),
    path("a/<int:pk>/confirm/", views.confirm_all, name="confirm_all"),
    path("a/<int:pk>/comment/", views.comment_general, name="comment"),
    path("a/<int:pk>/submit/", views.submit, name="submit"),
    path("a/<int:pk>/declarations/", views.declarations, name="declarations"),
    path("a/<int:pk>/declarations/<int:did>/delete/", views.declaration_delete, name="declaration_delete"),
    path("followups/<int:pk>/", views.followup, name="followup"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("", include(excel_urls.portal_urlpatterns)),
]
