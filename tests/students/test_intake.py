"""Intake after a completed level (issue 17): a school of the next level takes in a pupil whose year-end
closed their enrollment as completed, at once, into the next level's first grade of the following year."""
import datetime as dt

import pytest

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from students import yearend
from students.models import AcademicResult, Enrollment, EnrollmentStatus, Term, TransferStatus
from students.services import TRANSFER_NOT_FOUND, transfer_request_create
from tests.factories import SchoolFactory, UserFactory, make_student

pytestmark = pytest.mark.django_db

YEAR = current_school_year() - 1


@pytest.fixture
def completer(school_a):
    """A grade-5 pupil of primary school A whose year-end of YEAR completed the level."""
    pupil = make_student(school_a, grade=5, class_name="5A", school_year=YEAR,
                         date_of_birth=dt.date(YEAR - 10, 3, 4), id_number=None)
    AcademicResult.objects.create(student=pupil, school=school_a, school_year=YEAR, term=Term.WHOLE_YEAR,
                                  learning_rating="hoan_thanh", conduct_rating="dat")
    assert yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR) == \
        {"completed_level": 1}
    return pupil


@pytest.fixture
def secondary():
    school = SchoolFactory(province_id="79", level="lower_secondary")
    return school, UserFactory(username="t_intake_thcs", role=Role.SCHOOL, school=school)


def ask(user, pupil, **overrides):
    args = {"pupil_code": pupil.pupil_code, "date_of_birth": pupil.date_of_birth, "grade": 6, "class_name": "6A"}
    return transfer_request_create(scope=Scope.for_user(user), user=user, to_school=user.school,
                                   **{**args, **overrides})


def test_the_next_levels_school_takes_the_pupil_in_at_once(completer, secondary, school_a):
    school, user = secondary
    transfer = ask(user, completer)
    assert transfer.status == TransferStatus.RELEASED and "hoàn thành lớp 5" in transfer.reason
    completer.refresh_from_db()
    assert completer.school == school
    new = Enrollment.objects.get(student=completer, school_year=YEAR + 1)
    # In the following year, the first grade of the level, counted the whole year (not a transfer in).
    assert (new.school_id, new.grade, new.class_name, new.status, new.started_on) == (school.pk, 6, "6A",
                                                                                      "studying", None)
    old = Enrollment.objects.get(student=completer, school_year=YEAR)
    assert (old.school_id, old.status) == (school_a.pk, EnrollmentStatus.COMPLETED)  # the history stays


def test_an_intake_into_another_grade_is_refused_and_a_second_school_asks_the_first(completer, secondary):
    _school, user = secondary
    with pytest.raises(AppError) as wrong:
        ask(user, completer, grade=7, class_name="7A")
    assert "lớp 6" in str(wrong.value) and "grade" in wrong.value.details
    school, _user = secondary
    ask(user, completer)
    # Taken in: another school of the level now asks the one that took the pupil in, as any transfer.
    other = SchoolFactory(province_id="79", level="lower_secondary")
    later = ask(UserFactory(username="t_intake_other", role=Role.SCHOOL, school=other), completer)
    assert (later.status, later.from_school) == (TransferStatus.PENDING, school)


def test_an_unknown_pupil_gets_the_usual_answer(completer, secondary):
    _school, user = secondary
    with pytest.raises(AppError) as unknown:
        ask(user, completer, date_of_birth=completer.date_of_birth + dt.timedelta(days=1))
    assert str(unknown.value) == TRANSFER_NOT_FOUND
