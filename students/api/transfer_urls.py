"""Included by api/urls.py under /api/v1/transfers/ (namespace "api")."""
from django.urls import path

from .transfers import (
    TransferCancelView,
    TransferDeclineView,
    TransferDetailView,
    TransferListView,
    TransferReleaseView,
)

urlpatterns = [
    path("", TransferListView.as_view(), name="transfer-list"),
    path("<int:pk>/", TransferDetailView.as_view(), name="transfer-detail"),
    path("<int:pk>/release/", TransferReleaseView.as_view(), name="transfer-release"),
    path("<int:pk>/decline/", TransferDeclineView.as_view(), name="transfer-decline"),
    path("<int:pk>/cancel/", TransferCancelView.as_view(), name="transfer-cancel"),
]
