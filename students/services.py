"""Writes on pupils: creation with enrollment, identity edits, transfers, results, measurements."""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.events import events_emit, record_event, transfer_requested_event
from edu_portal.common.exceptions import AppError, NotInScope, full_clean_or_raise
from edu_portal.common.identity import (
    canonical_name,
    identity_initial_status,
    identity_validate_or_raise,
    normalize_name,
)
from edu_portal.common.models import (
    current_school_year,
    id_number_claim_settle,
    id_number_entry_check,
    person_changes_apply,
    school_year_label,
)
from edu_portal.common.queue import enqueue_on_commit
from edu_portal.common.tombstones import RecordKind, deletion_reason_or_raise, tombstone_create
from geo.selectors import ethnicity_official_or_raise
from schools.models import School, grades_taught

from . import assessment
from .intake import missing_reason_errors, missing_reason_parse
from .models import (
    OPEN_ENROLLMENT,
    WITHDRAW_STATUSES,
    AcademicResult,
    Enrollment,
    EnrollmentStatus,
    PhysicalRecord,
    Student,
    TransferRequest,
    TransferStatus,
)
from .nutrition import OutsideReference, bmi_exact, bmi_of, height_for_age, nutrition_classify
from .preschool import PreschoolAgeError, age_group, enrollment_age_group

EDITABLE_FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "ethnicity", "birth_province_id",
                   "id_number_missing_reason", "id_number_missing_note")


def _missing_reason_settle(student: Student, *, required: bool) -> None:
    """A pupil without a number carries why (students.intake); the reason goes once the number comes."""
    if student.id_number:
        student.id_number_missing_reason = student.id_number_missing_note = ""
        return
    student.id_number_missing_reason, student.id_number_missing_note = missing_reason_parse(
        student.id_number_missing_reason, student.id_number_missing_note)
    errors = missing_reason_errors(id_number=student.id_number, reason=student.id_number_missing_reason,
                                   note=student.id_number_missing_note, required=required)
    if errors:
        raise AppError(gettext("Lý do chưa có số định danh: %(value)s.") % {"value": errors[0]}, code="invalid",
                       details={"id_number_missing_reason": errors})


def _validate(student: Student) -> None:
    # One list of ethnic groups for every door (Quyết định 121-TCTK/PPCĐ): an alias is stored as the
    # official name, an unknown name is refused, as the upload does.
    student.ethnicity = ethnicity_official_or_raise(student.ethnicity)
    full_clean_or_raise(student)
    identity_validate_or_raise(id_number=student.id_number, date_of_birth=student.date_of_birth,
                               gender=student.gender)


def _statistics_changed(*school_ids: int) -> None:
    """The dashboards' per-school figures of these schools are refreshed after the commit (by task
    name: the records apps do not import the dashboards)."""
    enqueue_on_commit("dashboards.refresh_schools", sorted({int(i) for i in school_ids}))


def _identity_changed(student: Student) -> None:
    """Verification against the population registry, and the look for a second record of the same
    pupil (students.duplicates), after the commit (by task name, as above)."""
    enqueue_on_commit("verification.identities_verify", "student", [student.pk])
    enqueue_on_commit("students.duplicates_scan_pupils", [student.pk])


def _announce(student: Student, action: str, *, changed: list[str] | None = None,
              left: School | None = None) -> None:
    """Client systems subscribed to pupils' changes hear of it (webhooks: by signal, in this transaction)."""
    events_emit([record_event("student", action, record_id=student.pk, key=student.pupil_code,
                              school_id=student.school_id, school_code=student.school.code,
                              province_id=student.school.province_id, changed=changed,
                              left=(left.pk, left.province_id) if left is not None else None)])


def _age_group_or_raise(*, grade: int, date_of_birth: dt.date, school_year: int) -> str:
    """The preschool age group of an enrollment made now (students.preschool); a child whose age fits
    no group (grade-1 age, under 3 months) is the user's to fix."""
    try:
        return enrollment_age_group(grade=grade, date_of_birth=date_of_birth, school_year=school_year,
                                    today=timezone.localdate())
    except PreschoolAgeError as wrong_age:
        raise AppError(gettext("Không xếp được nhóm tuổi mầm non: %(wrong_age)s.") % {"wrong_age": wrong_age},
                       details={"date_of_birth": [str(wrong_age)]}) from wrong_age


def _require(scope: Scope, school: School) -> None:
    if not scope.contains_school(school):
        raise NotInScope()


IN_TRANSIT_MESSAGE = ("Học sinh đang trong thủ tục chuyển trường ({to_school} đề nghị tiếp nhận): hồ sơ không "
                      "sửa được cho đến khi đề nghị được trả lời (đồng ý, từ chối) hoặc bị huỷ.")


def student_in_transit_check(student: Student) -> None:
    """Refuse a write on a pupil while a transfer request is open: the receiving school asked for the
    pupil as they were, and the release moves exactly that record, so the sending school answers
    first (every write door on a pupil comes through here; the upload says the same per row)."""
    transfer = (TransferRequest.objects.select_related("to_school")
                .filter(student_id=student.pk, status=TransferStatus.PENDING).first())
    if transfer is not None:
        raise AppError(IN_TRANSIT_MESSAGE.format(to_school=transfer.to_school.name), code="in_transit",
                       status_code=409, details={"transfer": [transfer.pk]})


