from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("applications/<int:pk>/documents/", views.ApplicationDocumentsView.as_view(), name="list"),
    path("applications/<int:pk>/documents/<str:kind>/request/", views.RequestApplicationDocumentView.as_view(),
         name="request"),
    path("calls/<int:pk>/documents/score-summary/", views.ScoreSummaryView.as_view(), name="score_summary"),
    path("calls/<int:pk>/documents/score-summary/request/", views.RequestScoreSummaryView.as_view(),
         name="request_score_summary"),
    path("exports/", views.ExportListView.as_view(), name="exports"),
    path("exports/<str:kind>/", views.RequestExportView.as_view(), name="export"),
    path("documents/<int:pk>/status/", views.StatusView.as_view(), name="status"),
    path("documents/<int:pk>/download/", views.DownloadView.as_view(), name="download"),
]
