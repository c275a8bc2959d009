from django.urls import path

from . import views, views_facilities, views_flows

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="stats-overview"),
    path("provinces/", views.ProvinceListView.as_view(), name="stats-provinces"),
    path("provinces/<str:code>/communes/", views.CommuneListView.as_view(), name="stats-communes"),
    path("schools/", views.SchoolListView.as_view(), name="stats-schools"),
    path("flows/", views_flows.FlowsView.as_view(), name="stats-flows"),
    path("trends/", views_flows.TrendsView.as_view(), name="stats-trends"),
    path("coverage/", views_flows.CoverageView.as_view(), name="stats-coverage"),
    path("facilities/", views_facilities.FacilitiesView.as_view(), name="stats-facilities"),
    path("facilities/trends/", views_facilities.FacilitiesTrendsView.as_view(), name="stats-facilities-trends"),
]
