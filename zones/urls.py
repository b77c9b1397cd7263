from django.urls import path

from . import views

app_name = "zones"
urlpatterns = [
    path("zones/", views.ZoneIndexView.as_view(), name="index"),
    path("zones/mine/", views.MyZoneView.as_view(), name="mine"),
    path("zones/<int:pk>/", views.ZoneDetailView.as_view(), name="detail"),
    path("zones/<int:pk>/reports/<int:report_pk>/", views.ReportView.as_view(), name="report"),
    path("zones/<int:pk>/indicators/<int:year>/", views.IndicatorView.as_view(), name="indicators"),
    path("zones/<int:pk>/inspections/new/", views.InspectionView.as_view(), name="inspection"),
    path("zones/<int:pk>/acceptance/", views.AcceptanceView.as_view(), name="acceptance"),
    path("zones/files/<int:pk>/", views.FileView.as_view(), name="file"),
    path("zones/activities/", views.ActivityListView.as_view(), name="activities"),
    path("zones/activities/<int:pk>/", views.ActivityView.as_view(), name="activity"),
    path("applications/<int:pk>/zone/", views.ApplicationZoneView.as_view(), name="for_application"),
    path("expert/acceptance/<int:pk>/", views.AcceptanceAssignmentView.as_view(), name="acceptance_assignment"),
    path("expert/acceptance/<int:pk>/score/", views.AcceptanceScoreView.as_view(), name="acceptance_score"),
]
