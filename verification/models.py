"""Identity verification against the national population database: states kept on each person."""
from django.contrib.postgres.fields import ArrayField
from django.db import models


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Chưa xác thực"
    QUEUED = "queued", "Đang chờ xác thực"
    VERIFIED = "verified", "Đã xác thực"
    MISMATCH = "mismatch", "Sai lệch thông tin"
    NOT_FOUND = "not_found", "Không có trong CSDL dân cư"
    INVALID_ID = "invalid_id", "Số định danh không hợp lệ"
    ERROR = "error", "Lỗi, sẽ thử lại"


class VerifiableIdentity(models.Model):
    """The verification state of a person's identity (pupil or staff member)."""

    verification_status = models.CharField(
        "trạng thái xác thực", max_length=12, choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED, db_index=True,
    )
    verification_checked_at = models.DateTimeField("lần kiểm tra cuối", null=True, blank=True)
    verification_attempts = models.PositiveIntegerField("số lần thử", default=0)
    verification_error = models.TextField("lỗi gần nhất", blank=True, default="")
    verification_mismatch_fields = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name="trường sai lệch",
    )

    class Meta:
        abstract = True
