from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = "Học sinh"
    # Every role follows transfers: schools their requests, provinces their schools' and "chờ tiếp nhận".
    nav_items = [("students:transfers", _("Chuyển trường"), None),
                 ("students:year_end", _("Xét lên lớp"), None),
                 ("students:duplicates", _("Hồ sơ nghi trùng"), ("ministry", "province"))]
