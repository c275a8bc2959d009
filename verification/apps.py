from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Xác thực định danh")
    nav_group = "data"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("verification:runs", _("Xác thực định danh"), None)]
