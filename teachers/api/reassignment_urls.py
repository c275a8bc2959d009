"""Included by api/urls.py under /api/v1/staff-reassignments/ (namespace "api")."""
from django.urls import path

from .reassignments import (
    ReassignmentCancelView,
    ReassignmentDeclineView,
    ReassignmentDetailView,
    ReassignmentListView,
    ReassignmentReleaseView,
)

urlpatterns = [
    path("", ReassignmentListView.as_view(), name="staff-reassignment-list"),
    path("<int:pk>/", ReassignmentDetailView.as_view(), name="staff-reassignment-detail"),
    path("<int:pk>/release/", ReassignmentReleaseView.as_view(), name="staff-reassignment-release"),
    path("<int:pk>/decline/", ReassignmentDeclineView.as_view(), name="staff-reassignment-decline"),
    path("<int:pk>/cancel/", ReassignmentCancelView.as_view(), name="staff-reassignment-cancel"),
]