@transaction.atomic
def student_create(*, scope: Scope, school: School, pupil_code: str, full_name: str,
                   date_of_birth: dt.date, gender: str, grade: int, class_name: str,
                   id_number: str | None = None, ethnicity: str = "Kinh",
                   birth_province_id: str | None = None, school_year: int | None = None,
                   id_number_missing_reason: str = "", id_number_missing_note: str = "") -> Student:
    """A new pupil enrolled at `school` for the school year (current by default). Without an ID
    number, a user who may type numbers says why (students.intake)."""
    _require(scope, school)
    _grade_taught_or_raise(grade, school)
    pupil_code = pupil_code.strip()
    if Student.objects.filter(pupil_code=pupil_code).exists():
        raise AppError(gettext("Mã học sinh '%(pupil_code)s' đã tồn tại.") % {"pupil_code": pupil_code}, details={"pupil_code": ["Mã đã tồn tại."]})
    id_number = (id_number or "").strip() or None
    id_number_entry_check(scope=scope, typed=id_number is not None)
    student = Student(
        pupil_code=pupil_code, id_number=id_number, full_name=canonical_name(full_name),
        date_of_birth=date_of_birth, gender=gender, ethnicity=normalize_name(ethnicity),
        birth_province_id=birth_province_id, school=school,
        verification_status=identity_initial_status(id_number=id_number, date_of_birth=date_of_birth,
                                                     gender=gender),
        id_number_missing_reason=id_number_missing_reason or "", id_number_missing_note=id_number_missing_note or "",
    )
    _missing_reason_settle(student, required=scope.may_enter_id_numbers)
    id_number_claim_settle(scope=scope, record=student, noun="học sinh", code_field="pupil_code")
    _validate(student)
    student.save()
    year = school_year or current_school_year()
    enrollment = Enrollment(student=student, school=school, school_year=year, grade=grade,
                            class_name=normalize_name(class_name),
                            age_group=_age_group_or_raise(grade=grade, date_of_birth=date_of_birth, school_year=year))
    full_clean_or_raise(enrollment, exclude=["student"])
    enrollment.save()
    _identity_changed(student)
    _statistics_changed(school.pk)
    _announce(student, "created")
    return student


@transaction.atomic
def student_update(*, scope: Scope, student: Student, **changes) -> Student:
    """Edit personal data; a change to an identity field re-queues verification."""
    _require(scope, student.school)
    student_in_transit_check(student)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise AppError(gettext("Không thể sửa trường thông tin: %(join)s.") % {"join": ', '.join(sorted(unknown))})
    identity_changed = person_changes_apply(scope=scope, person=student, changes=changes,
                                            name_fields=("full_name", "ethnicity"), noun="học sinh",
                                            code_field="pupil_code")
    # Asked for when a number is taken away (a legacy record without one is not blocked on other edits).
    _missing_reason_settle(student, required=scope.may_enter_id_numbers and "id_number" in changes)
    _validate(student)
    student.save()
    if "date_of_birth" in changes:
        _age_groups_refresh(student)
    if identity_changed:
        _identity_changed(student)
    # Names, genders, ethnicities and verification states are all counted in the statistics.
    _statistics_changed(student.school_id)
    _announce(student, "updated", changed=list(changes))
    return student


@transaction.atomic
def student_enroll(*, scope: Scope, student: Student, grade: int, class_name: str,
                   school_year: int | None = None) -> Enrollment:
    """Enroll a pupil of this school who has no enrollment for the school year yet (a record the
    to-do list shows as missing its class). A pupil already enrolled that year is refused: moving
    between classes or schools is not this."""
    _require(scope, student.school)
    student_in_transit_check(student)
    year = school_year or current_school_year()
    if Enrollment.objects.filter(student=student, school_year=year).exists():
        raise AppError(gettext("Học sinh đã có ghi danh năm học %(school_year_label)s.") % {"school_year_label": school_year_label(year)}, code="already_enrolled",
                       details={"grade": ["Đã có ghi danh năm học này."]})
    _grade_taught_or_raise(grade, student.school)
    enrollment = Enrollment(student=student, school=student.school, school_year=year, grade=grade,
                            class_name=normalize_name(class_name),
                            age_group=_age_group_or_raise(grade=grade, date_of_birth=student.date_of_birth,
                                                          school_year=year))
    full_clean_or_raise(enrollment, exclude=["student"])
    enrollment.save()
    _statistics_changed(student.school_id)
    _announce(student, "updated", changed=["enrollment"])
    return enrollment


def _age_groups_refresh(student: Student) -> None:
    """A corrected date of birth moves the pupil's preschool enrollments to their group."""
    for enrollment in student.enrollments.filter(grade=0):
        try:
            group = age_group(date_of_birth=student.date_of_birth, school_year=enrollment.school_year)
        except PreschoolAgeError as wrong_age:
            raise AppError(gettext("Ngày sinh không phù hợp với lớp mầm non năm học %(school_year)s-%(value)s: %(wrong_age)s.") % {"school_year": enrollment.school_year, "value": enrollment.school_year + 1, "wrong_age": wrong_age},
                           details={"date_of_birth": [str(wrong_age)]}) from wrong_age
        if group != enrollment.age_group:
            enrollment.age_group, enrollment.updated_at = group, timezone.now()
            enrollment.save(update_fields=["age_group", "updated_at"])


