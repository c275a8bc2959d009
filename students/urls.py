from django.urls import path

from . import views

app_name = "students"
urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("<int:pk>/", views.student_detail_view, name="detail"),
    path("<int:pk>/withdraw/", views.student_withdraw_view, name="withdraw"),
    path("<int:pk>/readmit/", views.student_readmit_view, name="readmit"),
]
