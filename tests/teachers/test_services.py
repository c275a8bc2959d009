import datetime as dt

import pytest

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from teachers.models import StaffMember
from teachers.services import staff_update
from tests.factories import SchoolFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level, qualification, meets", [
    ("preschool", "college", True), ("preschool", "below_college", False),
    ("primary", "college", False), ("primary", "bachelor", True), ("upper_secondary", "master", True),
])
def test_qualification_standard_follows_the_2019_education_law(level, qualification, meets):
    school = SchoolFactory(level=level)
    assert make_staff(school, qualification=qualification).meets_qualification_standard is meets


def test_changing_qualification_recomputes_the_standard(school_a):
    staff = make_staff(school_a, qualification="college")
    assert not staff.meets_qualification_standard
    staff = staff_update(scope=Scope.country(), staff=staff, qualification="bachelor")
    assert staff.meets_qualification_standard


def test_duplicate_staff_code_is_refused(school_a):
    staff = make_staff(school_a)
    with pytest.raises(AppError):
        make_staff(school_a, staff_code=staff.staff_code)
    assert StaffMember.objects.count() == 1


def test_edits_ask_for_statistics_and_verification_by_task_name_after_commit(
        school_a, django_capture_on_commit_callbacks):
    from tests import queued

    staff = make_staff(school_a)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_update(scope=Scope.country(), staff=staff, qualification="bachelor")
    assert queued.queued_tasks() == [("dashboards.refresh_schools", [[school_a.pk]], {})]

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_update(scope=Scope.country(), staff=staff, full_name="Trần Thị Khác")
    assert queued.queued_tasks() == [("verification.identities_verify", ["staff", [staff.pk]], {}),
                                     ("dashboards.refresh_schools", [[school_a.pk]], {})]
    queued.clear()


def test_ethnicity_is_stored_as_the_official_name_and_an_unknown_one_is_refused(school_a):
    staff = make_staff(school_a)
    staff = staff_update(scope=Scope.country(), staff=staff, ethnicity="Ede")
    staff.refresh_from_db()
    assert staff.ethnicity == "Ê-đê"
    with pytest.raises(AppError) as caught:
        staff_update(scope=Scope.country(), staff=staff, ethnicity="Xyz")
    assert "54 dân tộc" in caught.value.message


def test_the_standard_is_recomputed_when_training_certificate_or_birth_date_change(school_a):
    staff = make_staff(school_a, qualification="bachelor", training_field="other", id_number=None,
                       date_of_birth=dt.date(1990, 1, 1), gender="F")
    assert (staff.qualification_standard, staff.meets_qualification_standard) == ("roadmap", False)
    staff = staff_update(scope=Scope.country(), staff=staff, pedagogy_certificate=True)
    assert (staff.qualification_standard, staff.meets_qualification_standard) == ("meets", True)
    staff = staff_update(scope=Scope.country(), staff=staff, pedagogy_certificate=False,
                         date_of_birth=dt.date(1966, 1, 1))
    # Too close to retirement on 1/8/2020 for the roadmap of Nghị định 71/2020.
    staff.refresh_from_db()
    assert staff.qualification_standard == "exempt"
    staff = staff_update(scope=Scope.country(), staff=staff, training_field="teacher_training")
    assert staff.qualification_standard == "meets"
    staff = staff_update(scope=Scope.country(), staff=staff, position="other")
    assert (staff.qualification_standard, staff.meets_qualification_standard) == ("not_teacher", False)
