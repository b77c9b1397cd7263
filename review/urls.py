from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("province/", views.ProvincialWorkspaceView.as_view(), name="provincial_workspace"),
    path("national/", views.NationalWorkspaceView.as_view(), name="national_workspace"),
    path("expert/", views.ExpertWorkspaceView.as_view(), name="expert_workspace"),
]
