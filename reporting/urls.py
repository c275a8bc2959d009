from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.period_list_view, name="periods"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("<int:pk>/", views.period_view, name="period"),
    path("<int:pk>/check/", views.check_view, name="check"),
    path("<int:pk>/explain/", views.explain_view, name="explain"),
    path("<int:pk>/submit/", views.submit_view, name="submit"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/reopen/", views.reopen_view, name="reopen"),
    path("<int:pk>/exception/", views.exception_view, name="exception"),
    path("<int:pk>/accept/", views.accept_view, name="accept"),
    path("<int:pk>/freeze/", views.freeze_view, name="freeze"),
]
