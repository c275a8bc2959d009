"""Writes on staff members: validated in full, atomic, identity changes queued for verification."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.events import events_emit, record_event
from edu_portal.common.exceptions import AppError, NotInScope, full_clean_or_raise
from edu_portal.common.identity import (
    canonical_name,
    identity_initial_status,
    identity_validate_or_raise,
    normalize_name,
)
from edu_portal.common.models import id_number_claim_settle, id_number_entry_check, person_changes_apply
from edu_portal.common.queue import enqueue_on_commit
from edu_portal.common.tombstones import RecordKind, deletion_reason_or_raise, tombstone_create
from geo.selectors import ethnicity_official_or_raise
from schools.models import School

from .models import (
    Position,
    PostingEndReason,
    QualificationStandard,
    ReassignmentStatus,
    StaffMember,
    StaffPosting,
    StaffReassignment,
)
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


def _announce(staff: StaffMember, action: str, *, changed: list[str] | None = None,
              left: School | None = None) -> None:
    """Client systems subscribed to staff changes hear of it (webhooks: by signal, in this transaction)."""
    events_emit([record_event("staff", action, record_id=staff.pk, key=staff.staff_code, school_id=staff.school_id,
                              school_code=staff.school.code, province_id=staff.school.province_id, changed=changed,
                              left=(left.pk, left.province_id) if left is not None else None)])


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
        raise AppError(gettext("Mã cán bộ '%(staff_code)s' đã tồn tại.") % {"staff_code": staff_code}, details={"staff_code": ["Mã đã tồn tại."]})
    staff = StaffMember(
        staff_code=staff_code.strip(), id_number=(id_number or "").strip() or None,
        full_name=canonical_name(full_name), date_of_birth=date_of_birth, gender=gender,
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
    # Where the history starts: the day the member started there is not asked for, so it stays unknown.
    StaffPosting.objects.create(staff=staff, school=school, position=staff.position)
    _identity_changed(staff)
    _statistics_changed(school.pk)
    _announce(staff, "created")
    return staff


@transaction.atomic
def staff_update(*, scope: Scope, staff: StaffMember, **changes) -> StaffMember:
    if not scope.contains_school(staff.school):
        raise NotInScope()
    _refuse_in_transit(staff)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise AppError(gettext("Không thể sửa trường thông tin: %(join)s.") % {"join": ', '.join(sorted(unknown))})
    identity_changed = person_changes_apply(scope=scope, person=staff, changes=changes,
                                            name_fields=("full_name", "ethnicity", "main_subject"), noun="cán bộ",
                                            code_field="staff_code")
    staff_standard_apply(staff)
    _validate(staff)
    staff.save()
    if identity_changed:
        _identity_changed(staff)
    _statistics_changed(staff.school_id)
    _announce(staff, "updated", changed=list(changes))
    return staff


@transaction.atomic
def staff_delete(*, scope: Scope, staff: StaffMember, reason: str) -> None:
    """Delete a staff member entered by mistake, saying why (kept on the tombstone and in the audit
    trail). Every door (API, Django admin) deletes through here, so the tombstone always tells
    clients syncing with `updated_since`."""
    if not scope.contains_school(staff.school):
        raise NotInScope()
    _refuse_in_transit(staff)
    reason = deletion_reason_or_raise(reason)
    school_id = staff.school_id
    tombstone_create(kind=RecordKind.STAFF, record_id=staff.pk, code=staff.staff_code,
                     school_id=school_id, province_id=staff.school.province_id, reason=reason,
                     school_code=staff.school.code, id_number=staff.id_number)
    _announce(staff, "deleted")
    staff.delete()
    _statistics_changed(school_id)


# --- reassignments between schools (điều chuyển công tác): the receiving school asks, the sending school
# (or its province) answers, the receiving side may withdraw its request ---------------------------------

# One answer for an unknown code and a known code with another date of birth: a receiving school learns
# nothing about staff members it cannot identify.
REASSIGNMENT_NOT_FOUND = "Không tìm thấy cán bộ với mã cán bộ và ngày sinh đã nhập."


def _refuse_in_transit(staff: StaffMember) -> None:
    """While a request is open the sending school's record is what the receiving school was promised:
    an edit (or a deletion) would change it under the answer, so it waits for the answer."""
    if StaffReassignment.objects.filter(staff_id=staff.pk, status=ReassignmentStatus.PENDING).exists():
        raise AppError(gettext("Cán bộ đang trong thủ tục điều chuyển công tác, chờ trường cũ trả lời: chưa sửa được hồ sơ. "
                       "Hãy đồng ý hoặc từ chối đề nghị điều chuyển trước."), code="in_transit", status_code=409)


def _who(user):
    """The user to name on the request (an anonymous caller names nobody; the audit trail has the door)."""
    return user if getattr(user, "pk", None) else None


def _position_or_raise(position: str) -> str:
    if position not in Position.values:
        raise AppError(gettext("Chọn chức vụ ở trường tiếp nhận."),
                       details={"position": [f"Một trong: {', '.join(Position.values)}."]})
    return position


def _staff_move(*, staff: StaffMember, to_school: School, position: str, on: dt.date) -> None:
    """Close the member's open posting as reassigned on `on` (the sending school keeps it as its history)
    and open one at `to_school`. A member with no open posting (rows written outside the services) gets
    the sending school's posting recorded, closed, so the history still shows where they came from."""
    from_school_id, from_school = staff.school_id, staff.school
    current = StaffPosting.objects.select_for_update().filter(staff=staff, ended_on__isnull=True).first()
    if current is None:
        current = StaffPosting(staff=staff, school_id=from_school_id, position=staff.position)
    current.ended_on, current.end_reason = on, PostingEndReason.REASSIGNED
    current.save()
    StaffPosting.objects.create(staff=staff, school=to_school, position=position, started_on=on)
    staff.school, staff.position = to_school, position
    # The standard depends on the school's level (a primary teacher moved to a secondary school).
    staff_standard_apply(staff)
    staff.updated_at = timezone.now()
    staff.save(update_fields=["school", "position", "qualification_standard", "meets_qualification_standard",
                              "updated_at"])
    _statistics_changed(from_school_id, to_school.pk)
    _announce(staff, "updated", changed=["position", "school"], left=from_school)


