from django.urls import path

from . import views, views_duplicates, views_results, views_transfers, views_yearend

app_name = "students"
urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("new/", views.student_new_view, name="new"),
    path("<int:pk>/", views.student_detail_view, name="detail"),
    path("<int:pk>/withdraw/", views.student_withdraw_view, name="withdraw"),
    path("<int:pk>/readmit/", views.student_readmit_view, name="readmit"),
    path("<int:pk>/delete/", views.student_delete_view, name="delete"),
    path("<int:pk>/edit/", views.student_edit_view, name="edit"),
    path("<int:pk>/results/", views_results.student_result_view, name="result"),
    path("<int:pk>/physical/", views_results.student_physical_view, name="physical"),
    path("class-sheet/", views_results.class_sheet_view, name="class_sheet"),
    path("class-sheets/", views_results.class_sheet_index_view, name="class_sheet_index"),
    path("duplicates/", views_duplicates.duplicate_list_view, name="duplicates"),
    path("duplicates/<int:pk>/merge/", views_duplicates.duplicate_merge_view, name="duplicate_merge"),
    path("duplicates/<int:pk>/dismiss/", views_duplicates.duplicate_dismiss_view, name="duplicate_dismiss"),
    path("duplicates/<int:pk>/undo/", views_duplicates.duplicate_undo_view, name="duplicate_undo"),
    path("year-end/", views_yearend.year_end_view, name="year_end"),
    path("year-end/commit/", views_yearend.year_end_commit_view, name="year_end_commit"),
    path("year-end/commit-all/", views_yearend.year_end_commit_all_view, name="year_end_commit_all"),
    path("year-end/<int:pk>/undo/", views_yearend.year_end_undo_view, name="year_end_undo"),
    path("year-end/rollover/", views_yearend.year_rollover_view, name="year_rollover"),
    path("year-end/confirm-classes/", views_yearend.classes_confirm_view, name="classes_confirm"),
    path("transfers/", views_transfers.transfer_list_view, name="transfers"),
    path("transfers/new/", views_transfers.transfer_new_view, name="transfer_new"),
    path("transfers/<int:pk>/release/", views_transfers.transfer_release_view, name="transfer_release"),
    path("transfers/<int:pk>/decline/", views_transfers.transfer_decline_view, name="transfer_decline"),
    path("transfers/<int:pk>/cancel/", views_transfers.transfer_cancel_view, name="transfer_cancel"),
]
