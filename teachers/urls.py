from django.urls import path

from . import views

app_name = "teachers"
urlpatterns = [
    path("", views.staff_list_view, name="list"),
    path("new/", views.staff_new_view, name="new"),
    path("<int:pk>/", views.staff_detail_view, name="detail"),
    path("<int:pk>/edit/", views.staff_edit_view, name="edit"),
]