def _student_move(*, student: Student, to_school: School, grade: int, class_name: str, year: int,
                  on: dt.date, intake: bool = False) -> Enrollment:
    """Close the pupil's open enrollment of the year as transferred out on `on` (the sending school
    keeps it as its history and counts it) and open one at `to_school`. Results, physical records and
    the verification state stay on the pupil: they follow them (each keeps its school of record)."""
    from_school_id, from_school = student.school_id, student.school
    _grade_taught_or_raise(grade, to_school)
    current = (Enrollment.objects.select_for_update()
               .filter(OPEN_ENROLLMENT, student=student, school_year=year).first())
    if current is not None:
        current.status, current.left_on, current.updated_at = EnrollmentStatus.TRANSFERRED_OUT, on, timezone.now()
        current.save(update_fields=["status", "left_on", "updated_at"])
    # An intake after a completed level starts with the year (no start date): it is not a transfer in.
    enrollment = Enrollment(student=student, school=to_school, school_year=year, grade=grade,
                            class_name=normalize_name(class_name), started_on=None if intake else on,
                            age_group=_age_group_or_raise(grade=grade, date_of_birth=student.date_of_birth,
                                                          school_year=year))
    full_clean_or_raise(enrollment, exclude=["student"])
    enrollment.save()
    student.school = to_school
    student.updated_at = timezone.now()
    student.save(update_fields=["school", "updated_at"])
    _statistics_changed(from_school_id, to_school.pk)
    _announce(student, "updated", changed=["enrollment", "school"], left=from_school)
    return enrollment


@transaction.atomic
def student_transfer(*, scope: Scope, student: Student, to_school: School, grade: int, class_name: str,
                     school_year: int | None = None) -> Student:
    """Move a pupil at once, for a scope holding both schools (a province within its schools, the
    ministry). Between schools that do not share a scope the move goes through a transfer request
    (transfer_request_create, transfer_release)."""
    _require(scope, student.school)
    _require(scope, to_school)
    if to_school.pk == student.school_id:
        raise AppError(gettext("Học sinh đã học ở trường này."))
    student = Student.objects.select_for_update().get(pk=student.pk)
    _student_move(student=student, to_school=to_school, grade=grade, class_name=class_name,
                  year=school_year or current_school_year(), on=timezone.localdate())
    return student


# --- transfers between schools: the receiving school asks, the sending school (or its province) answers --

# One answer for an unknown code, a known code with another date of birth, and a pupil the caller may
# not look up by number: a receiving school learns nothing about pupils it cannot identify.
TRANSFER_NOT_FOUND = "Không tìm thấy học sinh với mã (hoặc số định danh) và ngày sinh đã nhập."


def _who(user):
    """The user to name on the request (an anonymous caller names nobody; the audit trail has the door)."""
    return user if getattr(user, "pk", None) else None


def _grade_taught_or_raise(grade: int, school: School) -> None:
    """The grade must be one the school teaches (schools.models.LEVEL_GRADES, as the upload checks): a
    primary school takes no grade 7 and a kindergarten no grade 3, whichever door enrolls the pupil."""
    low, high = grades_taught(school.level)
    if not low <= grade <= high:
        grades = f"khối {low} đến {high}" if low != high else f"khối {low}"
        message = f"{school.name} ({school.get_level_display()}) chỉ có {grades}."
        raise AppError(message, code="grade_not_taught", details={"grade": [message]})


def _grade_class_or_raise(grade, class_name: str) -> tuple[int, str]:
    if not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 12:
        raise AppError(gettext("Khối lớp phải từ 0 (mầm non) đến 12."), details={"grade": ["Từ 0 đến 12."]})
    class_name = normalize_name(class_name)
    if not class_name or len(class_name) > 20:
        raise AppError(gettext("Nhập tên lớp (tối đa 20 ký tự)."), details={"class_name": ["Bắt buộc, tối đa 20 ký tự."]})
    return grade, class_name


