"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI served by the portal
itself from drf-spectacular-sidecar), and the user's token page /account/api-tokens/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import applications, documents, experts, notifications, review, tokens, zones

app_name = "api"

V1 = "api/v1/"
urlpatterns = [
    path("account/api-tokens/", tokens.TokensView.as_view(), name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", tokens.RevokeTokenView.as_view(), name="revoke_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # drf-spectacular's page with the portal's language on <html> (the UI itself is Swagger's).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
         name="docs"),
    # Calls and applications
    path(V1 + "calls/", applications.CallList.as_view(), name="call_list"),
    path(V1 + "calls/<int:pk>/", applications.CallDetail.as_view(), name="call_detail"),
    path(V1 + "applications/", applications.ApplicationList.as_view(), name="application_list"),
    path(V1 + "applications/<int:pk>/", applications.ApplicationDetail.as_view(), name="application_detail"),
    path(V1 + "applications/<int:pk>/versions/", applications.VersionList.as_view(), name="version_list"),
    path(V1 + "applications/<int:pk>/versions/<int:number>/", applications.VersionDetail.as_view(),
         name="version_detail"),
    path(V1 + "applications/<int:pk>/eligibility/", applications.EligibilityView.as_view(), name="eligibility"),
    path(V1 + "applications/<int:pk>/evidence/", applications.EvidenceList.as_view(), name="evidence_list"),
    path(V1 + "applications/<int:pk>/evidence/<int:evidence_pk>/download/", applications.EvidenceDownload.as_view(),
         name="evidence_download"),
    path(V1 + "applications/<int:pk>/transitions/", applications.TransitionList.as_view(), name="transition_list"),
    path(V1 + "applications/<int:pk>/transitions/<str:name>/", applications.TransitionPerform.as_view(),
         name="transition"),
    # Provincial and national review
    path(V1 + "applications/<int:pk>/provincial-reviews/", review.ProvincialReviewList.as_view(),
         name="provincial_reviews"),
    path(V1 + "applications/<int:pk>/formal-review/", review.FormalReviewView.as_view(), name="formal_review"),
    path(V1 + "province/rankings/", review.RankingList.as_view(), name="rankings"),
    path(V1 + "province/rankings/<int:call_pk>/", review.RankingUpdate.as_view(), name="ranking_update"),
    path(V1 + "national/summary/", review.NationalSummary.as_view(), name="national_summary"),
    path(V1 + "national/distribution/", review.Distribution.as_view(), name="distribution"),
    # Expert review: national staff
    path(V1 + "calls/<int:call_pk>/panel/", experts.Panel.as_view(), name="panel"),
    path(V1 + "calls/<int:call_pk>/assignments/", experts.Assignments.as_view(), name="assignments"),
    path(V1 + "calls/<int:call_pk>/assignments/auto/", experts.AutoAssign.as_view(), name="auto_assign"),
    path(V1 + "calls/<int:call_pk>/assignments/<int:pk>/withdraw/", experts.Withdraw.as_view(), name="withdraw"),
    path(V1 + "calls/<int:call_pk>/ranking/", experts.Ranking.as_view(), name="expert_ranking"),
    path(V1 + "applications/<int:pk>/scores/", experts.ApplicationScores.as_view(), name="application_scores"),
    # Expert review: the expert's own
    path(V1 + "expert/assignments/", experts.OwnAssignments.as_view(), name="own_assignments"),
    path(V1 + "expert/assignments/<int:pk>/", experts.OwnAssignment.as_view(), name="own_assignment"),
    path(V1 + "expert/assignments/<int:pk>/plan/", experts.OwnPlan.as_view(), name="own_plan"),
    path(V1 + "expert/assignments/<int:pk>/conflict/", experts.DeclareConflict.as_view(), name="declare_conflict"),
    path(V1 + "expert/assignments/<int:pk>/score/", experts.OwnScore.as_view(), name="own_score"),
    # Documents and exports
    path(V1 + "applications/<int:pk>/documents/", documents.ApplicationDocuments.as_view(), name="documents"),
    path(V1 + "applications/<int:pk>/documents/<str:kind>/", documents.RequestApplicationDocument.as_view(),
         name="request_document"),
    path(V1 + "calls/<int:pk>/score-summary/", documents.ScoreSummary.as_view(), name="score_summary"),
    path(V1 + "documents/<int:pk>/", documents.DocumentDetail.as_view(), name="document"),
    path(V1 + "documents/<int:pk>/download/", documents.DocumentDownload.as_view(), name="document_download"),
    path(V1 + "exports/", documents.ExportList.as_view(), name="exports"),
    path(V1 + "exports/<str:kind>/", documents.RequestExport.as_view(), name="request_export"),
    # Notifications
    path(V1 + "notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path(V1 + "notifications/<int:pk>/read/", notifications.MarkRead.as_view(), name="mark_read"),
    path(V1 + "notifications/read-all/", notifications.MarkAllRead.as_view(), name="mark_all_read"),
    # Zones after 批复: the same scoping queries, rules, forms and services as the zone pages
    path(V1 + "zones/", zones.ZoneList.as_view(), name="zone_list"),
    path(V1 + "zones/<int:pk>/", zones.ZoneDetail.as_view(), name="zone_detail"),
    path(V1 + "zones/<int:pk>/transitions/<str:name>/", zones.ZoneTransition.as_view(), name="zone_transition"),
    path(V1 + "zones/<int:pk>/acceptance/", zones.Acceptance.as_view(), name="zone_acceptance"),
    path(V1 + "zones/<int:pk>/reports/", zones.ReportList.as_view(), name="zone_reports"),
    path(V1 + "zones/<int:pk>/reports/<int:report_pk>/", zones.ReportDetail.as_view(), name="zone_report"),
    path(V1 + "zones/<int:pk>/reports/<int:report_pk>/versions/", zones.ReportVersions.as_view(),
         name="zone_report_versions"),
    path(V1 + "zones/<int:pk>/reports/<int:report_pk>/transitions/<str:name>/", zones.ReportTransition.as_view(),
         name="zone_report_transition"),
    path(V1 + "zones/<int:pk>/indicators/", zones.IndicatorList.as_view(), name="zone_indicators"),
    path(V1 + "zones/<int:pk>/indicators/<int:year>/", zones.IndicatorDetail.as_view(), name="zone_indicator"),
    path(V1 + "zones/<int:pk>/indicators/<int:year>/transitions/<str:name>/", zones.IndicatorTransition.as_view(),
         name="zone_indicator_transition"),
    path(V1 + "zones/<int:pk>/inspections/", zones.Inspections.as_view(), name="zone_inspections"),
    path(V1 + "zones/<int:pk>/rectifications/<int:rectification_pk>/transitions/<str:name>/",
         zones.RectificationTransition.as_view(), name="zone_rectification_transition"),
    path(V1 + "zones/<int:pk>/studies/", zones.Studies.as_view(), name="zone_studies"),
    path(V1 + "zones/files/<int:pk>/download/", zones.FileDownload.as_view(), name="zone_file_download"),
]
