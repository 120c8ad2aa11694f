from django.urls import path

from renkei.software.enrichment import views as enrichment_views
from renkei.software.enrichment import views_nvd_jvn
from renkei.software.findings import views as findings_views
from renkei.software.licences import views as licences_views
from renkei.software.portfolio import views as portfolio_views
from renkei.software.vulndb import views as vulndb_views

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
    *crud("products", "product", portfolio_views.ProductListView, portfolio_views.ProductDetailView,
          portfolio_views.ProductEditView, portfolio_views.ProductDeleteView),
    *crud("releases", "release", portfolio_views.ReleaseListView, portfolio_views.ReleaseDetailView,
          portfolio_views.ReleaseEditView, portfolio_views.ReleaseDeleteView),
    path("releases/<int:pk>/sbom/", portfolio_views.SbomUploadView.as_view(), name="sbom_upload"),
    path("releases/<int:pk>/files/", portfolio_views.DeliveredFileUploadView.as_view(), name="file_upload"),
    path("releases/<int:pk>/vex/", findings_views.VexExportView.as_view(), name="vex_export"),
    path("findings/", findings_views.FindingListView.as_view(), name="finding_list"),
    path("findings/bulk-triage/", findings_views.FindingBulkTriageView.as_view(), name="finding_bulk_triage"),
    path("releases/<int:pk>/findings-status/", findings_views.ReleaseFindingsStatusView.as_view(),
         name="release_findings_status"),
    path("findings/<int:pk>/", findings_views.FindingDetailView.as_view(), name="finding_detail"),
    path("findings/<int:pk>/triage/", findings_views.FindingTriageView.as_view(), name="finding_triage"),
    path("findings/<int:pk>/request-response/", findings_views.FindingRequestResponseView.as_view(),
         name="finding_request_response"),
    path("search/", portfolio_views.PortfolioSearchView.as_view(), name="portfolio_search"),
    path("vulnerabilities/", vulndb_views.VulnerabilityListView.as_view(), name="vulnerability_list"),
    path("vulnerabilities/<int:pk>/", vulndb_views.VulnerabilityDetailView.as_view(), name="vulnerability_detail"),
    path("licences/", licences_views.LicencePolicyView.as_view(), name="licence_policy"),
    path("osv/", vulndb_views.OsvImportView.as_view(), name="osv_import"),
    path("osv/<int:pk>/", vulndb_views.OsvImportDetailView.as_view(), name="osv_import_detail"),
    path("sources/", enrichment_views.SourcesView.as_view(), name="enrichment_sources"),
    path("sources/kev/", enrichment_views.EnrichmentImportView.as_view(kind="kev"), name="kev_import"),
    path("sources/epss/", enrichment_views.EnrichmentImportView.as_view(kind="epss"), name="epss_import"),
    path("sources/imports/<int:pk>/", enrichment_views.EnrichmentImportDetailView.as_view(),
         name="enrichment_import_detail"),
    path("sources/nvd-jvn/", views_nvd_jvn.NvdJvnImportView.as_view(), name="nvd_jvn_import"),
    path("sources/nvd-jvn/<int:pk>/", views_nvd_jvn.NvdJvnImportDetailView.as_view(),
         name="nvd_jvn_import_detail"),
]