@transaction.atomic
def transfer_request_create(*, scope: Scope, user, to_school: School, date_of_birth: dt.date, grade: int,
                            class_name: str, pupil_code: str = "", id_number: str = "") -> TransferRequest:
    """The receiving school asks for a pupil, named by pupil code (or ID number, for a scope that may
    type them) and date of birth. A mismatch and an unknown pupil get the same answer."""
    _require(scope, to_school)
    pupil_code, id_number = (pupil_code or "").strip(), (id_number or "").strip()
    if id_number and not scope.may_enter_id_numbers:
        raise AppError(gettext("Bạn không có quyền tìm học sinh theo số định danh; hãy dùng mã học sinh."),
                       code="id_number_not_allowed", details={"id_number": ["Không có quyền nhập số định danh."]},
                       status_code=403)
    if bool(pupil_code) == bool(id_number):
        raise AppError(gettext("Nhập mã học sinh (hoặc số định danh) và ngày sinh của học sinh."),
                       details={"pupil_code": ["Nhập mã học sinh hoặc số định danh (một trong hai)."]})
    grade, class_name = _grade_class_or_raise(grade, class_name)
    _grade_taught_or_raise(grade, to_school)
    lookup = {"pupil_code": pupil_code} if pupil_code else {"id_number": id_number}
    # Locked: two schools asking at once queue here, and the second one meets the first one's request.
    student = (Student.objects.select_for_update(of=("self",)).select_related("school")
               .filter(date_of_birth=date_of_birth, **lookup).first())
    if student is None:
        raise AppError(TRANSFER_NOT_FOUND, code="not_found", status_code=404)
    if student.school_id == to_school.pk:
        raise AppError(gettext("Học sinh đang học ở trường này."), code="already_here", status_code=409)
    open_request = TransferRequest.objects.filter(student=student, status=TransferStatus.PENDING).first()
    if open_request is not None:
        if open_request.to_school_id == to_school.pk:
            raise AppError(gettext("Trường đã đề nghị tiếp nhận học sinh này; đề nghị đang chờ trường cũ trả lời."),
                           code="duplicate_request", status_code=409)
        raise AppError(gettext("Học sinh đang trong một thủ tục chuyển trường khác, chờ trường cũ trả lời; "
                       "chỉ đề nghị lại được khi thủ tục đó kết thúc."), code="in_transit", status_code=409)
    year = current_school_year()
    left = _latest_enrollment(student, for_update=True)
    if left is not None and left.status == EnrollmentStatus.COMPLETED:
        return _intake_after_completion(student=student, completed=left, to_school=to_school, user=user,
                                        grade=grade, class_name=class_name)
    _age_group_or_raise(grade=grade, date_of_birth=student.date_of_birth, school_year=year)
    transfer = TransferRequest.objects.create(student=student, from_school=student.school, to_school=to_school,
                                              requested_by=_who(user),
                                              grade=grade, class_name=class_name)
    events_emit([transfer_requested_event(transfer_id=transfer.pk, student_id=student.pk, pupil_code=student.pupil_code,
                                          from_school=student.school, to_school=to_school)])
    if left is not None and left.status == EnrollmentStatus.TRANSFERRED_OUT:
        # "Chờ tiếp nhận": the sending school already recorded the pupil as leaving by transfer, which it
        # does when its head signs the family's transfer application (the consent of the school left that
        # the rules on changing schools ask for: Quyết định 51/2002/QĐ-BGDĐT, amended by Thông tư
        # 50/2021/TT-BGDĐT). Consent given once is not asked twice: the receiving school takes the pupil
        # in at once, as its office does when the family brings the papers, and no pupil waits on an
        # answer while no school teaches them. The request stays as the record of who took them in, when.
        _student_move(student=student, to_school=to_school, grade=grade, class_name=class_name, year=year,
                      on=timezone.localdate())
        transfer.status, transfer.decided_at = TransferStatus.RELEASED, timezone.now()
        transfer.reason = f"Trường cũ đã ghi nhận học sinh chuyển đi ngày {left.left_on:%d/%m/%Y}"
        transfer.save(update_fields=["status", "decided_at", "reason"])
    return transfer


def _intake_after_completion(*, student: Student, completed: Enrollment, to_school: School, user, grade: int,
                             class_name: str) -> TransferRequest:
    """A pupil who completed a level (grade 5, 9, preschool: the year-end closed their enrollment as
    completed) is taken in by a school of the next level (issue 17): the school left has nothing more to
    consent to, so the intake is immediate, into the first grade of the next level in the school year
    after the one completed. The request is kept as the record of who took them in, and when."""
    if completed.grade >= 12:
        raise AppError(gettext("Học sinh đã hoàn thành chương trình lớp 12."), code="graduated", status_code=409)
    if grade != completed.grade + 1:
        message = f"Học sinh đã hoàn thành {'mầm non' if completed.grade == 0 else f'lớp {completed.grade}'}: " \
                  f"tiếp nhận vào lớp {completed.grade + 1}."
        raise AppError(message, code="grade_after_completion", details={"grade": [message]})
    year = completed.school_year + 1
    if Enrollment.objects.filter(OPEN_ENROLLMENT, student=student, school_year=year).exists():
        raise AppError(gettext("Học sinh đã có lớp trong năm học này."), code="already_enrolled", status_code=409)
    _age_group_or_raise(grade=grade, date_of_birth=student.date_of_birth, school_year=year)
    transfer = TransferRequest.objects.create(student=student, from_school=student.school, to_school=to_school,
                                              requested_by=_who(user), grade=grade, class_name=class_name,
                                              status=TransferStatus.RELEASED, decided_at=timezone.now(),
                                              reason="Đã hoàn thành " + ("mầm non" if completed.grade == 0 else
                                                                         f"lớp {completed.grade}") + " ở trường cũ")
    _student_move(student=student, to_school=to_school, grade=grade, class_name=class_name, year=year,
                  on=timezone.localdate(), intake=True)
    return transfer


