import datetime as dt
from decimal import Decimal

import pytest

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import current_school_year
from students.assessment import subjects_for
from students.models import Enrollment, EnrollmentStatus, Student
from students.services import (
    academic_result_record,
    physical_record_add,
    student_create,
    student_transfer,
    student_update,
)
from tests.factories import make_student, real_identity

pytestmark = pytest.mark.django_db


def test_create_normalises_the_name_and_queues_verification(school_a):
    identity = real_identity(serial=11)
    nfd = "  " + identity["full_name"].replace(" ", "   ")
    import unicodedata

    pupil = make_student(school_a, full_name=unicodedata.normalize("NFD", nfd))
    assert pupil.full_name == identity["full_name"]
    assert pupil.verification_status == VerificationStatus.QUEUED
    assert Enrollment.objects.get(student=pupil).school == school_a


@pytest.mark.parametrize("field, value, expected_field", [
    ("id_number", "12345", "id_number"),
    ("id_number", "999315000001", "id_number"),  # no such province code
    ("gender", "X", "gender"),
])
def test_invalid_input_names_the_field_and_writes_nothing(school_a, field, value, expected_field):
    with pytest.raises(AppError) as err:
        make_student(school_a, **{field: value})
    assert expected_field in err.value.details
    assert not Student.objects.exists()


def test_id_number_must_agree_with_birth_year_and_gender(school_a):
    identity = real_identity(serial=12)
    with pytest.raises(AppError) as err:
        make_student(school_a, **{**identity, "date_of_birth": dt.date(2014, 5, 5)})
    assert "năm sinh" in err.value.message


def test_duplicate_pupil_code_and_id_number_are_refused(school_a):
    pupil = make_student(school_a)
    with pytest.raises(AppError):
        make_student(school_a, pupil_code=pupil.pupil_code)
    with pytest.raises(AppError):
        make_student(school_a, id_number=pupil.id_number, full_name=pupil.full_name,
                     date_of_birth=pupil.date_of_birth, gender=pupil.gender)
    assert Student.objects.count() == 1


def test_school_admin_cannot_create_in_another_school(school_a, school_b, school_user):
    with pytest.raises(NotInScope):
        student_create(scope=Scope.for_user(school_user), school=school_b, pupil_code="X1", grade=1,
                       class_name="1A", **real_identity(serial=13))


def test_identity_change_requeues_and_other_changes_do_not(school_a):
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status=VerificationStatus.VERIFIED)
    pupil.refresh_from_db()
    pupil = student_update(scope=Scope.country(), student=pupil, ethnicity="Tày")
    assert pupil.verification_status == VerificationStatus.VERIFIED
    pupil = student_update(scope=Scope.country(), student=pupil, full_name="Nguyễn Văn Khác")
    assert pupil.verification_status == VerificationStatus.QUEUED


def test_transfer_moves_the_pupil_and_needs_both_schools_in_scope(school_a, school_b, school_other_province,
                                                                  province_user):
    pupil = make_student(school_a)
    scope = Scope.for_user(province_user)
    with pytest.raises(NotInScope):
        student_transfer(scope=scope, student=pupil, to_school=school_other_province, grade=3, class_name="3B")
    student_transfer(scope=scope, student=pupil, to_school=school_b, grade=3, class_name="3B")
    pupil.refresh_from_db()
    assert pupil.school == school_b
    # The old school keeps its enrollment, closed as transferred out; the new one is open.
    assert sorted(Enrollment.objects.filter(student=pupil).values_list("school_id", "status")) == sorted(
        [(school_a.pk, EnrollmentStatus.TRANSFERRED_OUT), (school_b.pk, EnrollmentStatus.STUDYING)])


def test_results_are_one_row_per_term_and_correctable(school_a):
    pupil = make_student(school_a)  # grade 3 in 2026-2027
    grade3 = {s.name: ({"rating": "HTT", "test": 9} if s.has_periodic_test(3) else "Hoàn thành tốt")
              for s in subjects_for(3) if s.compulsory}
    result = academic_result_record(scope=Scope.country(), student=pupil, school_year=2026, term=1,
                                    conduct_rating="tot",
                                    subject_scores={**{k: v for k, v in grade3.items() if k != "Toán"},
                                                    "Toán học": {"rating": "HT", "test": 9}})
    # Derived by Thông tư 27/2020 Điều 10 (one subject Hoàn thành); names and ratings in official form.
    assert result.learning_rating == "hoan_thanh" and result.subject_scores["Toán"] == {"rating": "Hoàn thành",
                                                                                         "test": 9}
    result = academic_result_record(scope=Scope.country(), student=pupil, school_year=2026, term=1,
                                    learning_rating="hoan_thanh_tot", conduct_rating="tot")
    assert pupil.results.count() == 1 and result.learning_rating == "hoan_thanh_tot"
    with pytest.raises(AppError):
        academic_result_record(scope=Scope.country(), student=pupil, school_year=2026, term=1,
                               learning_rating="xuat_sac", conduct_rating="tot")


