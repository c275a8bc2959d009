"""API tokens for client systems. Tombstones of deleted records: edu_portal.common.tombstones."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope

TOKEN_PREFIX = "ept_"  # noqa: S105 - not a secret: recognizable by secret scanners; the rest is random
PREFIX_LENGTH = 12  # "ept_" + 8 random characters: enough to tell tokens apart, useless to guess


def token_hash(token: str) -> str:
    """Tokens are 240-bit random secrets, so one round of SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ScopeKind(models.TextChoices):
    COUNTRY = COUNTRY, _("Toàn quốc")
    PROVINCE = PROVINCE, _("Tỉnh/thành phố")
    SCHOOL = SCHOOL, _("Trường")


class ApiProfile(models.Model):
    """What a client system may read and write, whatever its scope (issue 20, like Ed-Fi's profiles): the API
    resources it reaches (the first part of the address under /api/v1/: "students", "stats", ...) and, of the
    records (students, staff, schools), which fields. A health-insurance system reads the pupils' names, dates
    of birth and schools, nothing else. A token without a profile reaches everything its scope allows.

    `rules`: {"<resource>": {"read": [fields] or "*", "write": [fields] or "*"}}; a resource not named is
    refused, "write" absent or [] means read-only; for resources that are not records the lists are "*" or
    empty (all or nothing). api.profiles checks them when a profile is saved."""

    name = models.SlugField("tên", max_length=50, unique=True)
    description = models.CharField("mô tả", max_length=300, blank=True)
    rules = models.JSONField("quy tắc", default=dict)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "hồ sơ truy cập API"
        verbose_name_plural = "hồ sơ truy cập API"

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="người dùng")
    name = models.CharField("tên (hệ thống sử dụng)", max_length=100)
    scope_kind = models.CharField("phạm vi", max_length=10, choices=ScopeKind.choices)
    province = models.ForeignKey("geo.Province", null=True, blank=True, on_delete=models.CASCADE,
                                 verbose_name="tỉnh/thành phố")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE,
                               verbose_name="trường")
    can_write = models.BooleanField("được ghi dữ liệu", default=False)
    # Fixed when issued: the owner's right AND the issuer's (api_token_create), so that a token
    # never lends its holder a right the issuer lacks. Checked again against both users' current
    # flags on every request (scope()), so withdrawing the right also stops the token.
    can_view_id_numbers = models.BooleanField("được xem đầy đủ số định danh", default=False)
    key_prefix = models.CharField("tiền tố", max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người cấp")
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    # What the client may read and write (ApiProfile); none: everything its scope and rights allow.
    profile = models.ForeignKey(ApiProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="tokens",
                                verbose_name="hồ sơ truy cập")
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def issued_by_other(self) -> bool:
        return self.created_by_id is not None and self.created_by_id != self.user_id

    def may_view_id_numbers(self) -> bool:
        """Its own flag, and the owner's and the issuer's rights as they are now."""
        if not (self.can_view_id_numbers and self.user.may_view_id_numbers):
            return False
        return not self.issued_by_other or bool(self.created_by.may_view_id_numbers)

    def scope(self) -> Scope:
        """The token's own scope; full ID numbers only under may_view_id_numbers()."""
        see = self.may_view_id_numbers()
        if self.scope_kind == PROVINCE:
            return Scope(PROVINCE, province_code=self.province_id, can_view_id_numbers=see)
        if self.scope_kind == SCHOOL:
            return Scope(SCHOOL, school_id=self.school_id, province_code=self.school.province_id,
                         can_view_id_numbers=see)
        return Scope.country(can_view_id_numbers=see)

    def scope_in_words(self) -> str:
        """The scope for people (pages and exports): the province's name, the school's with its code, or the
        country; scope_label() is the form the commands take."""
        if self.scope_kind == PROVINCE:
            return self.province.name
        if self.scope_kind == SCHOOL:
            return f"{self.school.name} ({self.school.code})"
        return str(_("Toàn quốc"))

    def scope_label(self) -> str:
        if self.scope_kind == PROVINCE:
            return f"province:{self.province_id}"
        if self.scope_kind == SCHOOL:
            return f"school:{self.school.code}"
        return "country"
