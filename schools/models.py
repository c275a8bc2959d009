"""Schools: the MOET-coded institutions every staff member and pupil belongs to."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import TimeStamped
from geo.models import Commune

# A school's data counts as "connected" when it synchronized within this window.
CONNECTED_WINDOW = dt.timedelta(days=30)


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Mầm non")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    MULTI_LEVEL = "multi_level", _("Liên cấp")
    CONTINUING = "continuing", _("Giáo dục thường xuyên")


# Grades each level teaches (Luật Giáo dục 2019, Điều 28: tiểu học lớp 1-5, THCS 6-9, THPT 10-12; mầm non
# is grade 0 here). Every door that enrolls a pupil checks it: upload, form, API, transfers.
LEVEL_GRADES = {SchoolLevel.PRESCHOOL: (0, 0), SchoolLevel.PRIMARY: (1, 5), SchoolLevel.LOWER_SECONDARY: (6, 9),
                SchoolLevel.UPPER_SECONDARY: (10, 12), SchoolLevel.MULTI_LEVEL: (0, 12),
                SchoolLevel.CONTINUING: (6, 12)}


def grades_taught(level: str | None) -> tuple[int, int]:
    """The lowest and highest grade a school of this level teaches (0-12 when the level is unknown)."""
    return LEVEL_GRADES.get(level, (0, 12))


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Công lập")
    PRIVATE = "private", _("Tư thục")
    PEOPLE_FOUNDED = "people_founded", _("Dân lập")


class SchoolStatus(models.TextChoices):
    OPEN = "open", _("Đang hoạt động")
    CLOSED = "closed", _("Đã đóng cửa")
    MERGED = "merged", _("Đã sáp nhập")


class School(TimeStamped):
    code = models.CharField("mã trường", max_length=20, unique=True)
    name = models.CharField("tên trường", max_length=200)
    level = models.CharField("cấp học", max_length=20, choices=SchoolLevel.choices, db_index=True)
    ownership = models.CharField("loại hình", max_length=20, choices=Ownership.choices, db_index=True)
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="schools",
                                 verbose_name="tỉnh/thành phố")
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="schools",
                                verbose_name="xã/phường")
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=SchoolStatus.choices,
                              default=SchoolStatus.OPEN)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_schools", verbose_name="sáp nhập vào")
    last_synced_at = models.DateTimeField("đồng bộ lần cuối", null=True, blank=True)

    class Meta:
        ordering = ["province_id", "name"]
        verbose_name = "trường"
        verbose_name_plural = "trường"
        indexes = [models.Index(fields=["province", "commune"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self):
        # clean() runs even when the commune id failed field validation: look it up safely.
        commune_province = Commune.objects.filter(pk=self.commune_id).values_list("province_id", flat=True).first()
        if self.commune_id and commune_province and commune_province != self.province_id:
            raise ValidationError({"commune": "Xã/phường không thuộc tỉnh/thành phố đã chọn."})
        if self.status == SchoolStatus.MERGED and not self.merged_into_id:
            raise ValidationError({"merged_into": "Trường đã sáp nhập phải ghi trường tiếp nhận."})
        if self.merged_into_id and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "Một trường không thể sáp nhập vào chính nó."})

    @property
    def is_connected(self) -> bool:
        return bool(self.last_synced_at and timezone.now() - self.last_synced_at <= CONNECTED_WINDOW)
