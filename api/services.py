"""Writes of the API app: issuing and revoking tokens (record deletes live in the records apps)."""
from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError

from .models import PREFIX_LENGTH, TOKEN_PREFIX, ApiProfile, ApiToken, token_hash
from .profiles import profile_rules_clean


@transaction.atomic
def api_token_create(*, user, name: str, scope: Scope, can_write: bool = False,
                     can_view_id_numbers: bool | None = None, created_by=None,
                     profile: ApiProfile | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` (its owner), issued by `created_by` (None: the owner, or the
    operator at the shell). Returns the token row and the secret; only the secret's hash is
    stored, so the secret is shown once and cannot be recovered.

    Whoever issues a token receives its secret, so a token never holds more than its owner NOR
    more than its issuer: its scope (and with it the right to write there) lies within both
    users' scopes, and it shows full ID numbers only if both may see them. Otherwise a ministry
    user could issue a token in the name of a user with the right and read full numbers as them.
    `can_view_id_numbers`: None = whatever both rights allow; True = required (refused if not
    allowed); False = masked numbers only. `profile`: what of the API it reaches (api.profiles); None: all.
    """
    name = (name or "").strip()
    if not name:
        raise AppError(gettext("Hãy đặt tên cho mã truy cập (ví dụ: tên hệ thống sử dụng)."), details={"name": ["Bắt buộc."]})
    if not user.is_active:
        raise AppError(gettext("Người dùng này đã bị khoá."), details={"user": ["Đã bị khoá."]})
    if not Scope.for_user(user).includes(scope):
        raise AppError(gettext("Phạm vi của mã truy cập phải nằm trong phạm vi của người dùng."),
                       code="invalid_scope", details={"scope": ["Vượt quá phạm vi của người dùng."]})
    issued_by_other = created_by is not None and created_by.pk != user.pk
    if issued_by_other and not (created_by.is_active and Scope.for_user(created_by).includes(scope)):
        raise AppError(gettext("Phạm vi của mã truy cập phải nằm trong phạm vi của người cấp mã."),
                       code="invalid_scope", details={"scope": ["Vượt quá phạm vi của người cấp mã."]})
    allowed = bool(user.may_view_id_numbers) and (not issued_by_other or bool(created_by.may_view_id_numbers))
    if can_view_id_numbers is None:
        can_view_id_numbers = allowed
    elif can_view_id_numbers and not allowed:
        raise AppError(gettext("Chỉ cấp được mã xem đầy đủ số định danh khi cả người sở hữu và người cấp mã đều có "
                       "quyền này."), code="id_numbers_not_allowed",
                       details={"can_view_id_numbers": ["Người sở hữu hoặc người cấp mã không có quyền này."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user=user, name=name[:100], scope_kind=scope.kind, can_write=can_write,
                     can_view_id_numbers=bool(can_view_id_numbers),
                     province_id=scope.province_code if scope.kind == PROVINCE else None,
                     school_id=scope.school_id if scope.kind == SCHOOL else None,
                     key_prefix=secret[:PREFIX_LENGTH], key_hash=token_hash(secret), created_by=created_by,
                     profile=profile)
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


@transaction.atomic
def api_profile_save(*, name: str, rules, description: str = "") -> ApiProfile:
    """Create the profile `name`, or replace its rules and description (its tokens follow at once: each process
    reads a token again within API_TOKEN_CACHE_SECONDS). Rules naming an unknown part of the API or field: AppError."""
    name = (name or "").strip()
    if not name or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name) or len(name) > 50:
        raise AppError(gettext("Tên hồ sơ: chữ không dấu, số, '-' hoặc '_', tối đa 50 ký tự."),
                       details={"name": [gettext("Không hợp lệ.")]})
    profile, _created = ApiProfile.objects.select_for_update().get_or_create(name=name)
    profile.rules = profile_rules_clean(rules)
    profile.description = (description or "").strip()[:300]
    profile.save()
    return profile
