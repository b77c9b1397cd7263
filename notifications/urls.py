from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", views.mark_read, name="read"),
    path("inbox/read-all/", views.mark_all_read, name="read_all"),
]