def _transfer_for_answer(*, scope: Scope, transfer_id: int) -> tuple[TransferRequest, Student]:
    """The request and its pupil, both locked (pupil first, as transfer_request_create locks), for
    the sending school or its province to answer; a request already answered is refused."""
    found = TransferRequest.objects.select_related("from_school", "to_school").filter(pk=transfer_id).first()
    if found is None or not (scope.contains_school(found.from_school) or scope.contains_school(found.to_school)):
        raise NotInScope()
    if not scope.contains_school(found.from_school):
        raise AppError(gettext("Chỉ trường chuyển đi (hoặc Sở GD&ĐT của trường đó) mới trả lời được đề nghị này."),
                       code="forbidden", status_code=403)
    student = Student.objects.select_for_update().get(pk=found.student_id)
    transfer = (TransferRequest.objects.select_for_update(of=("self",)).select_related("from_school", "to_school")
                .get(pk=transfer_id))
    if transfer.status != TransferStatus.PENDING:
        raise AppError(gettext("Đề nghị này đã được xử lý (%(get_status_display)s).") % {"get_status_display": transfer.get_status_display()}, code="not_pending",
                       status_code=409)
    return transfer, student


@transaction.atomic
def transfer_release(*, scope: Scope, user, transfer_id: int) -> TransferRequest:
    """The sending school (or its province) releases the pupil: moved at once, on today's date."""
    transfer, student = _transfer_for_answer(scope=scope, transfer_id=transfer_id)
    if student.school_id != transfer.from_school_id:
        raise AppError(gettext("Học sinh không còn thuộc trường chuyển đi; đề nghị không còn hiệu lực."), code="stale",
                       status_code=409)
    _student_move(student=student, to_school=transfer.to_school, grade=transfer.grade,
                  class_name=transfer.class_name, year=current_school_year(), on=timezone.localdate())
    transfer.status, transfer.decided_by, transfer.decided_at = TransferStatus.RELEASED, _who(user), timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    return transfer


@transaction.atomic
def transfer_cancel(*, scope: Scope, user, transfer_id: int) -> TransferRequest:
    """The receiving school (or its province) withdraws its own pending request: the pupil stays where
    they are and may be asked for again. The sending side answers (release, decline), never cancels."""
    found = TransferRequest.objects.select_related("from_school", "to_school").filter(pk=transfer_id).first()
    if found is None or not (scope.contains_school(found.from_school) or scope.contains_school(found.to_school)):
        raise NotInScope()
    if not scope.contains_school(found.to_school):
        raise AppError(gettext("Chỉ trường tiếp nhận (hoặc Sở GD&ĐT của trường đó) mới huỷ được đề nghị này; trường "
                       "chuyển đi đồng ý hoặc từ chối."), code="forbidden", status_code=403)
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer_id)
    if transfer.status != TransferStatus.PENDING:
        raise AppError(gettext("Đề nghị này đã được xử lý (%(get_status_display)s).") % {"get_status_display": transfer.get_status_display()}, code="not_pending",
                       status_code=409)
    transfer.status, transfer.decided_by, transfer.decided_at = TransferStatus.CANCELLED, _who(user), timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    return transfer


def transfers_escalate(*, days: int, now: dt.datetime | None = None) -> int:
    """Mark requests pending longer than `days` as escalated to the sending school's province (once:
    a request already escalated keeps its moment, so running twice changes nothing). One statement,
    so the audit trail records it as one step. Returns how many were escalated now."""
    now = now or timezone.now()
    return (TransferRequest.objects
            .filter(status=TransferStatus.PENDING, escalated_at__isnull=True,
                    created_at__lt=now - dt.timedelta(days=days))
            .update(escalated_at=now))


@transaction.atomic
def transfer_decline(*, scope: Scope, user, transfer_id: int, reason: str) -> TransferRequest:
    """The sending school (or its province) declines, saying why (the receiving school reads it)."""
    reason = normalize_name(reason)
    if not reason:
        raise AppError(gettext("Nhập lý do từ chối."), details={"reason": ["Bắt buộc."]})
    if len(reason) > 500:
        raise AppError(gettext("Lý do tối đa 500 ký tự."), details={"reason": ["Tối đa 500 ký tự."]})
    transfer, _student = _transfer_for_answer(scope=scope, transfer_id=transfer_id)
    transfer.status, transfer.reason = TransferStatus.DECLINED, reason
    transfer.decided_by, transfer.decided_at = _who(user), timezone.now()
    transfer.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return transfer


@transaction.atomic
def student_enrollment_set_status(*, scope: Scope, student: Student, status: str,
                                  school_year: int | None = None) -> Enrollment:
    _require(scope, student.school)
    enrollment = Enrollment.objects.get(OPEN_ENROLLMENT, student=student,
                                        school_year=school_year or current_school_year())
    enrollment.status = status
    enrollment.updated_at = timezone.now()
    full_clean_or_raise(enrollment)
    enrollment.save()
    _statistics_changed(enrollment.school_id)
    return enrollment


def school_year_start(year: int) -> dt.date:
    """The first day of a school year as current_school_year counts it (August: enrollment opens)."""
    return dt.date(year, 8, 1)


def school_year_end(year: int) -> dt.date:
    """The last day of a school year as current_school_year counts it (the day before the next one starts)."""
    return school_year_start(year + 1) - dt.timedelta(days=1)


def _latest_enrollment(student: Student, *, for_update: bool = False) -> Enrollment | None:
    """The pupil's latest enrollment at their current school: the one a leaver closes."""
    qs = Enrollment.objects.filter(student=student, school=student.school_id).order_by("-school_year", "-id")
    return (qs.select_for_update() if for_update else qs).first()


