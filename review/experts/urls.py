"""Expert review URLs, namespace "experts". The expert workspace itself is review:expert_workspace."""

from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    # Expert side: only the expert's own assignments.
    path("expert/assignments/<int:pk>/", views.AssignmentView.as_view(), name="assignment"),
    path("expert/assignments/<int:pk>/open/", views.OpenPlanView.as_view(), name="open_plan"),
    path("expert/assignments/<int:pk>/score/", views.ScoreView.as_view(), name="score"),
    # National side.
    path("national/expert-review/", views.IndexView.as_view(), name="index"),
    path("national/experts/", views.ExpertListView.as_view(), name="expert_list"),
    path("national/calls/<int:call_pk>/panel/", views.PanelView.as_view(), name="panel"),
    path("national/calls/<int:call_pk>/rubric/", views.RubricView.as_view(), name="rubric"),
    path("national/calls/<int:call_pk>/assignments/", views.AssignmentsView.as_view(), name="assignments"),
    path("national/calls/<int:call_pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path("national/calls/<int:call_pk>/expert-scores.xlsx", views.SummaryXlsxView.as_view(), name="summary_xlsx"),
    path("national/applications/<int:pk>/expert-scores/", views.ApplicationScoresView.as_view(),
         name="application_scores"),
]
