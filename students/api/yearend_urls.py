"""Included by api/urls.py under /api/v1/year-end/ (namespace "api")."""
from django.urls import path

from .yearend import YearEndCommitView, YearEndProposalsView, YearEndUndoView, YearRolloverView

urlpatterns = [
    path("", YearEndProposalsView.as_view(), name="year-end-proposals"),
    path("commit/", YearEndCommitView.as_view(), name="year-end-commit"),
    path("<int:pk>/undo/", YearEndUndoView.as_view(), name="year-end-undo"),
    path("rollover/", YearRolloverView.as_view(), name="year-rollover"),
]
