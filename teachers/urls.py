from django.urls import path

from . import views

app_name = "teachers"
urlpatterns = [
    path("", views.staff_list_view, name="list"),
    path("<int:pk>/", views.staff_detail_view, name="detail"),
]
