from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("applicant/", views.ApplicantWorkspaceView.as_view(), name="workspace"),
    path("applications/new/", views.NewApplicationView.as_view(), name="new"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("applications/<int:pk>/edit/<slug:section>/", views.SectionView.as_view(), name="section"),
    path("applications/<int:pk>/eligibility/", views.EligibilityPanelView.as_view(), name="eligibility"),
    path("applications/<int:pk>/versions/<int:number>/", views.VersionView.as_view(), name="version"),
    path("applications/<int:pk>/evidence/<int:evidence_pk>/download/", views.EvidenceDownloadView.as_view(),
         name="evidence_download"),
    path("applications/<int:pk>/policies/<int:policy_pk>/document/", views.PolicyDocumentView.as_view(),
         name="policy_document"),
    path("applications/<int:pk>/versions/<int:number>/policies/<int:index>/document/",
         views.VersionPolicyDocumentView.as_view(), name="version_policy_document"),
]
