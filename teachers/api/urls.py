"""Included by api/urls.py under /api/v1/ (namespace "api")."""
from django.urls import path

from edu_portal.common.api.base import deleted_feed_view, key_changes_feed_view

from .views import StaffViewSet

urlpatterns = [
    path("", StaffViewSet.as_view({"get": "list", "post": "create"}), name="staff-list"),
    path("deleted/", deleted_feed_view("staff", summary="Bản ghi đã xoá (đồng bộ tăng dần)"), name="staff-deleted"),
    path("key-changes/", key_changes_feed_view("staff", summary="Thay đổi khoá tự nhiên: khoá cũ -> khoá mới"),
         name="staff-key-changes"),
    path("<int:pk>/", StaffViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
         name="staff-detail"),
]
