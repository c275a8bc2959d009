from django.urls import path

from . import views

app_name = "uploads"
urlpatterns = [
    path("", views.upload_list_view, name="list"),
    path("new/", views.upload_new_view, name="new"),
    path("templates/<str:kind>.<str:fmt>", views.template_view, name="template"),
    path("<int:pk>/", views.upload_detail_view, name="detail"),
    path("<int:pk>/status/", views.upload_status_view, name="status"),
    path("<int:pk>/answer/", views.upload_answer_view, name="answer"),
    path("<int:pk>/confirm/", views.upload_confirm_view, name="confirm"),
    path("<int:pk>/cancel/", views.upload_cancel_view, name="cancel"),
    path("<int:pk>/errors/", views.upload_error_file_view, name="error_file"),
    path("<int:pk>/original/", views.upload_original_view, name="original"),
]