def _touch(student: Student) -> None:
    # The pupil's detail carries the enrollment history: clients syncing with `updated_since` see the
    # change through the pupil's own timestamp, as they do a transfer.
    student.updated_at = timezone.now()
    student.save(update_fields=["updated_at"])
    _announce(student, "updated", changed=["enrollment"])


@transaction.atomic
def student_withdraw(*, scope: Scope, student: Student, status: str, left_on: dt.date,
                     reason: str = "") -> Enrollment:
    """Record that a pupil left the school (bỏ học, hoàn thành chương trình, đã mất, chuyển ra nước
    ngoài). The enrollment is kept, closed with the status, the date and the reason: the history
    stays on the pupil's page and the pupil leaves the school's statistics (only pupils studying are
    counted). Deleting is for records entered by mistake (student_delete), never for leavers.

    "Transferred out" here is a pupil who left by transfer before any receiving school asked (the
    family took the transfer papers): the pupil stays attached to this school, listed for its province
    as "chờ tiếp nhận", until a receiving school asks (transfer_request_create, released at once)."""
    _require(scope, student.school)
    student_in_transit_check(student)
    if status not in WITHDRAW_STATUSES:
        allowed = ", ".join(str(s.label) for s in WITHDRAW_STATUSES)
        raise AppError(gettext("Tình trạng rời trường không hợp lệ; chọn một trong: %(allowed)s.") % {"allowed": allowed}, code="invalid_status",
                       details={"status": [f"Chọn một trong: {', '.join(WITHDRAW_STATUSES)}."]})
    reason = normalize_name(reason or "")
    if len(reason) > 200:
        raise AppError(gettext("Lý do dài quá 200 ký tự."), details={"reason": ["Tối đa 200 ký tự."]})
    if status == EnrollmentStatus.DROPPED_OUT and not reason:
        raise AppError(gettext("Học sinh bỏ học: cần ghi lý do."), code="reason_required",
                       details={"reason": ["Bắt buộc khi học sinh bỏ học."]})
    enrollment = _latest_enrollment(student, for_update=True)
    if enrollment is None:
        raise AppError(gettext("Học sinh không có ghi danh ở trường này."), code="no_enrollment")
    if enrollment.status != EnrollmentStatus.STUDYING:
        raise AppError(gettext("Học sinh đã rời trường (%(get_status_display)s%(value)s).") % {"get_status_display": enrollment.get_status_display(), "value": f', ngày {enrollment.left_on:%d/%m/%Y}' if enrollment.left_on else ''},
                       code="already_left", details={"status": ["Học sinh không còn đang học."]})
    # A leaver may be recorded ahead of the day (a pupil leaving at the end of the month, completing
    # the programme in May): they study, and are counted, until that day (dashboards' date rule). The
    # day must fall in the enrollment's school year, so a date years ahead (a typo) is refused.
    last = max(timezone.localdate(), school_year_end(enrollment.school_year))
    if left_on > last:
        raise AppError(f"Ngày rời trường quá xa: muộn nhất {last:%d/%m/%Y} (hết năm học"
                       f" {school_year_label(enrollment.school_year)}).",
                       details={"left_on": [f"Muộn nhất {last:%d/%m/%Y}."]})
    start = max(school_year_start(enrollment.school_year), enrollment.started_on or dt.date.min)
    if left_on < start:
        since = ("ngày chuyển đến trường" if enrollment.started_on and start == enrollment.started_on
                 else f"ngày bắt đầu năm học {school_year_label(enrollment.school_year)}")
        raise AppError(f"Ngày rời trường phải từ {since} ({start:%d/%m/%Y}).",
                       details={"left_on": [f"Phải từ {start:%d/%m/%Y}."]})
    enrollment.status, enrollment.left_on, enrollment.leave_reason = status, left_on, reason
    enrollment.updated_at = timezone.now()
    full_clean_or_raise(enrollment)
    enrollment.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    _touch(student)
    _statistics_changed(enrollment.school_id)
    return enrollment


@transaction.atomic
def student_readmit(*, scope: Scope, student: Student, grade: int | None = None,
                    class_name: str | None = None) -> Enrollment:
    """Take back a pupil who left this school (a dropout returning, a leaver recorded by mistake).

    A leaver of this school year studies again in the same enrollment (the date and reason it had
    stay in the audit trail); a leaver of an earlier year is enrolled for this year, in the grade and
    class given, so the year they left stays in the history as it was."""
    _require(scope, student.school)
    student_in_transit_check(student)
    enrollment = _latest_enrollment(student, for_update=True)
    # A pupil recorded as leaving by transfer whom no school took in yet may come back too.
    if enrollment is None or enrollment.status not in WITHDRAW_STATUSES:
        raise AppError(gettext("Học sinh đang học hoặc đã chuyển trường: không có gì để tiếp nhận lại."),
                       code="not_a_leaver", details={"status": ["Học sinh không ở tình trạng đã rời trường."]})
    year = current_school_year()
    if enrollment.school_year >= year:
        enrollment.status, enrollment.left_on, enrollment.leave_reason = EnrollmentStatus.STUDYING, None, ""
        enrollment.updated_at = timezone.now()
        full_clean_or_raise(enrollment)
        enrollment.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    else:
        if grade is None or not (class_name or "").strip():
            raise AppError(gettext("Tiếp nhận lại cho năm học %(school_year_label)s: cần ghi khối và lớp.") % {"school_year_label": school_year_label(year)},
                           code="class_required",
                           details={"grade": ["Bắt buộc."], "class_name": ["Bắt buộc."]})
        _grade_taught_or_raise(grade, student.school)
        enrollment = Enrollment(student=student, school=student.school, school_year=year, grade=grade,
                                class_name=normalize_name(class_name),
                                age_group=_age_group_or_raise(grade=grade, date_of_birth=student.date_of_birth,
                                                              school_year=year))
        full_clean_or_raise(enrollment, exclude=["student"])
        enrollment.save()
    _touch(student)
    _statistics_changed(enrollment.school_id)
    return enrollment


