"""The pupil form ("Thêm/Sửa học sinh") answers as the upload does: same rules, same words."""
import datetime as dt

import pytest

from accounts.scope import Scope
from edu_portal.common.importing import ImportContext
from students.forms import StudentForm
from students.importers import PUPILS
from tests.factories import make_student, real_identity

FULL = Scope.country(can_view_id_numbers=True)


def _data(**overrides) -> dict:
    identity = real_identity(serial=4242)
    data = {"pupil_code": "HSFORM1", "id_number": identity["id_number"], "full_name": identity["full_name"],
            "date_of_birth": identity["date_of_birth"].isoformat(), "gender": identity["gender"],
            "ethnicity": "Kinh", "birth_province": "01", "grade": "3", "class_name": "3A"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_valid_form_gives_the_service_what_the_importer_cleans(school_a):
    form = StudentForm(_data(), scope=FULL, school=school_a)
    assert form.is_valid(), form.errors
    row = {**_data(), "date_of_birth": _data()["date_of_birth"]}
    cleaned, errors = PUPILS.validate_row(row, context=ImportContext(scope=FULL, school=school_a))
    assert errors == []
    assert form.service_kwargs == cleaned


@pytest.mark.django_db
def test_errors_are_the_upload_reasons_next_to_the_field(school_a):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    form = StudentForm(_data(date_of_birth=future, grade="9", id_number="12345"), scope=FULL, school=school_a)
    assert not form.is_valid()
    _cleaned, errors = PUPILS.validate_row(_data(date_of_birth=future, grade="9", id_number="12345"),
                                           context=ImportContext(scope=FULL, school=school_a))
    assert {e.column for e in errors} == {"date_of_birth", "grade", "id_number"}
    for error in (e for e in errors if e.column != "grade"):
        assert any(error.reason in message for message in form.errors[error.column]), (error, form.errors)
    # A primary school teaches grades 1-5: 9 is not even offered.
    assert "grade" in form.errors


@pytest.mark.django_db
def test_ethnicity_is_picked_from_the_54_groups(school_a):
    form = StudentForm(scope=FULL, school=school_a)
    assert len(form.fields["ethnicity"].choices) == 54
    assert not StudentForm(_data(ethnicity="Klingon"), scope=FULL, school=school_a).is_valid()


@pytest.mark.django_db
def test_masked_user_has_no_id_field_and_cannot_post_a_number(school_a):
    masked = Scope(kind="school", school_id=school_a.pk, province_code="01", can_view_id_numbers=False)
    form = StudentForm(scope=masked, school=school_a)
    assert "id_number" not in form.fields
    posted = StudentForm(_data(), scope=masked, school=school_a)
    assert not posted.is_valid()
    assert "không được nhập" in " ".join(posted.non_field_errors()).lower() or "Không được nhập" in str(posted.errors)
    assert "id_number" not in posted.service_kwargs
    without = StudentForm({k: v for k, v in _data().items() if k != "id_number"}, scope=masked, school=school_a)
    assert without.is_valid(), without.errors
    assert without.service_kwargs["id_number"] is None


@pytest.mark.django_db
def test_edit_form_passes_only_the_changed_fields(school_a):
    student = make_student(school_a)
    row = {"pupil_code": student.pupil_code, "id_number": student.id_number, "full_name": student.full_name,
           "date_of_birth": student.date_of_birth, "gender": student.gender, "ethnicity": student.ethnicity,
           "birth_province": "", "grade": 3, "class_name": "3A"}
    data = {"id_number": student.id_number, "full_name": "  Nguyễn Văn   Mới ", "gender": student.gender,
            "date_of_birth": student.date_of_birth.isoformat(), "ethnicity": student.ethnicity,
            "birth_province": "", "updated_at": student.updated_at.isoformat()}
    form = StudentForm(data, scope=FULL, school=school_a, record=student, current_row=row, enroll=False)
    assert "pupil_code" not in form.fields and "grade" not in form.fields
    assert form.is_valid(), form.errors
    assert form.service_kwargs == {"full_name": "Nguyễn Văn Mới"}
    assert not form.is_stale()
    stale = StudentForm({**data, "updated_at": "2020-01-01T00:00:00+00:00"}, scope=FULL, school=school_a,
                        record=student, current_row=row, enroll=False)
    assert stale.is_valid() and stale.is_stale()
