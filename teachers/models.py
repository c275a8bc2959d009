"""Teachers and education managers (cán bộ quản lý, giáo viên, nhân viên)."""
from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import Gender, HeldIdNumber, TimeStamped, VerifiableIdentity, id_number_unique
from edu_portal.common.names import vietnamese_order
from edu_portal.common.search import name_search_index


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


class TrainingField(models.TextChoices):
    """Whether the degree is in teacher training (ngành đào tạo giáo viên), Luật Giáo dục 2019, Điều 72."""
    TEACHER_TRAINING = "teacher_training", _("Sư phạm")
    OTHER = "other", _("Ngoài sư phạm")


class QualificationStandard(models.TextChoices):
    """The training standard of a teacher (Luật Giáo dục 2019, Điều 72) and, when it is not met, where
    the teacher stands on the upgrade roadmap of Nghị định 71/2020/NĐ-CP. Derived (teachers/standards.py),
    never typed."""
    MEETS = "meets", _("Đạt chuẩn")
    ROADMAP = "roadmap", _("Chưa đạt chuẩn, thuộc lộ trình nâng chuẩn (Nghị định 71/2020)")
    EXEMPT = "exempt", _("Không thuộc diện nâng chuẩn (Nghị định 71/2020)")
    BELOW = "below", _("Chưa đạt chuẩn")
    NOT_TEACHER = "not_teacher", _("Không phải giáo viên")


class EmploymentStatus(models.TextChoices):
    WORKING = "working", _("Đang công tác")
    ON_LEAVE = "on_leave", _("Nghỉ dài hạn")
    TRANSFERRED = "transferred", _("Đã chuyển công tác")
    RETIRED = "retired", _("Đã nghỉ hưu")
    RESIGNED = "resigned", _("Đã thôi việc")


class StaffMember(TimeStamped, VerifiableIdentity, HeldIdNumber):
    # Unique by the constraint in Meta, not `unique=True` (no varchar_pattern_ops twin: codes are matched whole).
    staff_code = models.CharField("mã cán bộ", max_length=20)
    full_name = models.CharField("họ và tên", max_length=100)
    date_of_birth = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("dân tộc", max_length=40, default="Kinh")
    position = models.CharField("chức vụ", max_length=20, choices=Position.choices, default=Position.TEACHER)
    main_subject = models.CharField("môn dạy chính", max_length=60, blank=True)
    qualification = models.CharField("trình độ đào tạo", max_length=20, choices=Qualification.choices)
    training_field = models.CharField("chuyên ngành đào tạo", max_length=20, choices=TrainingField.choices,
                                      default=TrainingField.TEACHER_TRAINING)
    pedagogy_certificate = models.BooleanField("chứng chỉ bồi dưỡng nghiệp vụ sư phạm", default=False)
    # Both derived by teachers/standards.py whenever what they depend on changes (services, upload writer);
    # the boolean is kept (= standard "meets") for the API field and filters that clients already use.
    qualification_standard = models.CharField("chuẩn trình độ đào tạo", max_length=20,
                                              choices=QualificationStandard.choices,
                                              default=QualificationStandard.BELOW)
    meets_qualification_standard = models.BooleanField("đạt chuẩn trình độ", default=False)
    # No index of its own: staff_school_vi_name starts with the school.
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="staff",
                               verbose_name="trường", db_index=False)
    # No index: every query asks for the employed (nearly all rows), which an index cannot narrow.
    employment_status = models.CharField("tình trạng", max_length=20, choices=EmploymentStatus.choices,
                                         default=EmploymentStatus.WORKING)

    class Meta:
        # Vietnamese order (given, middle, family name): edu_portal.common.names.
        ordering = [*vietnamese_order(), "pk"]
        verbose_name = "cán bộ, giáo viên"
        verbose_name_plural = "cán bộ, giáo viên"
        indexes = [
            models.Index(F("school"), *vietnamese_order(), F("id"), name="staff_school_vi_name"),
            models.Index(*vietnamese_order(), F("id"), name="staff_vi_name"),
            # Search by the words of a name, with or without diacritics (edu_portal.common.search).
            name_search_index("full_name", name="staffmember_name_search_trgm"),
            # The verification sweep's queued / error records (verification/services/sweep.py).
            models.Index(fields=["verification_status"], name="staff_verification_status"),
        ]
        constraints = [id_number_unique("staffmember_id_number_unique"),
                       # The name PostgreSQL gave `unique=True`'s constraint: the index is kept as it is.
                       models.UniqueConstraint(fields=["staff_code"], name="teachers_staffmember_staff_code_key")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.staff_code})"


