from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import language_set_view
from dashboards.views import home_view
from edu_portal.common.views import favicon, healthz
from security.views import LoginView

urlpatterns = [
    path("", home_view, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", language_set_view, name="set_language"),  # the cookie, and the user's own choice
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("schools/", include("schools.urls")),
    path("staff/", include("teachers.urls")),
    path("students/", include("students.urls")),
    path("facilities/", include("facilities.urls")),
    path("verification/", include("verification.urls")),
    path("uploads/", include("uploads.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("reporting/", include("reporting.urls")),
    path("api/v1/", include("api.urls")),
    path("audit/", include("audit.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("admin/", admin.site.urls),
]
# MEDIA_ROOT is never served by URL, not even with DEBUG on: it holds uploaded originals and
# work files full of ID numbers. Files leave it only through views that check the user's rights.
