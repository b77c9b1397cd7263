from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("applicant/", views.ApplicantWorkspaceView.as_view(), name="workspace"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
]
