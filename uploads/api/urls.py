"""/api/v1/bulk/: bulk upsert jobs (uploads/api/views.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<int:pk>/", views.BulkJobView.as_view(), name="bulk-job"),
    path("jobs/<int:pk>/results/", views.BulkResultsView.as_view(), name="bulk-job-results"),
    path("<str:records>/", views.BulkUpsertView.as_view(), name="bulk-upsert"),
]
