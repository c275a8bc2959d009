"""Included by api/urls.py under /api/v1/subjects/ (namespace "api"): reference data, not records."""
from django.urls import path

from .views import SubjectCatalogueView

urlpatterns = [
    path("", SubjectCatalogueView.as_view(), name="subject-list"),
]
