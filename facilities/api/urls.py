"""Included by api/urls.py under /api/v1/facilities/ (namespace "api")."""
from django.urls import path

from .views import (
    EquipmentCatalogueView,
    EquipmentHoldingViewSet,
    SiteFacilitiesViewSet,
    SiteViewSet,
    StandardView,
)

urlpatterns = [
    path("sites/", SiteViewSet.as_view({"get": "list", "post": "create"}), name="facilities-site-list"),
    path("sites/<int:pk>/", SiteViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="facilities-site-detail"),
    path("site-facilities/", SiteFacilitiesViewSet.as_view({"get": "list", "post": "create"}),
         name="facilities-site-facilities-list"),
    path("site-facilities/<int:pk>/", SiteFacilitiesViewSet.as_view({"get": "retrieve"}),
         name="facilities-site-facilities-detail"),
    path("equipment/", EquipmentHoldingViewSet.as_view({"get": "list", "post": "create"}),
         name="facilities-equipment-list"),
    path("equipment/<int:pk>/", EquipmentHoldingViewSet.as_view({"get": "retrieve"}),
         name="facilities-equipment-detail"),
    path("equipment/catalogue/", EquipmentCatalogueView.as_view(), name="facilities-catalogue"),
    path("standard/", StandardView.as_view(), name="facilities-standard"),
]
