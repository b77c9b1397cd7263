from django.urls import path

from . import views
from .experts import views as expert_views

app_name = "review"
urlpatterns = [
    path("province/", views.ProvincialWorkspaceView.as_view(), name="provincial_workspace"),
    path("province/ranking/<int:call_pk>/", views.ProvincialRankingView.as_view(), name="provincial_ranking"),
    path("province/deadlines/", views.ProvinceDeadlinesView.as_view(), name="province_deadlines"),
    path("province/deadlines/<int:call_pk>/", views.ProvinceDeadlinesView.as_view(), name="set_province_deadline"),
    path("national/", views.NationalWorkspaceView.as_view(), name="national_workspace"),
    path("national/distribution/", views.DistributionView.as_view(), name="distribution"),
    path("national/applications/<int:pk>/formal-review/", views.FormalReviewView.as_view(), name="formal_review"),
    path("applications/<int:pk>/transition/", views.TransitionView.as_view(), name="transition"),
    path("applications/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("expert/", expert_views.ExpertWorkspaceView.as_view(), name="expert_workspace"),
]