@transaction.atomic
def staff_reassign(*, scope: Scope, staff: StaffMember, to_school: School, position: str | None = None
                   ) -> StaffMember:
    """Reassign at once, for a scope holding both schools (a province within its schools, the ministry).
    Between schools that do not share a scope it goes through a request (staff_reassignment_request,
    staff_reassignment_release)."""
    if not (scope.contains_school(staff.school) and scope.contains_school(to_school)):
        raise NotInScope()
    if to_school.pk == staff.school_id:
        raise AppError(gettext("Cán bộ đang công tác ở trường này."), code="already_here", status_code=409)
    staff = StaffMember.objects.select_for_update().select_related("school").get(pk=staff.pk)
    _refuse_in_transit(staff)
    _staff_move(staff=staff, to_school=to_school, position=_position_or_raise(position or staff.position),
                on=timezone.localdate())
    return staff


@transaction.atomic
def staff_reassignment_request(*, scope: Scope, user, to_school: School, staff_code: str, date_of_birth: dt.date,
                               position: str) -> StaffReassignment:
    """The receiving school asks for a staff member, named by staff code and date of birth, offering a
    post. A mismatch and an unknown member get the same answer."""
    if not scope.contains_school(to_school):
        raise NotInScope()
    staff_code = (staff_code or "").strip()
    if not staff_code:
        raise AppError(gettext("Nhập mã cán bộ và ngày sinh của cán bộ."), details={"staff_code": ["Bắt buộc."]})
    position = _position_or_raise(position)
    # Locked: two schools asking at once queue here, and the second one meets the first one's request.
    staff = (StaffMember.objects.select_for_update(of=("self",)).select_related("school")
             .filter(staff_code=staff_code, date_of_birth=date_of_birth).first())
    if staff is None:
        raise AppError(REASSIGNMENT_NOT_FOUND, code="not_found", status_code=404)
    if staff.school_id == to_school.pk:
        raise AppError(gettext("Cán bộ đang công tác ở trường này."), code="already_here", status_code=409)
    open_request = StaffReassignment.objects.filter(staff=staff, status=ReassignmentStatus.PENDING).first()
    if open_request is not None:
        if open_request.to_school_id == to_school.pk:
            raise AppError(gettext("Trường đã đề nghị tiếp nhận cán bộ này; đề nghị đang chờ trường cũ trả lời."),
                           code="duplicate_request", status_code=409)
        raise AppError(gettext("Cán bộ đang trong một thủ tục điều chuyển công tác khác, chờ trường cũ trả lời; "
                       "chỉ đề nghị lại được khi thủ tục đó kết thúc."), code="in_transit", status_code=409)
    return StaffReassignment.objects.create(staff=staff, from_school=staff.school, to_school=to_school,
                                            requested_by=_who(user), position=position)


