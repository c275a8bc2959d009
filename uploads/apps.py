from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = _("Tải lên dữ liệu")
    nav_group = "data"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("uploads:list", _("Tải lên"), None)]
