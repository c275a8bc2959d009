from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="stats-overview"),
    path("provinces/", views.ProvinceListView.as_view(), name="stats-provinces"),
    path("provinces/<str:code>/communes/", views.CommuneListView.as_view(), name="stats-communes"),
    path("schools/", views.SchoolListView.as_view(), name="stats-schools"),
]
