"""Every uploaded file is kept: who, when, what, for which school, the counts and the outcome."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edu_portal.common.i18n import message_render, message_source, stored_text


class UploadKind(models.TextChoices):
    PUPILS = "pupils", _("Học sinh (kèm ghi danh năm học)")
    RESULTS = "results", _("Kết quả học tập")
    PHYSICAL = "physical", _("Thể lực (chiều cao, cân nặng)")
    STAFF = "staff", _("Cán bộ, giáo viên, nhân viên")
    SCHOOLS = "schools", _("Trường học")
    SITES = "sites", _("Điểm trường")
    FACILITIES = "facilities", _("Cơ sở vật chất điểm trường")
    EQUIPMENT = "equipment", _("Thiết bị dạy học")


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ kiểm tra")
    VALIDATING = "validating", _("Đang kiểm tra")
    REJECTED = "rejected", _("Tệp không hợp lệ")
    INVALID = "invalid", _("Có lỗi, chưa ghi")
    QUESTION = "question", _("Cần chọn cách đọc ngày")
    VALIDATED = "validated", _("Sẵn sàng ghi")
    COMMITTING = "committing", _("Đang ghi")
    COMMITTED = "committed", _("Đã ghi")
    FAILED = "failed", _("Không ghi được")
    CANCELLED = "cancelled", _("Đã huỷ")
    EXPIRED = "expired", _("Hết hạn, chưa ghi")


IN_PROGRESS = (UploadStatus.PENDING, UploadStatus.VALIDATING, UploadStatus.COMMITTING)


def upload_path(instance, filename: str) -> str:
    return timezone.now().strftime("uploads/original/%Y/%m/") + filename


class Upload(models.Model):
    kind = models.CharField("loại dữ liệu", max_length=10, choices=UploadKind.choices)
    status = models.CharField("trạng thái", max_length=12, choices=UploadStatus.choices,
                              default=UploadStatus.PENDING, db_index=True)
    # The school the records belong to (none for an upload of schools), and the province that
    # scopes who may see the upload (none only for a ministry upload of schools nationwide).
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="uploads", verbose_name="trường")
    province = models.ForeignKey("geo.Province", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="uploads", verbose_name="tỉnh/thành phố")
    school_year = models.PositiveSmallIntegerField("năm học")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads",
                                    verbose_name="người tải lên")
    created_at = models.DateTimeField("tải lên lúc", default=timezone.now, db_index=True)
    file = models.FileField("tệp gốc", upload_to=upload_path, max_length=255)
    file_name = models.CharField("tên tệp", max_length=255)
    file_size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    file_format = models.CharField("định dạng", max_length=4, blank=True)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    total_rows = models.PositiveIntegerField("số dòng", default=0)
    new_count = models.PositiveIntegerField("mới", default=0)
    changed_count = models.PositiveIntegerField("thay đổi", default=0)
    unchanged_count = models.PositiveIntegerField("không đổi", default=0)
    error_count = models.PositiveIntegerField("số lỗi", default=0)
    error_row_count = models.PositiveIntegerField("số dòng lỗi", default=0)
    # The first errors, for the preview: [{"row", "column", "value", "reason", "message"}].
    errors = models.JSONField("lỗi (đầu danh sách)", default=list, blank=True)
    message = models.TextField("thông báo", blank=True)
    # The same message as a code of the message catalogue with its parameters (edu_portal/common/i18n.py), shown
    # in the reader's language; `message` keeps the Vietnamese text (rows written before codes have only that).
    message_code = models.JSONField("mã thông báo", null=True, blank=True)
    # Uploads never guess (issue 16). The questions the file raised (a date column read either way:
    # [{"column", "header", "why", "suggested", "examples": [{"row", "value", "day_first", "month_first"}]}]),
    # the user's answers ({column key: "dmy" | "mdy"}, applied when the file is checked again and so on commit),
    # what was read in a way the user should know ([{"row", "message"}]: codes whose leading zeros were
    # restored), and each changed row's fields ([{"row", "code", "fields": [{"field", "header", "old", "new"}]}]).
    questions = models.JSONField("câu hỏi", default=list, blank=True)
    date_orders = models.JSONField("thứ tự ngày đã chọn", default=dict, blank=True)
    notices = models.JSONField("lưu ý khi đọc tệp", default=list, blank=True)
    changes = models.JSONField("thay đổi (đầu danh sách)", default=list, blank=True)
    # New records that may be a person already on file (a pupil under another code, at any school): a warning,
    # never a refusal. The first rows [{"row", "name", "matches": [{"full_name", "date_of_birth", "school_name"}]}]
    # and how many rows in all. Never an ID number or a code: whoever sees the preview may see these.
    duplicate_warnings = models.JSONField("có thể trùng người đã có (đầu danh sách)", default=list, blank=True)
    duplicate_warning_count = models.PositiveIntegerField("số dòng có thể trùng người đã có", default=0)
    error_file = models.FileField("tệp các dòng lỗi", blank=True, max_length=255)
    staged_file = models.FileField("dữ liệu đã kiểm tra", blank=True, max_length=255)
    validated_at = models.DateTimeField("kiểm tra xong lúc", null=True, blank=True)
    committed_at = models.DateTimeField("ghi lúc", null=True, blank=True)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="người xác nhận")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lần tải lên"
        verbose_name_plural = "lần tải lên"
        indexes = [models.Index(fields=["school", "-created_at"]), models.Index(fields=["province", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def message_shown(self) -> str:
        """The message in the reader's language: its code when it still describes the message (a later step
        may have written `message` alone), else the stored text through the catalogue."""
        if self.message_code and message_source(self.message_code) == self.message:
            return message_render(self.message_code)
        return stored_text(self.message)

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def can_commit(self) -> bool:
        return self.status == UploadStatus.VALIDATED and self.error_count == 0

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)


# --- bulk upsert through the API (issue 20) ---------------------------------------------------

class BulkMode(models.TextChoices):
    ATOMIC = "atomic", _("Tất cả hoặc không gì cả")
    PER_RECORD = "per_record", _("Ghi từng bản ghi hợp lệ")


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Thất bại")


class BulkOutcome(models.TextChoices):
    CREATED = "created", _("Thêm mới")
    UPDATED = "updated", _("Cập nhật")
    UNCHANGED = "unchanged", _("Không đổi")
    REJECTED = "rejected", _("Bị từ chối")


class BulkJob(models.Model):
    """One POST /api/v1/bulk/<records>/: the body waits here until the worker has run it (then it is
    dropped: it holds ID numbers in the clear); the counts and one BulkResult per record stay."""

    records = models.CharField(max_length=10)          # students | staff
    mode = models.CharField(max_length=10, choices=BulkMode.choices, default=BulkMode.ATOMIC)
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The API token that sent it (api.ApiToken; a plain id: the job outlives a revoked token's row).
    token_id = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    body_hash = models.CharField(max_length=64)
    content_type = models.CharField(max_length=20)     # ndjson | csv
    body = models.BinaryField(default=b"", editable=False)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["token_id", "idempotency_key"],
                                               condition=~models.Q(idempotency_key=""),
                                               name="uploads_bulkjob_idempotency_key")]

    def __str__(self) -> str:
        return f"bulk {self.records} #{self.pk}"


class BulkResult(models.Model):
    """The outcome of one line (NDJSON) or row (CSV) of a bulk job."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="results")
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=BulkOutcome.choices)
    key = models.JSONField(default=dict)                # natural key: school_code + pupil_code / staff_code
    record_id = models.BigIntegerField(null=True, blank=True)
    errors = models.JSONField(default=dict)            # {field: [message]}, never an ID number

    class Meta:
        indexes = [models.Index(fields=["job", "line"], name="uploads_bulkresult_job_line")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line} {self.outcome}"
