"""A scope is what a user or an API token may see: the country, one province, or one school.

Every selector that returns records takes a Scope and filters through it, so that no page,
endpoint or export can forget the check. A Scope is a plain value: it builds filters and answers
"does it cover this?" but never queries; naming a scope or reading one from text needs the schools
and provinces, and lives with them (schools.selectors: scope_describe, scope_as_string, scope_parse).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from edu_portal.common.exceptions import NotInScope
from edu_portal.common.identity import mask_id_number
from edu_portal.common.lookups import school_ids_in_area

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

    def filter(self, qs: QuerySet, school_field: str = "school", *, province_field: str | None = None) -> QuerySet:
        """Limit a queryset to this scope (the arguments are those of `q`)."""
        if self.kind == COUNTRY:
            return qs
        return qs.filter(self.q(school_field, province_field=province_field))

    def q(self, school_field: str = "school", *, province_field: str | None = None) -> Q:
        """The condition rows in this scope meet.

        `school_field` is the path to the school ('' = the School itself). `province_field`, for
        rows that keep their own copy of the province (uploads, runs, statistics, tombstones), is
        the path to it: a province then filters on that column instead of on its schools."""
        if self.kind == COUNTRY:
            return Q()
        if self.kind == PROVINCE:
            if province_field is None and not school_field:
                province_field = "province"
            if province_field is not None:
                return Q(**{f"{province_field}_id": self.province_code})
            return Q(**{f"{school_field}__any_of": school_ids_in_area(province_code=self.province_code)})
        return Q(**{"pk" if not school_field else f"{school_field}_id": self.school_id})

    def contains_school(self, school) -> bool:
        return self.covers(school_id=school.pk, province_id=school.province_id)

    def covers(self, *, school_id: int | None, province_id: str | None) -> bool:
        """contains_school for a school known only by its id and province (no query)."""
        if self.kind == COUNTRY:
            return True
        if self.kind == PROVINCE:
            return province_id == self.province_code
        return school_id == self.school_id

    def includes(self, other: Scope) -> bool:
        """Whether everything `other` covers is also covered by this scope (a token's scope within its
        owner's and its issuer's)."""
        if self.kind == COUNTRY:
            return True
        if self.kind == PROVINCE:
            return other.kind in (PROVINCE, SCHOOL) and other.province_code == self.province_code
        return other.kind == SCHOOL and other.school_id == self.school_id

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
