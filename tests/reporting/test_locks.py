"""reporting.locks: the database refuses writes to an approved school's data of the period, whatever the door,
with the precise reason; a province's exception lets them through and counts them (issue 19)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.scope import Scope
from dashboards.models import SchoolStats
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from reporting import services
from reporting.models import OfficialFigures, Submission
from students import services as student_services
from students.models import Enrollment, PhysicalRecord
from teachers.models import StaffMember
from tests.factories import make_staff, make_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(ministry_user, school_user, province_user, school_a):
    today = timezone.localdate()
    period = services.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(), kind="start",
                                    opens_on=today, closes_on=today, expires_on=today + dt.timedelta(days=9),
                                    domains=["enrollment", "staff"])
    pupil = make_student(school_a)
    staff = make_staff(school_a)
    services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk])
    return period, pupil, staff


def test_a_locked_school_cannot_add_pupils_and_learns_why(approved, school_a, province_user):
    with pytest.raises(AppError) as exc:
        make_student(school_a)
    error = exc.value
    assert error.code == "period_locked" and error.status_code == 409
    assert school_a.code in error.message and (province_user.get_full_name() or province_user.username) in error.message
    assert "Đầu năm học" in error.message and error.details["lock"]["domain"] == "enrollment"


def test_other_schools_and_other_domains_are_free(approved, school_b, school_a):
    make_student(school_b)
    make_staff(school_b)
    # Results are not in this period: the locked school may still record them.
    pupil = approved[1]
    PhysicalRecord.objects.create(student=pupil, school=school_a, school_year=current_school_year(),
                                  measured_on=timezone.localdate(), height_cm=120, weight_kg=25, bmi=17,
                                  nutrition_status="normal", height_status="normal")


def test_updates_and_deletes_are_refused_but_not_the_registrys_answers(approved, school_a):
    _, pupil, staff = approved
    with pytest.raises(AppError), transaction.atomic():
        Enrollment.objects.filter(student=pupil).update(class_name="3B")
    with pytest.raises(AppError), transaction.atomic():
        StaffMember.objects.filter(pk=staff.pk).delete()
    # The verification's bookkeeping is not the school's edit.
    StaffMember.objects.filter(pk=staff.pk).update(verification_status="verified", verification_attempts=3)
    assert StaffMember.objects.get(pk=staff.pk).verification_status == "verified"


def test_exception_lets_writes_through_counts_them_and_keeps_official_figures(approved, school_a, province_user):
    period = approved[0]
    frozen = OfficialFigures.objects.get(school_id=school_a.pk).figures["pupils"]
    services.exception_grant(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_id=school_a.pk, hours=2,
                             reason="Bổ sung học sinh chuyển đến")
    make_student(school_a)
    make_student(school_a)
    submission = Submission.objects.get(school=school_a)
    assert submission.changed_after_approval == 2
    from dashboards.services import stats_refresh_schools
    stats_refresh_schools(school_ids=[school_a.pk])
    assert SchoolStats.objects.get(school_id=school_a.pk, school_year=period.school_year).pupils == frozen + 2
    assert OfficialFigures.objects.get(school_id=school_a.pk).figures["pupils"] == frozen


def test_reopened_school_writes_again(approved, school_a, province_user):
    period = approved[0]
    services.submission_reopen(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_id=school_a.pk, reason="Sửa sĩ số")
    make_student(school_a)


def test_a_student_edit_through_the_service_is_refused_with_the_reason(approved):
    pupil = approved[1]
    with pytest.raises(AppError) as exc:
        student_services.student_withdraw(scope=Scope.country(), student=pupil, status="dropped_out",
                                          left_on=timezone.localdate(), reason="Nghỉ học")
    assert exc.value.code == "period_locked"


def test_what_the_figures_read_from_a_pupils_record_is_locked_but_not_the_rest(approved, school_a, school_b):
    from students.models import Student

    pupil = approved[1]
    for change in ({"gender": "F" if pupil.gender == "M" else "M"},
                   {"date_of_birth": pupil.date_of_birth - dt.timedelta(days=400)}, {"id_number": None}):
        with pytest.raises(AppError) as exc, transaction.atomic():
            Student.objects.filter(pk=pupil.pk).update(**change)
        assert exc.value.code == "period_locked" and exc.value.details["lock"]["domain"] == "enrollment"
    # A name is not a figure; a pupil of another school is not locked.
    Student.objects.filter(pk=pupil.pk).update(full_name="Nguyễn Văn Sửa")
    other = make_student(school_b)
    Student.objects.filter(pk=other.pk).update(gender="F" if other.gender == "M" else "M")


def test_an_upload_into_a_locked_school_fails_with_the_reason_and_writes_nothing(approved, school_user, settings,
                                                                                tmp_path):
    from tests.uploads.conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload
    from uploads.models import UploadStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    before = Enrollment.objects.count()
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(5)))
    assert upload.status == UploadStatus.VALIDATED
    upload = commit(school_user, upload)
    assert upload.status == UploadStatus.FAILED
    assert "đã được" in upload.message and "Đầu năm học" in upload.message
    assert Enrollment.objects.count() == before


def test_the_reason_is_given_in_the_readers_language(approved, school_a):
    from django.utils import translation

    with translation.override("en"), pytest.raises(AppError) as exc:
        make_student(school_a)
    assert exc.value.message.startswith("Cannot change:")
    assert "Start of the school year" in exc.value.message and "\"Pupils and classes\"" in exc.value.message
