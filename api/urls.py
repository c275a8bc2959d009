"""Everything under /api/v1/: each app's api/urls.py is included here."""
from django.urls import path  # noqa: F401

app_name = "api"
urlpatterns: list = []
