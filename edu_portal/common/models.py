"""Small pieces every record shares."""
import datetime as dt
import logging
import secrets

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import AppError
from .identity import (
    IDENTITY_FIELDS,
    VerificationStatus,
    canonical_name,
    identity_initial_status,
    normalize_name,
)

logger = logging.getLogger(__name__)


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class VerifiableIdentity(models.Model):
    """The verification state of a person's identity (pupil or staff member), written by the
    verification app's workers; the records apps only set it to queued or invalid_id on an edit.

    Each model indexes verification_status in its Meta.indexes (the sweep's `= 'queued'` / `= 'error'`):
    `db_index=True` on a CharField also builds a varchar_pattern_ops twin for LIKE, which no query
    uses and every write pays for (issue 20)."""

    verification_status = models.CharField(
        "trạng thái xác thực", max_length=12, choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verification_checked_at = models.DateTimeField("lần kiểm tra cuối", null=True, blank=True)
    verification_attempts = models.PositiveIntegerField("số lần thử", default=0)
    verification_error = models.TextField("lỗi gần nhất", blank=True, default="")
    verification_mismatch_fields = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name="trường sai lệch",
    )

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    """created_at/updated_at: updated_at drives incremental sync (`updated_since`)."""

    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now, db_index=True)

    class Meta:
        abstract = True


def current_school_year(today: dt.date | None = None) -> int:
    """The school year as its starting calendar year: 2026 means 2026-2027 (starts in September;
    August belongs to the new year because enrollment opens then)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


# --- one ID number, one person; a claim that may not be disclosed is held, not refused ----------
#
# A full ID number already on another person's record is refused with that fact only when the
# writer could see the other record's number anyway (the right to see full numbers, and the other
# record in scope). Anyone else would learn from the refusal that the number exists: an oracle
# for the 4 masked digits (issue 12). Their claim is written as typed but *held*: `id_number_hold`
# is a random ticket instead of 0, so the unique key (id_number, id_number_hold) admits it beside
# the confirmed owner, and the writer sees exactly what an unclaimed number gives. Reviewers
# with the right over both records settle it (verification/ held-number queue).
CONFIRMED = 0


def new_hold_ticket() -> int:
    """A random non-zero ticket: two holds of the same number never collide in practice."""
    return secrets.randbelow(2**62) + 1


def id_number_unique(name: str) -> models.UniqueConstraint:
    # The message never names the number or its owner (a race between two writers ends here).
    return models.UniqueConstraint(
        fields=["id_number", "id_number_hold"], name=name,
        violation_error_message=_("Không ghi được số định danh lúc này; hãy thử lại."))


class HeldIdNumber(models.Model):
    """The id_number/id_number_hold pair of a pupil or staff member (see the comment above)."""

    id_number = models.CharField("số định danh cá nhân", max_length=12, null=True, blank=True)
    id_number_hold = models.BigIntegerField("mã giữ số định danh (0 = đã xác nhận)", default=CONFIRMED,
                                            db_default=CONFIRMED, editable=False)

    class Meta:
        abstract = True

    @property
    def id_number_held(self) -> bool:
        return self.id_number_hold != CONFIRMED


def id_number_claim_settle(*, scope, record, noun: str, code_field: str) -> None:
    """Before a service saves `record` (a pupil or staff member with a possibly new id_number):
    refuse a number confirmed on another record when this scope may learn that, hold it when it
    may not, and confirm a held number nobody else holds any longer."""
    model = type(record)
    if not record.id_number:
        record.id_number_hold = CONFIRMED
        return
    owner = (model.objects.filter(id_number=record.id_number, id_number_hold=CONFIRMED)
             .exclude(pk=record.pk).select_related("school").first())
    if owner is None:
        record.id_number_hold = CONFIRMED
    elif scope.may_learn_owner(school_id=owner.school_id, province_id=owner.school.province_id):
        raise AppError(_("Số định danh này đã thuộc %(noun)s mã %(code)s.")
                       % {"noun": noun, "code": getattr(owner, code_field)},
                       code="id_number_taken", status_code=409, details={"id_number": [_("Đã tồn tại.")]})
    elif record.id_number_hold == CONFIRMED:
        record.id_number_hold = new_hold_ticket()
        logger.warning("%s %s: ID number held for review (claimed by another record)",
                                            model._meta.label_lower, getattr(record, code_field))


def id_number_entry_check(*, scope, typed: bool) -> None:
    """A scope that may not see full ID numbers may not type one (accounts/scope.py): the same
    refusal whatever the value, so that it tells nothing about the number."""
    if typed and not scope.may_enter_id_numbers:
        raise AppError(_("Bạn không có quyền xem đầy đủ số định danh nên không được nhập hoặc sửa số định danh; "
                         "hãy để trống (số đã có trên hồ sơ được giữ nguyên)."),
                       code="id_number_not_allowed", status_code=403,
                       details={"id_number": [_("Không được nhập.")]})


def person_changes_apply(*, scope, person, changes: dict, name_fields: tuple[str, ...], noun: str,
                         code_field: str) -> bool:
    """Set `changes` on a pupil or staff member as every door does (the services' `*_update`):
    who may not see full numbers may not type one; names are stored in NFC; an empty number is
    none; a new number is refused, held or confirmed (id_number_claim_settle); a changed identity
    goes back to verification. Returns whether the identity changed (the caller then queues it)."""
    id_number_entry_check(scope=scope, typed="id_number" in changes)
    before = {f: getattr(person, f) for f in IDENTITY_FIELDS}
    for field, value in changes.items():
        if field == "full_name":
            value = canonical_name(value)  # stored as the registry compares it
        elif field in name_fields:
            value = normalize_name(value)
        if field == "id_number":
            value = (value or "").strip() or None
        setattr(person, field, value)
    if person.id_number != before["id_number"]:
        id_number_claim_settle(scope=scope, record=person, noun=noun, code_field=code_field)
    identity_changed = any(getattr(person, f) != before[f] for f in IDENTITY_FIELDS)
    if identity_changed:
        person.verification_status = identity_initial_status(
            id_number=person.id_number, date_of_birth=person.date_of_birth, gender=person.gender)
        person.verification_mismatch_fields = []
    person.updated_at = timezone.now()
    return identity_changed


# The tombstone model lives in its own module; importing it here registers it with the app.
from .tombstones import DeletedRecord, KeyChange, RecordKind  # noqa: E402, F401
