from django.urls import path

from . import views, views_facilities, views_flows

app_name = "dashboards"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("provinces/<str:code>/", views.province_view, name="province"),
    path("communes/<str:code>/", views.commune_view, name="commune"),
    path("schools/<int:pk>/", views.school_view, name="school"),
    path("indicators/", views.indicators_view, name="indicators"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("trends/", views_flows.trends_view, name="trends"),
    path("facilities/", views_facilities.facilities_view, name="facilities"),
    path("facilities/provinces/<str:code>/", views_facilities.facilities_province_view, name="facilities_province"),
    path("facilities/communes/<str:code>/", views_facilities.facilities_commune_view, name="facilities_commune"),
    path("facilities/schools/<int:pk>/", views_facilities.facilities_school_view, name="facilities_school"),
]
