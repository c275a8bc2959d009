"""Tombstones: how API clients syncing with `updated_since` learn that a record is gone.

The platform owns the model (not the api app) because every door that deletes a record (the API,
Django admin, later the pages) goes through the records apps' delete services, and those must not
import a feature app above them. The table keeps its old name, `api_deletedrecord`: the model moved,
the rows did not.
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import AppError
from .identity import normalize_name
from .signals import record_deleted

# Issue 15: a record is deleted only when it was entered by mistake, and the deleter says why.
REASON_MAX = 500


class RecordKind(models.TextChoices):
    SCHOOL = "school", _("Trường")
    STAFF = "staff", _("Cán bộ, giáo viên")
    STUDENT = "student", _("Học sinh")


class DeletedRecord(models.Model):
    """A tombstone: clients syncing with `updated_since` learn from it that a record is gone.

    The school and province are copied at deletion time, so that the feed can be limited to the
    reader's scope after the rows they pointed to are gone.
    """

    kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    code = models.CharField("mã", max_length=20)
    school_id = models.BigIntegerField(null=True)
    province_id = models.CharField(max_length=2)
    deleted_at = models.DateTimeField(default=timezone.now)
    # Why the record was deleted (entered by mistake, a duplicate of ...): shown to API clients in the
    # deleted/ feed and kept in the audit trail. Blank on tombstones written before it was asked for.
    reason = models.CharField("lý do xoá", max_length=REASON_MAX, blank=True, default="", db_default="")
    # The natural key as it was (issue 20): clients match records by the school's code and the record's code
    # or ID number, not by our ids. The ID number is shown masked unless the reader may see full numbers
    # (Scope.show_id_number). Blank / null on tombstones written before they were kept.
    school_code = models.CharField("mã trường", max_length=20, blank=True, default="", db_default="")
    id_number = models.CharField("số định danh", max_length=12, null=True, blank=True)

    class Meta:
        db_table = "api_deletedrecord"
        verbose_name = "bản ghi đã xoá"
        verbose_name_plural = "bản ghi đã xoá"
        indexes = [models.Index(fields=["kind", "deleted_at", "id"], name="api_deleted_kind_cf7319_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} (xoá {self.deleted_at:%Y-%m-%d %H:%M})"


def deletion_reason_or_raise(reason: str | None) -> str:
    """The reason a record is deleted, as stored: NFC, whitespace collapsed; required, at most 500 characters."""
    reason = normalize_name(reason or "")
    if not reason:
        raise AppError(gettext("Nhập lý do xoá (hồ sơ nhập nhầm, trùng với hồ sơ khác, ...)."),
                       code="reason_required", details={"reason": [gettext("Bắt buộc.")]})
    if len(reason) > REASON_MAX:
        raise AppError(gettext("Lý do xoá tối đa %(n)d ký tự.") % {"n": REASON_MAX},
                       details={"reason": [gettext("Tối đa %(n)d ký tự.") % {"n": REASON_MAX}]})
    return reason


def tombstone_create(*, kind: str, record_id: int, code: str, school_id: int | None,
                     province_id: str, reason: str = "", school_code: str = "",
                     id_number: str | None = None) -> DeletedRecord:
    """Record a deletion; the caller deletes the row in the same transaction. The audit trail hears
    of it (edu_portal.common.signals.record_deleted): the database triggers record the deleted row
    and who deleted it, but not why."""
    tombstone = DeletedRecord.objects.create(kind=kind, record_id=record_id, code=code, school_id=school_id,
                                             province_id=province_id, reason=reason, school_code=school_code,
                                             id_number=id_number or None)
    record_deleted.send(sender=DeletedRecord, tombstone=tombstone)
    return tombstone


class KeyChangeReason(models.TextChoices):
    MERGE = "merge", _("Gộp hồ sơ trùng")


class KeyChange(models.Model):
    """A record's natural key that stopped being valid and the one that replaces it (issue 20): a merge of
    duplicate pupils (the removed record lives on in the kept one). Written by the service that changes the
    key, in its transaction, so that the key-changes/ feed is as consistent as the records.

    Codes of schools, staff and pupils cannot be edited (a new code is a new record), so a merge is the only
    key change there is today; `reason` leaves room for others. The old side's school and province are
    copied: the feed shows a key change to whoever could see the old record."""

    kind = models.CharField(max_length=10, choices=RecordKind.choices)
    reason = models.CharField(max_length=20, choices=KeyChangeReason.choices)
    old_id = models.BigIntegerField()
    old_code = models.CharField(max_length=20)
    old_school_code = models.CharField(max_length=20, blank=True, default="")
    old_id_number = models.CharField(max_length=12, null=True, blank=True)
    new_id = models.BigIntegerField()
    new_code = models.CharField(max_length=20)
    new_school_code = models.CharField(max_length=20, blank=True, default="")
    new_id_number = models.CharField(max_length=12, null=True, blank=True)
    school_id = models.BigIntegerField(null=True)
    province_id = models.CharField(max_length=2)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "thay đổi khoá"
        verbose_name_plural = "thay đổi khoá"
        indexes = [models.Index(fields=["kind", "changed_at", "id"], name="common_keychange_feed")]

    def __str__(self) -> str:
        return f"{self.kind} {self.old_code} -> {self.new_code}"


def key_change_create(*, kind: str, reason: str, old_id: int, old_code: str, old_school_code: str,
                      old_id_number: str | None, new_id: int, new_code: str, new_school_code: str,
                      new_id_number: str | None, school_id: int | None, province_id: str) -> KeyChange:
    """Journal a key change; the caller makes the change in the same transaction."""
    return KeyChange.objects.create(
        kind=kind, reason=reason, old_id=old_id, old_code=old_code, old_school_code=old_school_code,
        old_id_number=old_id_number or None, new_id=new_id, new_code=new_code, new_school_code=new_school_code,
        new_id_number=new_id_number or None, school_id=school_id, province_id=province_id)
