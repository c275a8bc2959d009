"""Writes of the API app: issuing and revoking tokens, and deleting records with a tombstone."""
from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope

from .models import PREFIX_LENGTH, TOKEN_PREFIX, ApiToken, DeletedRecord, RecordKind, token_hash


def scope_within(inner: Scope, outer: Scope) -> bool:
    """Whether everything `inner` covers is also covered by `outer`."""
    if outer.kind == COUNTRY:
        return True
    if outer.kind == PROVINCE:
        return inner.kind in (PROVINCE, SCHOOL) and inner.province_code == outer.province_code
    return inner.kind == SCHOOL and inner.school_id == outer.school_id


@transaction.atomic
def api_token_create(*, user, name: str, scope: Scope, can_write: bool = False,
                     created_by=None) -> tuple[ApiToken, str]:
    """A new token limited to `scope`, which must lie within the user's own scope.

    Returns the token row and the secret; only the secret's hash is stored, so the secret is
    shown once and cannot be recovered.
    """
    name = (name or "").strip()
    if not name:
        raise AppError("Hãy đặt tên cho mã truy cập (ví dụ: tên hệ thống sử dụng).", details={"name": ["Bắt buộc."]})
    if not user.is_active:
        raise AppError("Người dùng này đã bị khoá.", details={"user": ["Đã bị khoá."]})
    if not scope_within(scope, Scope.for_user(user)):
        raise AppError("Phạm vi của mã truy cập phải nằm trong phạm vi của người dùng.",
                       code="invalid_scope", details={"scope": ["Vượt quá phạm vi của người dùng."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user=user, name=name[:100], scope_kind=scope.kind, can_write=can_write,
                     province_id=scope.province_code if scope.kind == PROVINCE else None,
                     school_id=scope.school_id if scope.kind == SCHOOL else None,
                     key_prefix=secret[:PREFIX_LENGTH], key_hash=token_hash(secret), created_by=created_by)
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    from .authentication import forget_token

    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    forget_token(token.key_hash)
    return token


def _tombstone(*, kind: str, record_id: int, code: str, school_id: int | None, province_id: str) -> None:
    DeletedRecord.objects.create(kind=kind, record_id=record_id, code=code, school_id=school_id,
                                 province_id=province_id)


@transaction.atomic
def student_delete(*, scope: Scope, student) -> None:
    """Delete a pupil (entered by mistake, a duplicate) with their enrollments, results and
    measurements; the tombstone tells syncing clients."""
    if not scope.contains_school(student.school):
        raise NotInScope()
    _tombstone(kind=RecordKind.STUDENT, record_id=student.pk, code=student.pupil_code,
               school_id=student.school_id, province_id=student.school.province_id)
    student.delete()


@transaction.atomic
def staff_delete(*, scope: Scope, staff) -> None:
    if not scope.contains_school(staff.school):
        raise NotInScope()
    _tombstone(kind=RecordKind.STAFF, record_id=staff.pk, code=staff.staff_code,
               school_id=staff.school_id, province_id=staff.school.province_id)
    staff.delete()


@transaction.atomic
def school_delete(*, scope: Scope, school) -> None:
    """Only a school with no pupils, staff or users left can be deleted (a closed school keeps
    its row with status 'closed')."""
    from django.db.models import ProtectedError

    if not scope.contains_school(school):
        raise NotInScope()
    _tombstone(kind=RecordKind.SCHOOL, record_id=school.pk, code=school.code, school_id=school.pk,
               province_id=school.province_id)
    try:
        with transaction.atomic():
            school.delete()
    except ProtectedError as exc:
        raise AppError("Không thể xoá trường còn học sinh, cán bộ hoặc tài khoản; hãy chuyển trạng thái "
                       "sang 'Đã đóng cửa'.", code="protected", status_code=409) from exc
