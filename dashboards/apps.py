from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Bảng số liệu")
    nav_group = "statistics"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("dashboards:overview", _("Số liệu tổng hợp"), None),
                 ("dashboards:facilities", _("Chỉ số cơ sở vật chất"), None)]
