from django.apps import AppConfig


class DemoPopulationConfig(AppConfig):
    """The demo population: seed_demo and the demo logins (dev), and the mock registry's truth.
    It sits above every app it fills (records and accounts), so it is an app of its own."""

    name = "demo_population"
    verbose_name = "dữ liệu demo"
