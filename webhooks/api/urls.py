"""Included by api/urls.py under /api/v1/webhooks/ (namespace "api")."""
from django.urls import path

from . import views

urlpatterns = [
    path("subscriptions/", views.SubscriptionListView.as_view(), name="webhook-subscriptions"),
    path("subscriptions/<int:pk>/", views.SubscriptionDetailView.as_view(), name="webhook-subscription"),
    path("subscriptions/<int:pk>/ping/", views.PingView.as_view(), name="webhook-ping"),
    path("deliveries/", views.DeliveryListView.as_view(), name="webhook-deliveries"),
    path("deliveries/<int:pk>/", views.DeliveryDetailView.as_view(), name="webhook-delivery"),
    path("deliveries/<int:pk>/replay/", views.ReplayView.as_view(), name="webhook-replay"),
]
