from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    """Cơ sở vật chất, thiết bị: a school's sites (điểm trường), their rooms and utilities per school year,
    its teaching equipment, and its standing under Thông tư 13/2020/TT-BGDĐT."""

    name = "facilities"
    verbose_name = _("Cơ sở vật chất")
    nav_group = "records"  # the menu this app's entries sit under (accounts/context_processors.py)
    # A school user opens their own school's page; provinces and the ministry reach a school's from its page.
    nav_items = [("facilities:mine", _("Cơ sở vật chất"), ("school",))]
