from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")
    nav_group = "admin"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("api:tokens", _("Mã truy cập API"), ("ministry",))]

    def ready(self):
        from . import schema  # noqa: F401  registers the token scheme with drf-spectacular
