"""Included by api/urls.py under /api/v1/reporting/ (namespace "api")."""
from django.urls import path

from . import views

urlpatterns = [
    path("periods/", views.PeriodListView.as_view(), name="reporting-periods"),
    path("periods/<int:pk>/submissions/", views.SubmissionListView.as_view(), name="reporting-submissions"),
    path("periods/<int:pk>/submit/", views.SubmitView.as_view(), name="reporting-submit"),
    path("periods/<int:pk>/approve/", views.ApproveView.as_view(), name="reporting-approve"),
    path("periods/<int:pk>/return/", views.ReturnView.as_view(), name="reporting-return"),
    path("periods/<int:pk>/reopen/", views.ReopenView.as_view(), name="reporting-reopen"),
    path("periods/<int:pk>/exceptions/", views.ExceptionView.as_view(), name="reporting-exception"),
    path("periods/<int:pk>/accept/", views.AcceptView.as_view(), name="reporting-accept"),
    path("periods/<int:pk>/freeze/", views.FreezeView.as_view(), name="reporting-freeze"),
    path("periods/<int:pk>/completeness/", views.CompletenessView.as_view(), name="reporting-completeness"),
    path("periods/<int:pk>/figures/", views.FiguresView.as_view(), name="reporting-figures"),
    path("periods/<int:pk>/not-submitted/", views.NotSubmittedView.as_view(), name="reporting-not-submitted"),
    path("periods/<int:pk>/checks/", views.ChecksView.as_view(), name="reporting-checks"),
    path("periods/<int:pk>/checks/run/", views.ChecksRunView.as_view(), name="reporting-checks-run"),
    path("periods/<int:pk>/checks/<int:check>/explain/", views.ExplainView.as_view(), name="reporting-check-explain"),
]
