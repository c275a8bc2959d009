from django.urls import path

from . import views, views_flows

app_name = "dashboards"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("provinces/<str:code>/", views.province_view, name="province"),
    path("communes/<str:code>/", views.commune_view, name="commune"),
    path("schools/<int:pk>/", views.school_view, name="school"),
    path("indicators/", views.indicators_view, name="indicators"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("trends/", views_flows.trends_view, name="trends"),
]
