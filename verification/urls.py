from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.run_list_view, name="runs"),
    path("runs/start/", views.run_start_view, name="run_start"),
    path("runs/<int:pk>/", views.run_detail_view, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress_view, name="run_progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel_view, name="run_cancel"),
    path("failures/", views.failures_view, name="failures"),
    path("held/", views.held_view, name="held"),
    path("identity/<str:kind>/<int:pk>/", views.identity_state_view, name="identity_state"),
]
