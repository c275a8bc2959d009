"""The audit trail: one append-only row per written record and per showing of full ID numbers.

Rows for writes are inserted by PostgreSQL triggers (migrations/0002_triggers.py), so every door
that writes through the database is caught: pages, the API, uploads (COPY + set-based upserts),
Celery tasks, management commands and psql. Rows for views of unmasked ID numbers are inserted by
audit.services.id_numbers_viewed. Nothing ever updates or deletes a row (a trigger refuses it).
"""
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Door(models.TextChoices):
    WEB = "web", _("Trang web")
    API = "api", _("API")
    UPLOAD = "upload", _("Tải tệp lên")
    TASK = "task", _("Tác vụ nền")
    SHELL = "shell", _("Dòng lệnh/CSDL")


class Action(models.TextChoices):
    INSERT = "insert", _("Thêm mới")
    UPDATE = "update", pgettext_lazy("audit action", "Sửa")  # "Changed"; the button "Sửa" is "Edit"
    DELETE = "delete", _("Xóa")
    VIEW_ID = "view_id", _("Xem số định danh đầy đủ")
    EXPORT_ID = "export_id", _("Xuất số định danh đầy đủ")


# The trail holds two logs: changes to records, and showings of full ID numbers ("ai đã xem số định
# danh"). Pages show them apart: a page view must not push a record's real changes out of sight.
CHANGE_ACTIONS = (Action.INSERT, Action.UPDATE, Action.DELETE)
VIEW_ACTIONS = (Action.VIEW_ID, Action.EXPORT_ID)


# The records whose writes are captured, as model label -> table (the triggers are installed on these).
AUDITED_MODELS = {
    "schools.school": "schools_school",
    "teachers.staffmember": "teachers_staffmember",
    "students.student": "students_student",
    "students.enrollment": "students_enrollment",
    "students.academicresult": "students_academicresult",
    "students.physicalrecord": "students_physicalrecord",
    "students.transferrequest": "students_transferrequest",
    "accounts.user": "accounts_user",
    # facilities/migrations/0002_audit_and_catalogue.py installs the triggers on these.
    "facilities.site": "facilities_site",
    "facilities.sitefacilities": "facilities_sitefacilities",
    "facilities.equipmentholding": "facilities_equipmentholding",
}


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField("thời điểm", default=timezone.now)
    # No foreign key: deleting a user must neither cascade into nor rewrite the trail.
    actor_id = models.BigIntegerField("mã người dùng", null=True, blank=True)
    actor = models.CharField("người thực hiện", max_length=150, blank=True)
    door = models.CharField("kênh", max_length=10, choices=Door.choices)
    token_id = models.BigIntegerField("mã truy cập API", null=True, blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=128, blank=True)
    action = models.CharField("hành động", max_length=10, choices=Action.choices)
    model = models.CharField("loại hồ sơ", max_length=60)  # "students.student"
    # Writes name one record; a list page or an export that showed full ID numbers names many.
    record_id = models.BigIntegerField("mã hồ sơ", null=True, blank=True)
    record_ids = ArrayField(models.BigIntegerField(), null=True, blank=True, verbose_name="các hồ sơ")
    # Inserts: the new row; deletes: the old row; updates: only the fields that changed.
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    changed_fields = ArrayField(models.CharField(max_length=63), default=list, blank=True,
                                verbose_name="các trường thay đổi")

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["model", "record_id"], name="audit_record"),
            # Only showings of ID numbers carry record_ids: write events stay out of the GIN index.
            GinIndex(fields=["record_ids"], name="audit_record_ids_shown", condition=models.Q(record_ids__isnull=False)),
            models.Index(fields=["actor", "id"], name="audit_actor"),
            # Rows arrive in time order: a BRIN index is tiny and cheap to maintain on bulk inserts.
            BrinIndex(fields=["occurred_at"], name="audit_occurred_brin"),
            # The page of showings of ID numbers, newest first: a few rows among many writes.
            models.Index(fields=["-id"], name="audit_views_newest",
                         condition=models.Q(action__in=["view_id", "export_id"])),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.model}#{self.record_id or ''}"
