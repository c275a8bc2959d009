from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Kỳ báo cáo")
    nav_group = "data"  # the menu this app's entries sit under (accounts/context_processors.py)
    # Every level takes part: a school submits, a province approves, the ministry opens periods and accepts.
    nav_items = [("reporting:periods", _("Kỳ báo cáo"), None)]

    def ready(self) -> None:
        # The dashboards show a period's official figures beside the live ones through this reader
        # (dashboards.official): they sit below this app and may not import it.
        from dashboards import official

        from .official import ReportingOfficialSource

        official.register(ReportingOfficialSource())
