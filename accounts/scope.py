"""A scope is what a user or an API token may see: the country, one province, or one school.

Every selector that returns records takes a Scope and filters through it, so that no page,
endpoint or export can forget the check.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from edu_portal.common.exceptions import NotInScope
from edu_portal.common.identity import mask_id_number

COUNTRY, PROVINCE, SCHOOL = "country", "province", "school"


@dataclass(frozen=True)
class Scope:
    kind: str
    province_code: str | None = None
    school_id: int | None = None
    can_view_id_numbers: bool = False

    @classmethod
    def country(cls, *, can_view_id_numbers: bool = False) -> Scope:
        return cls(COUNTRY, can_view_id_numbers=can_view_id_numbers)

    @classmethod
    def for_user(cls, user) -> Scope:
        from .models import Role

        if not user.is_authenticated:
            raise NotInScope()
        see = bool(user.may_view_id_numbers)
        if user.role == Role.MINISTRY or user.is_superuser:
            return cls(COUNTRY, can_view_id_numbers=see)
        if user.role == Role.PROVINCE:
            return cls(PROVINCE, province_code=user.province_id, can_view_id_numbers=see)
        return cls(SCHOOL, school_id=user.school_id,
                   province_code=user.school.province_id if user.school_id else None,
                   can_view_id_numbers=see)

    def filter(self, qs: QuerySet, school_field: str = "school") -> QuerySet:
        """Limit a queryset to this scope; `school_field` is the path to the school ('' = School)."""
        if self.kind == COUNTRY:
            return qs
        if self.kind == PROVINCE:
            if not school_field:
                return qs.filter(province_id=self.province_code)
            from schools.selectors import school_ids_in_area

            return qs.filter(**{f"{school_field}__any_of": school_ids_in_area(province_code=self.province_code)})
        return qs.filter(**{"pk" if not school_field else f"{school_field}_id": self.school_id})

    def contains_school(self, school) -> bool:
        if self.kind == COUNTRY:
            return True
        if self.kind == PROVINCE:
            return school.province_id == self.province_code
        return school.pk == self.school_id

    def covers(self, *, school_id: int | None, province_id: str | None) -> bool:
        """contains_school for a school known only by its id and province (no query)."""
        if self.kind == COUNTRY:
            return True
        if self.kind == PROVINCE:
            return province_id == self.province_code
        return school_id == self.school_id

    # --- full ID numbers: one rule for every door (pages, files, uploads, API, forms) ---------
    # Whoever may not read a full number may not type one either: each answer to a typed number
    # (taken, unchanged, different) would tell them something about the numbers they may not see.
    @property
    def may_enter_id_numbers(self) -> bool:
        return self.can_view_id_numbers

    def may_learn_owner(self, *, school_id: int | None, province_id: str | None) -> bool:
        """Whether a refusal may say "this number belongs to another record" (that record's own
        number is visible to this scope); otherwise the claim is held (common/models.py)."""
        return self.can_view_id_numbers and self.covers(school_id=school_id, province_id=province_id)

    def contains_province(self, province_code: str) -> bool:
        return self.kind == COUNTRY or (self.kind == PROVINCE and province_code == self.province_code)

    def show_id_number(self, id_number: str | None) -> str:
        return (id_number or "") if self.can_view_id_numbers else mask_id_number(id_number)

    def describe(self) -> str:
        if self.kind == COUNTRY:
            return "Toàn quốc"
        if self.kind == PROVINCE:
            from geo.models import Province

            return Province.objects.filter(pk=self.province_code).values_list("name", flat=True).first() or ""
        from schools.models import School

        return School.objects.filter(pk=self.school_id).values_list("name", flat=True).first() or ""

    def as_string(self) -> str:
        """country | province:<code> | school:<MOET code> (the form the commands take)."""
        if self.kind == COUNTRY:
            return "country"
        if self.kind == PROVINCE:
            return f"province:{self.province_code}"
        from schools.models import School

        return f"school:{School.objects.values_list('code', flat=True).get(pk=self.school_id)}"


def scope_parse(value: str, *, can_view_id_numbers: bool = False) -> Scope:
    """Parse 'country', 'province:<code>' or 'school:<MOET code>' into a Scope (for commands)."""
    from edu_portal.common.exceptions import AppError
    from geo.models import Province
    from schools.models import School

    kind, _, code = value.partition(":")
    if kind == COUNTRY and not code:
        return Scope.country(can_view_id_numbers=can_view_id_numbers)
    if kind == PROVINCE and Province.objects.filter(pk=code).exists():
        return Scope(PROVINCE, province_code=code, can_view_id_numbers=can_view_id_numbers)
    if kind == SCHOOL:
        school = School.objects.filter(code=code).only("pk", "province_id").first()
        if school:
            return Scope(SCHOOL, school_id=school.pk, province_code=school.province_id,
                         can_view_id_numbers=can_view_id_numbers)
    raise AppError(f"Phạm vi không hợp lệ: '{value}' (dùng country, province:<mã> hoặc school:<mã trường>).",
                   code="invalid_scope")
