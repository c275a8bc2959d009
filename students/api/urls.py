"""Included by api/urls.py under /api/v1/ (namespace "api")."""
from django.urls import path

from edu_portal.common.api.base import deleted_feed_view, key_changes_feed_view

from .merges import MergedFeed
from .results import StudentPhysicalView, StudentResultView
from .views import StudentViewSet, TransferredOutFeed

urlpatterns = [
    path("", StudentViewSet.as_view({"get": "list", "post": "create"}), name="student-list"),
    path("deleted/", deleted_feed_view("student", summary="Bản ghi đã xoá (đồng bộ tăng dần)"), name="student-deleted"),
    path("key-changes/", key_changes_feed_view("student", summary="Thay đổi khoá tự nhiên: khoá cũ -> khoá mới"),
         name="student-key-changes"),
    path("merged/", MergedFeed.as_view({"get": "list"}), name="student-merged"),
    path("transferred-out/", TransferredOutFeed.as_view({"get": "list"}), name="student-transferred-out"),
    path("<int:pk>/", StudentViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
         name="student-detail"),
    path("<int:pk>/withdraw/", StudentViewSet.as_view({"post": "withdraw"}), name="student-withdraw"),
    path("<int:pk>/readmit/", StudentViewSet.as_view({"post": "readmit"}), name="student-readmit"),
    path("<int:pk>/results/", StudentResultView.as_view(), name="student-results"),
    path("<int:pk>/physical/", StudentPhysicalView.as_view(), name="student-physical"),
]
