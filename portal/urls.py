from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from security import views as security_views

from . import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Sign-in, sign-out and password pages with the authentication layer's rules (security/views.py);
    # Django's own views serve the rest of accounts/.
    path("accounts/login/", security_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", security_views.SignOutView.as_view(), name="logout"),
    path("accounts/password_change/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/reset/<uidb64>/<token>/", security_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("security.urls")),
    path("", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("review.urls")),
    path("", include("review.experts.urls")),
    path("", include("zones.urls")),
    path("", include("notifications.urls")),
    path("", include("documents.urls")),
    path("", include("audit.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
