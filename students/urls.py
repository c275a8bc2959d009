from django.urls import path

from . import views, views_results

app_name = "students"
urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("new/", views.student_new_view, name="new"),
    path("<int:pk>/", views.student_detail_view, name="detail"),
    path("<int:pk>/withdraw/", views.student_withdraw_view, name="withdraw"),
    path("<int:pk>/readmit/", views.student_readmit_view, name="readmit"),
    path("<int:pk>/edit/", views.student_edit_view, name="edit"),
    path("<int:pk>/results/", views_results.student_result_view, name="result"),
    path("<int:pk>/physical/", views_results.student_physical_view, name="physical"),
    path("class-sheet/", views_results.class_sheet_view, name="class_sheet"),
    path("class-sheets/", views_results.class_sheet_index_view, name="class_sheet_index"),
]
