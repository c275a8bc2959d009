from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list_view, name="list"),
    path("<int:pk>/", views.subscription_detail_view, name="detail"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay_view, name="replay"),
]