def test_results_written_through_the_service_follow_the_circulars(school_a):
    pupil = make_student(school_a)  # grade 3: Thông tư 27/2020
    year = current_school_year()
    grade3 = {s.name: ({"rating": "HTT", "test": 7} if s.has_periodic_test(3) else "HTT")
              for s in subjects_for(3) if s.compulsory}
    with pytest.raises(AppError) as e:
        academic_result_record(scope=Scope.country(), student=pupil, school_year=year, term=2,
                               learning_rating="hoan_thanh_xuat_sac", conduct_rating="tot", subject_scores=grade3)
    assert e.value.code == "inconsistent_result" and "TT 27/2020, Điều 10 khoản 2" in e.value.message
    assert "bài kiểm tra Ngoại ngữ 1 7 < 9" in e.value.message
    with pytest.raises(AppError, match="thang của lớp 3"):
        academic_result_record(scope=Scope.country(), student=pupil, school_year=year, term=2,
                               learning_rating="tot", conduct_rating="tot")
    with pytest.raises(AppError, match=f"không có ghi danh năm học {year - 1}-{year}"):
        academic_result_record(scope=Scope.country(), student=pupil, school_year=year - 1, term=2,
                               learning_rating="hoan_thanh", conduct_rating="tot")
    assert not pupil.results.exists()


def test_physical_record_derives_bmi_and_who_category(school_a):
    pupil = make_student(school_a)  # born 2015
    measured = dt.date(2025, 10, 1)
    normal = physical_record_add(scope=Scope.country(), student=pupil, measured_on=measured,
                                 height_cm=Decimal("135"), weight_kg=Decimal("29"))
    assert normal.bmi == Decimal("15.9") and normal.nutrition_status == "normal"
    obese = physical_record_add(scope=Scope.country(), student=pupil, measured_on=measured + dt.timedelta(days=1),
                                height_cm=Decimal("135"), weight_kg=Decimal("48"))
    assert obese.nutrition_status == "obese"
    with pytest.raises(AppError):
        physical_record_add(scope=Scope.country(), student=pupil, measured_on=measured,
                            height_cm=Decimal("500"), weight_kg=Decimal("29"))


def test_every_edit_refreshes_statistics_and_identity_edits_verification_after_commit(
        school_a, django_capture_on_commit_callbacks):
    """The follow-up work reaches the workers by task name once the edit commits: the school's
    statistics after any edit (they count names, genders, ethnicities), verification and the look for
    a second record of the pupil only after an identity change."""
    from tests import queued

    pupil = make_student(school_a)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        student_update(scope=Scope.country(), student=pupil, ethnicity="Tày")
    assert queued.queued_tasks() == [("dashboards.refresh_schools", [[school_a.pk]], {})]

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        student_update(scope=Scope.country(), student=pupil, full_name="Nguyễn Văn Khác")
    assert queued.queued_tasks() == [("verification.identities_verify", ["student", [pupil.pk]], {}),
                                     ("students.duplicates_scan_pupils", [[pupil.pk]], {}),
                                     ("dashboards.refresh_schools", [[school_a.pk]], {})]
    queued.clear()


def test_ethnicity_is_stored_as_the_official_name_and_an_unknown_one_is_refused(school_a):
    """Forms, the API and the admin follow the upload's rule (Quyết định 121-TCTK/PPCĐ)."""
    pupil = student_create(scope=Scope.country(can_view_id_numbers=True), school=school_a, pupil_code="DT1",
                           grade=1, class_name="1A", ethnicity="Khmer", **real_identity(serial=41))
    assert pupil.ethnicity == "Khơ-me"
    pupil = student_update(scope=Scope.country(), student=pupil, ethnicity="h'mông")
    pupil.refresh_from_db()
    assert pupil.ethnicity == "HMông"
    with pytest.raises(AppError) as caught:
        student_update(scope=Scope.country(), student=pupil, ethnicity="Người Sao Hỏa")
    assert "ethnicity" in caught.value.details
    pupil.refresh_from_db()
    assert pupil.ethnicity == "HMông"


# --- Deletion (issue 15): only records entered by mistake, with a reason kept on the tombstone ------

@pytest.mark.parametrize("reason, words", [("", "Nhập lý do xoá"), ("   \t ", "Nhập lý do xoá"),
                                           ("x" * 501, "500 ký tự")])
def test_delete_needs_a_reason_of_at_most_500_characters(school_a, reason, words):
    from edu_portal.common.tombstones import DeletedRecord
    from students.services import student_delete

    pupil = make_student(school_a)
    with pytest.raises(AppError) as refused:
        student_delete(scope=Scope.country(), student=pupil, reason=reason)
    assert "reason" in refused.value.details and words in refused.value.message
    assert Student.objects.filter(pk=pupil.pk).exists() and not DeletedRecord.objects.exists()


