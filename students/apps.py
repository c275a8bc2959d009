from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = "Học sinh"
    nav_group = "records"  # the menu this app's entries sit under (accounts/context_processors.py)
    # Every role follows transfers: schools their requests, provinces their schools' and "chờ tiếp nhận".
    nav_items = [("students:transfers", _("Chuyển trường"), None),
                 ("students:year_end", _("Xét lên lớp"), None),
                 ("students:duplicates", _("Hồ sơ nghi trùng"), ("ministry", "province"))]
