"""Users and their scope: the ministry (whole country), a province's department, or a school."""
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Bộ Giáo dục và Đào tạo")
    PROVINCE = "province", _("Sở Giáo dục và Đào tạo")
    SCHOOL = "school", _("Quản trị nhà trường")


class User(AbstractUser):
    role = models.CharField("vai trò", max_length=10, choices=Role.choices, default=Role.SCHOOL)
    province = models.ForeignKey("geo.Province", null=True, blank=True, on_delete=models.PROTECT,
                                 verbose_name="tỉnh/thành phố")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                               verbose_name="trường")
    # Full personal ID numbers are personal data (Nghị định 13/2023/NĐ-CP): shown only to
    # users granted this explicitly.
    may_view_id_numbers = models.BooleanField("được xem đầy đủ số định danh", default=False)
    # The language the user chose (the language switch): it follows them to another browser or device, where
    # signing in sets the language cookie from it. Empty: never chosen (Vietnamese, or the browser's cookie).
    language = models.CharField("ngôn ngữ", max_length=8, blank=True, default="",
                                choices=[("vi", "Tiếng Việt"), ("en", "English")])

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def clean(self):
        super().clean()
        if self.role == Role.PROVINCE and not self.province_id:
            raise ValidationError({"province": "Người dùng cấp Sở phải gắn với một tỉnh/thành phố."})
        if self.role == Role.SCHOOL and not self.school_id:
            raise ValidationError({"school": "Người dùng cấp trường phải gắn với một trường."})