def test_delete_keeps_the_normalized_reason_on_the_tombstone_and_in_the_audit_trail(school_a, school_user):
    from audit.context import clear, set_actor
    from audit.models import AuditEvent, Door
    from edu_portal.common.tombstones import DeletedRecord
    from students.services import student_delete

    pupil = make_student(school_a)
    pk, code = pupil.pk, pupil.pupil_code
    set_actor(user=school_user, door=Door.WEB)
    try:
        student_delete(scope=Scope.for_user(school_user), student=pupil,
                       reason="  Nhập  trùng với hồ sơ\u0300 khác ")
    finally:
        clear()
    assert not Student.objects.filter(pk=pk).exists()
    tombstone = DeletedRecord.objects.get(kind="student", record_id=pk)
    assert tombstone.reason == "Nhập trùng với hồ sờ khác"  # NFC, spaces collapsed
    why = AuditEvent.objects.get(model="common.deletedrecord", record_id=tombstone.pk)
    assert (why.action, why.actor, why.door) == ("delete", "t_school_a", "web")
    assert why.before == {"kind": "student", "record_id": pk, "code": code,
                          "reason": tombstone.reason}
    # The triggers record the deleted row under the same name.
    row = AuditEvent.objects.get(model="students.student", record_id=pk, action="delete")
    assert (row.actor, row.door) == ("t_school_a", "web")


def test_a_refused_delete_leaves_no_audit_event(school_a, school_b):
    from audit.models import AuditEvent
    from students.services import student_delete

    pupil = make_student(school_b)
    with pytest.raises(NotInScope):
        student_delete(scope=Scope("school", school_id=school_a.pk, province_code="01"), student=pupil,
                       reason="Nhầm")
    assert not AuditEvent.objects.filter(model="common.deletedrecord").exists()


# --- intake without an ID number (issue 16) --------------------------------------------------------

def _no_number(school, **extra):
    identity = real_identity(serial=9100)
    identity.pop("id_number")
    return dict(school=school, pupil_code=f"HSN{len(extra)}{identity['date_of_birth']:%m%d}", grade=1,
                class_name="1A", **identity, **extra)


def test_a_pupil_without_id_number_needs_a_reason_from_who_may_type_numbers(school_a):
    full = Scope.country(can_view_id_numbers=True)
    with pytest.raises(AppError) as refused:
        student_create(scope=full, **_no_number(school_a))
    assert "id_number_missing_reason" in refused.value.details
    with pytest.raises(AppError) as other_without_text:
        student_create(scope=full, **_no_number(school_a, id_number_missing_reason="other"))
    assert other_without_text.value.details["id_number_missing_reason"] == ["ghi rõ lý do khác"]
    assert not Student.objects.exists()

    pupil = student_create(scope=full, **_no_number(school_a, id_number_missing_reason="Đang chờ cấp"))
    assert (pupil.id_number, pupil.id_number_missing_reason) == (None, "pending")
    other = student_create(scope=full, **{**_no_number(school_a), "pupil_code": "HSNO0001",
                                          "id_number_missing_reason": "Khác: con của chuyên gia"})
    assert (other.id_number_missing_reason, other.id_number_missing_note) == ("other", "con của chuyên gia")
    # A user who may not type numbers leaves every number blank: the reason is theirs to give or not.
    masked = student_create(scope=Scope.country(), **{**_no_number(school_a), "pupil_code": "HSNM0001"})
    assert masked.id_number_missing_reason == ""


def test_adding_the_number_clears_the_reason_and_queues_verification(school_a,
                                                                    django_capture_on_commit_callbacks):
    from tests import queued

    full = Scope.country(can_view_id_numbers=True)
    identity = real_identity(serial=9200)
    number = identity.pop("id_number")
    pupil = student_create(scope=full, school=school_a, pupil_code="HSN0009200", grade=1, class_name="1A",
                           id_number_missing_reason="other", id_number_missing_note="Gia đình chưa làm khai sinh",
                           **identity)
    assert pupil.verification_status == VerificationStatus.INVALID_ID
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        student_update(scope=full, student=pupil, id_number=number)
    pupil.refresh_from_db()
    assert (pupil.id_number, pupil.id_number_missing_reason, pupil.id_number_missing_note) == (number, "", "")
    assert pupil.verification_status == VerificationStatus.QUEUED
    assert ("verification.identities_verify", ["student", [pupil.pk]]) in \
        [(name, args) for name, args, _kwargs in queued.queued_tasks()]
    queued.clear()

    # Taking the number away again asks why.
    with pytest.raises(AppError) as refused:
        student_update(scope=full, student=Student.objects.get(pk=pupil.pk), id_number="")
    assert "id_number_missing_reason" in refused.value.details
    student_update(scope=full, student=Student.objects.get(pk=pupil.pk), id_number="",
                   id_number_missing_reason="not_issued")
    assert Student.objects.get(pk=pupil.pk).id_number_missing_reason == "not_issued"
