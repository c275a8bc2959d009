from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = _("Tải lên dữ liệu")
    nav_items = [("uploads:list", _("Tải lên"), None)]