def _reassignment_for_answer(*, scope: Scope, reassignment_id: int, side: str
                             ) -> tuple[StaffReassignment, StaffMember]:
    """The request and its staff member, both locked (member first, as staff_reassignment_request locks),
    for `side` ("from": the sending school or its province; "to": the receiving one) to act on; a
    request out of scope is not found, one already answered is refused."""
    found = StaffReassignment.objects.select_related("from_school", "to_school").filter(pk=reassignment_id).first()
    if found is None or not (scope.contains_school(found.from_school) or scope.contains_school(found.to_school)):
        raise NotInScope()
    if side == "from" and not scope.contains_school(found.from_school):
        raise AppError(gettext("Chỉ trường chuyển đi (hoặc Sở GD&ĐT của trường đó) mới trả lời được đề nghị này."),
                       code="forbidden", status_code=403)
    if side == "to" and not scope.contains_school(found.to_school):
        raise AppError(gettext("Chỉ trường tiếp nhận (hoặc Sở GD&ĐT của trường đó) mới huỷ được đề nghị này."),
                       code="forbidden", status_code=403)
    staff = StaffMember.objects.select_for_update().select_related("school").get(pk=found.staff_id)
    reassignment = (StaffReassignment.objects.select_for_update(of=("self",))
                    .select_related("from_school", "to_school").get(pk=reassignment_id))
    if reassignment.status != ReassignmentStatus.PENDING:
        raise AppError(gettext("Đề nghị này đã được xử lý (%(get_status_display)s).") % {"get_status_display": reassignment.get_status_display()}, code="not_pending",
                       status_code=409)
    return reassignment, staff


def _decide(reassignment: StaffReassignment, *, user, status: str, reason: str = "") -> StaffReassignment:
    reassignment.status, reassignment.reason = status, reason
    reassignment.decided_by, reassignment.decided_at = _who(user), timezone.now()
    reassignment.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return reassignment


@transaction.atomic
def staff_reassignment_release(*, scope: Scope, user, reassignment_id: int) -> StaffReassignment:
    """The sending school (or its province) releases the member: reassigned at once, on today's date."""
    reassignment, staff = _reassignment_for_answer(scope=scope, reassignment_id=reassignment_id, side="from")
    if staff.school_id != reassignment.from_school_id:
        raise AppError(gettext("Cán bộ không còn thuộc trường chuyển đi; đề nghị không còn hiệu lực."), code="stale",
                       status_code=409)
    _staff_move(staff=staff, to_school=reassignment.to_school, position=reassignment.position,
                on=timezone.localdate())
    return _decide(reassignment, user=user, status=ReassignmentStatus.RELEASED)


@transaction.atomic
def staff_reassignment_decline(*, scope: Scope, user, reassignment_id: int, reason: str) -> StaffReassignment:
    """The sending school (or its province) declines, saying why (the receiving school reads it)."""
    reason = normalize_name(reason or "")
    if not reason:
        raise AppError(gettext("Nhập lý do từ chối."), details={"reason": ["Bắt buộc."]})
    if len(reason) > 500:
        raise AppError(gettext("Lý do tối đa 500 ký tự."), details={"reason": ["Tối đa 500 ký tự."]})
    reassignment, _staff = _reassignment_for_answer(scope=scope, reassignment_id=reassignment_id, side="from")
    return _decide(reassignment, user=user, status=ReassignmentStatus.DECLINED, reason=reason)


@transaction.atomic
def staff_reassignment_cancel(*, scope: Scope, user, reassignment_id: int) -> StaffReassignment:
    """The receiving school (or its province) withdraws its request while it is open."""
    reassignment, _staff = _reassignment_for_answer(scope=scope, reassignment_id=reassignment_id, side="to")
    return _decide(reassignment, user=user, status=ReassignmentStatus.CANCELLED)
