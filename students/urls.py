from django.urls import path

from . import views

app_name = "students"
urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("new/", views.student_new_view, name="new"),
    path("<int:pk>/", views.student_detail_view, name="detail"),
    path("<int:pk>/withdraw/", views.student_withdraw_view, name="withdraw"),
    path("<int:pk>/readmit/", views.student_readmit_view, name="readmit"),
    path("<int:pk>/delete/", views.student_delete_view, name="delete"),
    path("<int:pk>/edit/", views.student_edit_view, name="edit"),
]
