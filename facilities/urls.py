from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.facilities_mine_view, name="mine"),
    path("schools/<int:pk>/", views.school_facilities_view, name="school"),
    path("schools/<int:pk>/sites/new/", views.site_new_view, name="site_new"),
    path("schools/<int:pk>/equipment/", views.equipment_save_view, name="equipment_save"),
    path("sites/<int:pk>/edit/", views.site_edit_view, name="site_edit"),
    path("sites/<int:pk>/deactivate/", views.site_deactivate_view, name="site_deactivate"),
    path("sites/<int:pk>/facilities/", views.site_facilities_view, name="site_facilities"),
]
