"""Writes on staff members: validated in full, atomic, identity changes queued for verification."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope, full_clean_or_raise
from edu_portal.common.identity import (
    identity_initial_status,
    identity_validate_or_raise,
    normalize_name,
)
from edu_portal.common.models import id_number_claim_settle, id_number_entry_check, person_changes_apply
from edu_portal.common.queue import enqueue_on_commit
from edu_portal.common.tombstones import RecordKind, deletion_reason_or_raise, tombstone_create
from geo.selectors import ethnicity_official_or_raise
from schools.models import School

from .models import QualificationStandard, StaffMember
from .standards import qualification_standard

EDITABLE_FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
                   "main_subject", "qualification", "training_field", "pedagogy_certificate", "employment_status")


def staff_standard_apply(staff: StaffMember) -> None:
    """Derive the training standard (teachers/standards.py) from what it depends on: the school's level,
    position, qualification, training field, certificate, date of birth and gender. Every write runs it,
    so the stored status never lags behind an edit."""
    staff.qualification_standard = qualification_standard(
        school_level=staff.school.level, position=staff.position, qualification=staff.qualification,
        training_field=staff.training_field, pedagogy_certificate=staff.pedagogy_certificate,
        date_of_birth=staff.date_of_birth, gender=staff.gender, on=timezone.localdate())
    staff.meets_qualification_standard = staff.qualification_standard == QualificationStandard.MEETS


def _validate(staff: StaffMember) -> None:
    # One list of ethnic groups for every door (Quyết định 121-TCTK/PPCĐ): an alias is stored as the
    # official name, an unknown name is refused, as the upload does.
    staff.ethnicity = ethnicity_official_or_raise(staff.ethnicity)
    full_clean_or_raise(staff)
    identity_validate_or_raise(id_number=staff.id_number, date_of_birth=staff.date_of_birth,
                               gender=staff.gender)


def _statistics_changed(*school_ids: int) -> None:
    """The dashboards' per-school figures of these schools are refreshed after the commit (by task
    name: the records apps do not import the dashboards)."""
    enqueue_on_commit("dashboards.refresh_schools", sorted({int(i) for i in school_ids}))


def _identity_changed(staff: StaffMember) -> None:
    """Verification against the population registry, after the commit (by task name, as above)."""
    enqueue_on_commit("verification.identities_verify", "staff", [staff.pk])


@transaction.atomic
def staff_create(*, scope: Scope, school: School, staff_code: str, full_name: str,
                 date_of_birth: dt.date, gender: str, qualification: str, id_number: str | None = None,
                 ethnicity: str = "Kinh", position: str = "teacher", main_subject: str = "",
                 training_field: str = "teacher_training", pedagogy_certificate: bool = False,
                 employment_status: str = "working") -> StaffMember:
    if not scope.contains_school(school):
        raise NotInScope()
    id_number_entry_check(scope=scope, typed=bool((id_number or "").strip()))
    if StaffMember.objects.filter(staff_code=staff_code.strip()).exists():
        raise AppError(f"Mã cán bộ '{staff_code}' đã tồn tại.", details={"staff_code": ["Mã đã tồn tại."]})
    staff = StaffMember(
        staff_code=staff_code.strip(), id_number=(id_number or "").strip() or None,
        full_name=normalize_name(full_name), date_of_birth=date_of_birth, gender=gender,
        ethnicity=normalize_name(ethnicity), position=position, main_subject=normalize_name(main_subject),
        qualification=qualification, training_field=training_field, pedagogy_certificate=pedagogy_certificate,
        school=school, employment_status=employment_status,
    )
    staff_standard_apply(staff)
    staff.verification_status = identity_initial_status(
        id_number=staff.id_number, date_of_birth=date_of_birth, gender=gender)
    id_number_claim_settle(scope=scope, record=staff, noun="cán bộ", code_field="staff_code")
    _validate(staff)
    staff.save()
    _identity_changed(staff)
    _statistics_changed(school.pk)
    return staff


@transaction.atomic
def staff_update(*, scope: Scope, staff: StaffMember, **changes) -> StaffMember:
    if not scope.contains_school(staff.school):
        raise NotInScope()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise AppError(f"Không thể sửa trường thông tin: {', '.join(sorted(unknown))}.")
    identity_changed = person_changes_apply(scope=scope, person=staff, changes=changes,
                                            name_fields=("full_name", "ethnicity", "main_subject"), noun="cán bộ",
                                            code_field="staff_code")
    staff_standard_apply(staff)
    _validate(staff)
    staff.save()
    if identity_changed:
        _identity_changed(staff)
    _statistics_changed(staff.school_id)
    return staff


@transaction.atomic
def staff_delete(*, scope: Scope, staff: StaffMember, reason: str) -> None:
    """Delete a staff member entered by mistake, saying why (kept on the tombstone and in the audit
    trail). Every door (API, Django admin) deletes through here, so the tombstone always tells
    clients syncing with `updated_since`."""
    if not scope.contains_school(staff.school):
        raise NotInScope()
    reason = deletion_reason_or_raise(reason)
    school_id = staff.school_id
    tombstone_create(kind=RecordKind.STAFF, record_id=staff.pk, code=staff.staff_code,
                     school_id=school_id, province_id=staff.school.province_id, reason=reason)
    staff.delete()
    _statistics_changed(school_id)
