from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("applications/<int:pk>/documents/", views.application_documents, name="list"),
    path("applications/<int:pk>/documents/<str:kind>/request/", views.request_application_document,
         name="request"),
    path("calls/<int:pk>/documents/score-summary/", views.score_summary, name="score_summary"),
    path("calls/<int:pk>/documents/score-summary/request/", views.request_score_summary,
         name="request_score_summary"),
    path("documents/<int:pk>/status/", views.status_fragment, name="status"),
    path("documents/<int:pk>/download/", views.download, name="download"),
]
