from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from accounts.forms import LoginForm

from . import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("review.urls")),
    path("", include("review.experts.urls")),
    path("", include("notifications.urls")),
    path("", include("documents.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]

__all__ = ["auth_views"]
