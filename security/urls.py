from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("accounts/two-factor/", views.VerifyView.as_view(), name="verify"),
    path("accounts/two-factor/setup/", views.EnrolView.as_view(), name="enrol"),
    path("accounts/two-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("accounts/session/", views.SessionClockView.as_view(), name="session_clock"),
    path("accounts/kept/<int:pk>/", views.KeptFormView.as_view(), name="kept_form"),
    path("security/", views.SecurityWorkspaceView.as_view(), name="workspace"),
    path("audit/", views.AuditWorkspaceView.as_view(), name="audit_workspace"),
]
