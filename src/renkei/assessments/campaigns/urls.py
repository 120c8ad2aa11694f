"""URLs of the required-level, link, policy and campaign pages (under /assessments/, namespace "assessments")."""

from django.urls import path

from renkei.assessments.campaigns import party_views, selection_views, views

urlpatterns = [
    path("", party_views.PartyListView.as_view(), name="party_list"),
    path("parties/<int:pk>/", party_views.PartyAssuranceView.as_view(), name="party_assurance"),
    path("parties/<int:pk>/override/", party_views.OverrideView.as_view(), name="party_override"),
    path("parties/<int:pk>/override/clear/", party_views.OverrideClearView.as_view(), name="party_override_clear"),
    path("parties/<int:pk>/links/", party_views.PartyLinksView.as_view(), name="party_links"),
    path("parties/<int:pk>/links/issue/", party_views.PartyLinkIssueView.as_view(), name="party_link_issue"),
    path("links/<int:pk>/revoke/", party_views.LinkRevokeView.as_view(), name="link_revoke"),
    path("parties/<int:pk>/assess/", party_views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("policy/", party_views.PolicyView.as_view(), name="policy"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignEditView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_update"),
    path("campaigns/<int:pk>/parties/", selection_views.CampaignPartiesView.as_view(), name="campaign_parties"),
    path("campaigns/<int:pk>/parties/search/", selection_views.CampaignPartySearchView.as_view(), name="campaign_party_search"),
    path("campaigns/<int:pk>/parties/add/", selection_views.CampaignPartyAddView.as_view(), name="campaign_party_add"),
    path("campaigns/<int:pk>/parties/<int:org_pk>/remove/", selection_views.CampaignPartyRemoveView.as_view(), name="campaign_party_remove"),
    path("campaigns/<int:pk>/progress/", views.CampaignProgressView.as_view(), name="campaign_progress"),
    path("campaigns/<int:pk>/launch/", selection_views.CampaignLaunchView.as_view(), name="campaign_launch"),
    path("campaigns/<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("campaigns/<int:pk>/delete/", views.CampaignDeleteView.as_view(), name="campaign_delete"),
]
