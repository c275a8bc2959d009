"""Included by api/urls.py under /api/v1/ (namespace "api")."""
from django.urls import path

from edu_portal.common.api.base import deleted_feed_view, key_changes_feed_view

from .views import SchoolViewSet

urlpatterns = [
    path("", SchoolViewSet.as_view({"get": "list", "post": "create"}), name="school-list"),
    path("deleted/", deleted_feed_view("school", summary="Bản ghi đã xoá (đồng bộ tăng dần)"), name="school-deleted"),
    path("key-changes/", key_changes_feed_view("school", summary="Thay đổi khoá tự nhiên: khoá cũ -> khoá mới"),
         name="school-key-changes"),
    path("<int:pk>/", SchoolViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="school-detail"),
]
