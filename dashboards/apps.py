from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Bảng số liệu"
    nav_items = [("dashboards:overview", "Số liệu tổng hợp", None)]