class PostingEndReason(models.TextChoices):
    REASSIGNED = "reassigned", _("Điều chuyển công tác")


class StaffPosting(models.Model):
    """Where a staff member worked, and when: one row per school (quá trình công tác). A reassignment
    closes the sending school's posting (kept as its history) and opens one at the receiving school;
    `StaffMember.school` is the school of the one open posting."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="postings",
                              verbose_name="cán bộ")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="staff_postings",
                               verbose_name="trường")
    position = models.CharField("chức vụ", max_length=20, choices=Position.choices)
    # Empty for postings recorded before the history existed (backfilled) or entered without a start date.
    started_on = models.DateField("ngày bắt đầu", null=True, blank=True)
    ended_on = models.DateField("ngày kết thúc", null=True, blank=True)
    end_reason = models.CharField("lý do kết thúc", max_length=20, choices=PostingEndReason.choices, blank=True,
                                  default="", db_default="")
    created_at = models.DateTimeField("thời điểm ghi", auto_now_add=True)

    class Meta:
        verbose_name = "quá trình công tác"
        verbose_name_plural = "quá trình công tác"
        ordering = ["staff", "-id"]
        constraints = [
            # A staff member works at one school at a time: exactly one posting is open.
            models.UniqueConstraint(fields=["staff"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_posting_per_staff"),
        ]
        indexes = [models.Index(fields=["school", "ended_on"], name="posting_school_ended")]

    def __str__(self) -> str:
        return f"{self.staff_id} @ {self.school_id} ({self.started_on} - {self.ended_on})"


class ReassignmentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ trường cũ đồng ý")
    RELEASED = "released", _("Đã điều chuyển")
    DECLINED = "declined", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã huỷ")


class StaffReassignment(models.Model):
    """Điều chuyển công tác: a receiving school asks for a staff member; the sending school (or its
    province) releases or declines; the receiving side may withdraw its request while it is open."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="reassignments",
                              verbose_name="cán bộ")
    from_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="reassignments_out",
                                    verbose_name="trường chuyển đi")
    to_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="reassignments_in",
                                  verbose_name="trường tiếp nhận")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="người đề nghị")
    # The post offered at the receiving school; the staff member takes it on release.
    position = models.CharField("chức vụ ở trường tiếp nhận", max_length=20, choices=Position.choices)
    status = models.CharField("tình trạng", max_length=10, choices=ReassignmentStatus.choices,
                              default=ReassignmentStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người quyết định")
    decided_at = models.DateTimeField("thời điểm quyết định", null=True, blank=True)
    reason = models.CharField("lý do", max_length=500, blank=True)
    created_at = models.DateTimeField("thời điểm đề nghị", auto_now_add=True)

    class Meta:
        verbose_name = "đề nghị điều chuyển công tác"
        verbose_name_plural = "đề nghị điều chuyển công tác"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A staff member is in transit at most once: a second school asking meets this (and a clear message).
            models.UniqueConstraint(fields=["staff"], condition=models.Q(status="pending"),
                                    name="one_open_reassignment_per_staff"),
        ]
        indexes = [
            models.Index(fields=["from_school", "status"], name="reassignment_from_status"),
            models.Index(fields=["to_school", "status"], name="reassignment_to_status"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.from_school_id} -> {self.to_school_id} ({self.status})"
