from django.urls import path

from renkei.software.findings import views as views_findings
from renkei.software.portfolio import views
from renkei.software.vulndb import views as views_database

app_name = "software"


def crud(prefix: str, name: str, list_view, detail_view, edit_view, delete_view):  # type: ignore[no-untyped-def]
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", edit_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_update"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


urlpatterns = [
    *crud("products", "product", views.ProductListView, views.ProductDetailView, views.ProductEditView,
          views.ProductDeleteView),
    *crud("releases", "release", views.ReleaseListView, views.ReleaseDetailView, views.ReleaseEditView,
          views.ReleaseDeleteView),
    path("releases/<int:pk>/sbom/", views.SbomUploadView.as_view(), name="sbom_upload"),
    path("releases/<int:pk>/files/", views.DeliveredFileUploadView.as_view(), name="file_upload"),
    path("releases/<int:pk>/vex/", views.VexExportView.as_view(), name="vex_export"),
    path("findings/", views_findings.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views_findings.FindingDetailView.as_view(), name="finding_detail"),
    path("findings/<int:pk>/triage/", views_findings.FindingTriageView.as_view(), name="finding_triage"),
    path("findings/<int:pk>/request-response/", views_findings.FindingRequestResponseView.as_view(),
         name="finding_request_response"),
    path("search/", views_database.PortfolioSearchView.as_view(), name="portfolio_search"),
    path("vulnerabilities/", views_database.VulnerabilityListView.as_view(), name="vulnerability_list"),
    path("vulnerabilities/<int:pk>/", views_database.VulnerabilityDetailView.as_view(), name="vulnerability_detail"),
    path("licences/", views_database.LicencePolicyView.as_view(), name="licence_policy"),
    path("osv/", views_database.OsvImportView.as_view(), name="osv_import"),
    path("osv/<int:pk>/", views_database.OsvImportDetailView.as_view(), name="osv_import_detail"),
]
