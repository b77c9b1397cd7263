from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("administration/", views.AdminWorkspaceView.as_view(), name="admin_workspace"),
    path("no-role/", views.NoRoleView.as_view(), name="no_role"),
]
