from django.urls import path

from renkei.registry import import_views, views

app_name = "registry"


def crud(prefix: str, name: str, list_view, detail_view, edit_view, delete_view):  # type: ignore[no-untyped-def]
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", edit_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_update"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


urlpatterns = [
    *crud("organisations", "organisation", views.OrganisationListView, views.OrganisationDetailView,
          views.OrganisationEditView, views.OrganisationDeleteView),
    *crud("relationships", "relationship", views.RelationshipListView, views.RelationshipDetailView,
          views.RelationshipEditView, views.RelationshipDeleteView),
    *crud("contacts", "contact", views.ContactListView, views.ContactDetailView, views.ContactEditView,
          views.ContactDeleteView),
    *crud("certifications", "certification", views.CertificationListView, views.CertificationDetailView,
          views.CertificationEditView, views.CertificationDeleteView),
    path("organisations/<int:pk>/offboard/", views.OrganisationOffboardView.as_view(), name="organisation_offboard"),
    path("certifications/<int:pk>/evidence/", views.CertificationEvidenceView.as_view(), name="certification_evidence"),
    *crud("assets", "asset", views.AssetListView, views.AssetDetailView, views.AssetEditView, views.AssetDeleteView),
    *crud("holdings", "holding", views.HoldingListView, views.HoldingDetailView, views.HoldingEditView,
          views.HoldingDeleteView),
    *crud("access", "access", views.AccessListView, views.AccessDetailView, views.AccessEditView,
          views.AccessDeleteView),
    path("import/", import_views.ImportView.as_view(), name="import"),
    path("import/commit/", import_views.ImportCommitView.as_view(), name="import_commit"),
    path("export/", import_views.ExportView.as_view(), name="export"),
]
