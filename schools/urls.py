from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("", views.school_list_view, name="list"),
    path("<int:pk>/", views.school_detail_view, name="detail"),
    path("pick/", views.school_pick_view, name="pick"),
]
