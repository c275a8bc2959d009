"""Everything under /api/v1/: each app's api/urls.py is included here."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from edu_portal.common.api.exceptions import not_found
from edu_portal.common.api.feed import SnapshotView

from . import views
from .me import MeView

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", views.token_list_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
    path("me/", MeView.as_view(), name="me"),
    path("snapshots/", SnapshotView.as_view(), name="snapshots"),
    path("schools/", include("schools.api.urls")),
    path("staff/", include("teachers.api.urls")),
    path("students/", include("students.api.urls")),
    path("subjects/", include("students.api.subject_urls")),
    path("transfers/", include("students.api.transfer_urls")),
    path("class-results/", include("students.api.class_result_urls")),
    path("year-end/", include("students.api.yearend_urls")),
    path("staff-reassignments/", include("teachers.api.reassignment_urls")),
    path("facilities/", include("facilities.api.urls")),
    path("reporting/", include("reporting.api.urls")),
    path("webhooks/", include("webhooks.api.urls")),
    path("bulk/", include("uploads.api.urls")),
    # The statistics (dashboards/api/) go here, before the catch-all below.
    path("stats/", include("dashboards.api.urls")),
    # Keep last: any other address under /api/v1/ answers 404 in the API's error shape.
    re_path(r"^", not_found),
]
