"""Teachers and education managers (cán bộ quản lý, giáo viên, nhân viên)."""
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import Gender, HeldIdNumber, TimeStamped, VerifiableIdentity, id_number_unique
from edu_portal.common.names import vietnamese_order


class Position(models.TextChoices):
    TEACHER = "teacher", _("Giáo viên")
    PRINCIPAL = "principal", _("Hiệu trưởng")
    VICE_PRINCIPAL = "vice_principal", _("Phó hiệu trưởng")
    OTHER = "other", _("Nhân viên")


class Qualification(models.TextChoices):
    BELOW_COLLEGE = "below_college", _("Trung cấp trở xuống")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class EmploymentStatus(models.TextChoices):
    WORKING = "working", _("Đang công tác")
    ON_LEAVE = "on_leave", _("Nghỉ dài hạn")
    TRANSFERRED = "transferred", _("Đã chuyển công tác")
    RETIRED = "retired", _("Đã nghỉ hưu")
    RESIGNED = "resigned", _("Đã thôi việc")


class StaffMember(TimeStamped, VerifiableIdentity, HeldIdNumber):
    staff_code = models.CharField("mã cán bộ", max_length=20, unique=True)
    full_name = models.CharField("họ và tên", max_length=100)
    date_of_birth = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("dân tộc", max_length=40, default="Kinh")
    position = models.CharField("chức vụ", max_length=20, choices=Position.choices, default=Position.TEACHER)
    main_subject = models.CharField("môn dạy chính", max_length=60, blank=True)
    qualification = models.CharField("trình độ đào tạo", max_length=20, choices=Qualification.choices)
    meets_qualification_standard = models.BooleanField("đạt chuẩn trình độ", default=False)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="staff",
                               verbose_name="trường")
    employment_status = models.CharField("tình trạng", max_length=20, choices=EmploymentStatus.choices,
                                         default=EmploymentStatus.WORKING, db_index=True)

    class Meta:
        # Vietnamese order (given, middle, family name): edu_portal.common.names.
        ordering = [*vietnamese_order(), "pk"]
        verbose_name = "cán bộ, giáo viên"
        verbose_name_plural = "cán bộ, giáo viên"
        indexes = [
            models.Index(F("school"), *vietnamese_order(), F("id"), name="staff_school_vi_name"),
            models.Index(*vietnamese_order(), F("id"), name="staff_vi_name"),
            # Search by part of a name (ILIKE) without scanning millions of rows.
            GinIndex(fields=["full_name"], name="staffmember_name_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [id_number_unique("staffmember_id_number_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.staff_code})"
