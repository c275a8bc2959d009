from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"
    nav_items = [("api:tokens", "API tokens", ("ministry",))]
