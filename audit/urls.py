from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("audit/records/", views.RecordListView.as_view(), name="records"),
    path("audit/records/export/", views.ExportView.as_view(), name="export"),
]
