"""URLs of the Excel pages: staff ones (under /assessments/, namespace "assessments") and the portal ones
(`portal_urlpatterns`, included by `portal/urls.py` under /portal/, namespace "portal")."""

from django.urls import path

from renkei.assessments.excel import checksheet_views, views

urlpatterns = [
    path("frameworks/import-excel/", checksheet_views.FrameworkImportUploadView.as_view(), name="framework_excel_import"),
    path("frameworks/import-excel/sheet/", checksheet_views.FrameworkImportSheetView.as_view(), name="framework_excel_import_sheet"),
    path("frameworks/import-excel/columns/", checksheet_views.FrameworkImportColumnsView.as_view(), name="framework_excel_import_columns"),
    path("frameworks/import-excel/create/", checksheet_views.FrameworkImportCreateView.as_view(), name="framework_excel_import_create"),
    path("assignments/<int:pk>/excel/export/", views.AssignmentExportView.as_view(), name="assignment_excel_export"),
    path("assignments/<int:pk>/excel/import/", views.AssignmentImportView.as_view(), name="assignment_excel_import"),
]

portal_urlpatterns = [
    path("a/<int:pk>/excel/export/", views.portal_export, name="excel_export"),
    path("a/<int:pk>/excel/import/", views.portal_import, name="excel_import"),
]
