"""Identity verification against the national population database: states kept on each person."""
from django.db import models
from django.utils.translation import gettext_lazy as _

# The states and the fields kept on each person live in the platform, so that the records apps
# (students, teachers) need not import this feature; re-exported here for verification's own code.
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import VerifiableIdentity

__all__ = ["EnrichmentCursor", "RunStatus", "VerifiableIdentity", "VerificationRun", "VerificationStatus"]


class RunStatus(models.TextChoices):
    PLANNING = "planning", _("Đang chuẩn bị")
    RUNNING = "running", _("Đang xác thực")
    FINISHED = "finished", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


class VerificationRun(models.Model):
    """One verification of every person in a scope (country, province or school), started by a user
    or from the shell. Live progress is counted in Redis by the workers and copied here at the end."""

    scope = models.CharField("phạm vi", max_length=40)  # schools.selectors.scope_as_string(): country | province:01 | school:<code>
    scope_label = models.CharField("tên phạm vi", max_length=200, blank=True)
    # Kept so that a province user sees the runs of their province and its schools.
    province = models.ForeignKey("geo.Province", null=True, blank=True, on_delete=models.PROTECT,
                                 verbose_name="tỉnh/thành phố")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                               verbose_name="trường")
    include_verified = models.BooleanField("kiểm tra lại cả hồ sơ đã xác thực", default=False)
    started_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="người bắt đầu")
    status = models.CharField("trạng thái", max_length=12, choices=RunStatus.choices, default=RunStatus.PLANNING)
    total = models.PositiveIntegerField("số hồ sơ gửi xác thực", default=0)
    skipped_verified = models.PositiveIntegerField("đã xác thực từ trước", default=0)
    skipped_invalid = models.PositiveIntegerField("số định danh không hợp lệ (không gửi)", default=0)
    counts = models.JSONField("kết quả theo trạng thái", default=dict, blank=True)
    created_at = models.DateTimeField("bắt đầu lúc", auto_now_add=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "đợt xác thực"
        verbose_name_plural = "đợt xác thực"

    def __str__(self) -> str:
        return f"Đợt xác thực #{self.pk} ({self.scope_label or self.scope})"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.PLANNING, RunStatus.RUNNING)


class EnrichmentCursor(models.Model):
    """How far the push of education data to the registry has gone for a school year.

    Pupils are pushed in id order; when a pass reaches the end it is marked complete and a new
    pass starts after ENRICHMENT_REPASS_HOURS, so pupils verified later are pushed too (the
    registry's endpoint is idempotent per citizen and school year, so a repeat changes nothing).
    """

    school_year = models.PositiveSmallIntegerField("năm học", unique=True)
    last_student_id = models.BigIntegerField(default=0)
    pushed = models.PositiveIntegerField("số bản ghi đã gửi trong lượt", default=0)
    pass_completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "tiến độ làm giàu dữ liệu"
        verbose_name_plural = "tiến độ làm giàu dữ liệu"

    def __str__(self) -> str:
        return f"{self.school_year}: {self.pushed}"