@transaction.atomic
def academic_result_record(*, scope: Scope, student: Student, school_year: int, term: int,
                           learning_rating: str = "", conduct_rating: str,
                           subject_scores: dict | None = None) -> AcademicResult:
    """Record (or correct) a pupil's result for one term; one row per pupil, year and term.

    The same rules as the upload (students.assessment): the scale follows the pupil's grade that
    year, subject names take their official form, the rating is derived from the subject results
    when left empty and refused when it contradicts them; a secondary year row without subject
    results gets (HK I + 2 × HK II) / 3 from the two terms on file."""
    _require(scope, student.school)
    enrollment = Enrollment.objects.filter(OPEN_ENROLLMENT, student=student, school_year=school_year).first()
    if enrollment is None:
        raise AppError(gettext("Học sinh không có ghi danh năm học %(school_year_label)s.") % {"school_year_label": school_year_label(school_year)},
                       code="no_enrollment", details={"school_year": ["không có ghi danh năm học này"]})
    first = second = None
    if term == 0:
        terms = dict(AcademicResult.objects.filter(student=student, school_year=school_year, term__in=(1, 2))
                     .values_list("term", "subject_scores"))
        first, second = terms.get(1) or None, terms.get(2) or None
    try:
        learning_rating, subject_scores = assessment.result_assess(
            grade=enrollment.grade, term=term, learning_rating=learning_rating, conduct_rating=conduct_rating,
            subjects=subject_scores or {}, first=first, second=second)
    except assessment.AssessmentError as e:
        field = "school_year" if e.field == "grade" else e.field
        raise AppError(str(e), code="inconsistent_result", details={field: [str(e)]}) from e
    result, _ = AcademicResult.objects.get_or_create(
        student=student, school_year=school_year, term=term,
        defaults={"school": student.school, "learning_rating": learning_rating,
                  "conduct_rating": conduct_rating, "subject_scores": subject_scores},
    )
    result.school = student.school
    result.learning_rating, result.conduct_rating = learning_rating, conduct_rating
    result.subject_scores = subject_scores
    result.updated_at = timezone.now()
    full_clean_or_raise(result)
    result.save()
    _statistics_changed(result.school_id)
    return result


@transaction.atomic
def physical_record_add(*, scope: Scope, student: Student, measured_on: dt.date, height_cm: Decimal,
                        weight_kg: Decimal, school_year: int | None = None) -> PhysicalRecord:
    """Record a measurement; BMI and the WHO nutrition category are derived here, never typed."""
    _require(scope, student.school)
    height_cm, weight_kg = Decimal(str(height_cm)), Decimal(str(weight_kg))
    if not (Decimal(40) <= height_cm <= Decimal(230)) or not (Decimal(2) <= weight_kg <= Decimal(200)):
        raise AppError(gettext("Chiều cao phải từ 40 đến 230 cm và cân nặng từ 2 đến 200 kg."),
                       details={"height_cm": ["Ngoài khoảng hợp lệ."], "weight_kg": ["Ngoài khoảng hợp lệ."]})
    if measured_on < student.date_of_birth or measured_on > timezone.localdate():
        raise AppError(gettext("Ngày đo phải sau ngày sinh và không ở tương lai."), details={"measured_on": ["Không hợp lệ."]})
    try:
        z, status = nutrition_classify(bmi=bmi_exact(height_cm, weight_kg), date_of_birth=student.date_of_birth,
                                       measured_on=measured_on, gender=student.gender)
        height_z, height_status = height_for_age(height_cm=height_cm, date_of_birth=student.date_of_birth,
                                                 measured_on=measured_on, gender=student.gender)
    except OutsideReference as past:
        raise AppError(gettext("Không ghi được số đo: %(past)s.") % {"past": past}, details={"measured_on": [str(past)]}) from past
    bmi = bmi_of(height_cm, weight_kg)
    record, _ = PhysicalRecord.objects.update_or_create(
        student=student, measured_on=measured_on,
        defaults={"school": student.school, "school_year": school_year or current_school_year(measured_on),
                  "height_cm": height_cm, "weight_kg": weight_kg, "bmi": bmi,
                  "bmi_z_score": Decimal(str(z)), "nutrition_status": status,
                  "height_z_score": Decimal(str(height_z)), "height_status": height_status,
                  "updated_at": timezone.now()},
    )
    _statistics_changed(record.school_id)
    return record


