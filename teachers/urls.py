from django.urls import path

from . import views

app_name = "teachers"
urlpatterns = [
    path("", views.staff_list_view, name="list"),
    path("new/", views.staff_new_view, name="new"),
    path("<int:pk>/", views.staff_detail_view, name="detail"),
    path("<int:pk>/edit/", views.staff_edit_view, name="edit"),
    path("reassignments/", views.staff_reassignments_view, name="reassignments"),
    path("reassignments/<int:pk>/release/", views.staff_reassignment_release_view, name="reassignment_release"),
    path("reassignments/<int:pk>/decline/", views.staff_reassignment_decline_view, name="reassignment_decline"),
    path("reassignments/<int:pk>/cancel/", views.staff_reassignment_cancel_view, name="reassignment_cancel"),
]
