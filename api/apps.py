from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"
    nav_items = [("api:tokens", "Mã truy cập API", ("ministry",))]

    def ready(self):
        from . import schema  # noqa: F401  registers the token scheme with drf-spectacular