@transaction.atomic
def student_delete(*, scope: Scope, student: Student, reason: str) -> None:
    """Delete a pupil entered by mistake (a duplicate, a record that is no pupil's) with their
    enrollments, results and measurements; a pupil who left is withdrawn (student_withdraw), never
    deleted. The reason is required: it is kept on the tombstone, which tells clients syncing with
    `updated_since` (the deleted/ feed), and in the audit trail with who deleted. Every door (the
    pupil's page, the API, Django admin) deletes through here."""
    _require(scope, student.school)
    student_in_transit_check(student)
    reason = deletion_reason_or_raise(reason)
    school_id = student.school_id
    tombstone_create(kind=RecordKind.STUDENT, record_id=student.pk, code=student.pupil_code,
                     school_id=school_id, province_id=student.school.province_id, reason=reason,
                     school_code=student.school.code, id_number=student.id_number)
    _announce(student, "deleted")
    student.delete()
    _statistics_changed(school_id)


def physical_records_reclassify(*, batch_size: int = 20000, since_id: int = 0,
                                progress: Callable[[dict], None] | None = None) -> dict:
    """Bring stored measurements under the current WHO rules (students/nutrition.py): BMI, the
    BMI-for-age z and status, the height-for-age z and status, recomputed by the functions the form
    and the upload use, from each record's height, weight and date, and its pupil's birth date and sex.

    Walks the records by id (keyset, `since_id` resumes after the last id a run reported). Each
    batch is its own transaction and writes only the rows whose figures differ, in one UPDATE, so a
    run stopped half way keeps what it did and a second run changes nothing. A record past 19 years
    (or measured before birth) has no reference to classify by: counted, listed, left as it is.
    The dashboards of the schools whose records changed are refreshed after each batch's commit."""
    started = time.monotonic()
    examined = changed = 0
    outside: list[int] = []
    nutrition_changes: Counter = Counter()
    height_changes: Counter = Counter()
    last_id = since_id
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            # The batch is taken first (by the primary key, at most batch_size rows), then its pupils
            # by theirs: at national size a join planned over "id > n" could scan every pupil per batch.
            cur.execute(
                """WITH p AS MATERIALIZED (
                       SELECT id, student_id, school_id, measured_on, height_cm, weight_kg, bmi, bmi_z_score,
                              nutrition_status, height_z_score, height_status
                       FROM students_physicalrecord WHERE id > %s ORDER BY id LIMIT %s)
                   SELECT p.id, p.school_id, p.measured_on, p.height_cm, p.weight_kg, p.bmi, p.bmi_z_score,
                          p.nutrition_status, p.height_z_score, p.height_status, s.date_of_birth, s.gender
                   FROM p JOIN students_student s ON s.id = p.student_id ORDER BY p.id""", [last_id, batch_size])
            rows = cur.fetchall()
            if not rows:
                break
            updates, transitions = [], {}
            for (pk, _school, measured_on, height, weight, bmi, z_old, status_old, height_z_old, height_status_old,
                 dob, gender) in rows:
                try:
                    z, status = nutrition_classify(bmi=bmi_exact(height, weight), date_of_birth=dob,
                                                   measured_on=measured_on, gender=gender)
                    height_z, height_status = height_for_age(height_cm=height, date_of_birth=dob,
                                                             measured_on=measured_on, gender=gender)
                except OutsideReference:
                    outside.append(pk)
                    continue
                new = (bmi_of(height, weight), Decimal(str(z)), str(status), Decimal(str(height_z)),
                       str(height_status))
                if new == (bmi, z_old, status_old, height_z_old, height_status_old):
                    continue
                updates.append((pk, height, weight, *new))
                transitions[pk] = ((status_old, new[2]), (height_status_old, new[4]))
            examined += len(rows)
            last_id = rows[-1][0]
            if updates:
                # The measurement read must still be the one stored: a record an upload or the form
                # rewrote meanwhile was classified by them, under the same rules.
                cur.execute(
                    """UPDATE students_physicalrecord p
                       SET bmi = v.bmi, bmi_z_score = v.bmi_z_score, nutrition_status = v.nutrition_status,
                           height_z_score = v.height_z_score, height_status = v.height_status, updated_at = %s
                       FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[],
                                   %s::text[], %s::numeric[], %s::text[])
                            AS v(id, height_cm, weight_kg, bmi, bmi_z_score, nutrition_status, height_z_score,
                                 height_status)
                       WHERE p.id = v.id AND p.height_cm = v.height_cm AND p.weight_kg = v.weight_kg
                       RETURNING p.id, p.school_id""",
                    [timezone.now(), *(list(column) for column in zip(*updates, strict=True))])
                written = cur.fetchall()
                changed += len(written)
                for pk, _school in written:
                    (nutrition_old, nutrition_new), (height_old, height_new) = transitions[pk]
                    if nutrition_old != nutrition_new:
                        nutrition_changes[nutrition_old, nutrition_new] += 1
                    if height_old != height_new:
                        height_changes[height_old, height_new] += 1
                if written:
                    _statistics_changed(*{school for _pk, school in written})
        if progress:
            progress({"examined": examined, "changed": changed, "outside_reference": len(outside),
                      "last_id": last_id})
    elapsed = time.monotonic() - started
    return {"examined": examined, "changed": changed, "outside_reference": len(outside),
            "outside_ids": outside[:100], "last_id": last_id,
            "nutrition_status_changes": dict(nutrition_changes), "height_status_changes": dict(height_changes),
            "seconds": round(elapsed, 2), "rows_per_second": round(examined / elapsed) if elapsed else 0}
