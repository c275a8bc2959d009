"""Included by api/urls.py under /api/v1/class-results/."""
from django.urls import path

from .results import ClassResultsView

urlpatterns = [path("", ClassResultsView.as_view(), name="class-results")]
