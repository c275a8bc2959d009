"""The staff form ("Thêm/Sửa cán bộ") answers as the upload does: same rules, same words."""
import pytest

from accounts.scope import Scope
from edu_portal.common.importing import ImportContext
from teachers.forms import StaffForm
from teachers.importers import STAFF
from tests.factories import make_staff, real_identity

FULL = Scope.country(can_view_id_numbers=True)


def _data(**overrides) -> dict:
    identity = real_identity(serial=5151, year=1985, gender="M")
    data = {"staff_code": "CBFORM1", "id_number": identity["id_number"], "full_name": identity["full_name"],
            "date_of_birth": identity["date_of_birth"].isoformat(), "gender": identity["gender"],
            "ethnicity": "Tày", "position": "teacher", "main_subject": "Toán", "qualification": "bachelor",
            "training_field": "other", "pedagogy_certificate": "on", "employment_status": "working"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_valid_form_gives_the_service_what_the_importer_cleans(school_a):
    form = StaffForm(_data(), scope=FULL, school=school_a)
    assert form.is_valid(), form.errors
    row = {**_data(), "pedagogy_certificate": True}
    cleaned, errors = STAFF.validate_row(row, context=ImportContext(scope=FULL, school=school_a))
    assert errors == []
    cleaned = {k: v for k, v in cleaned.items() if k not in ("qualification_standard", "meets_qualification_standard")}
    assert form.service_kwargs == cleaned
    assert form.service_kwargs["pedagogy_certificate"] is True and form.service_kwargs["training_field"] == "other"


@pytest.mark.django_db
def test_too_young_for_staff_is_the_upload_reason(school_a):
    form = StaffForm(_data(date_of_birth="2020-01-01", id_number=""), scope=FULL, school=school_a)
    assert not form.is_valid()
    _cleaned, errors = STAFF.validate_row(_data(date_of_birth="2020-01-01", id_number=""),
                                          context=ImportContext(scope=FULL, school=school_a))
    [error] = [e for e in errors if e.column == "date_of_birth"]
    assert any(error.reason in m for m in form.errors["date_of_birth"])


@pytest.mark.django_db
def test_masked_user_has_no_id_field_and_cannot_post_a_number(school_a):
    masked = Scope(kind="school", school_id=school_a.pk, province_code="01", can_view_id_numbers=False)
    assert "id_number" not in StaffForm(scope=masked, school=school_a).fields
    posted = StaffForm(_data(), scope=masked, school=school_a)
    assert not posted.is_valid()
    assert "Không được nhập" in str(posted.errors) or "không được nhập" in str(posted.errors)


@pytest.mark.django_db
def test_edit_form_changes_the_qualification_only(school_a):
    staff = make_staff(school_a)
    row = {key: getattr(staff, key) for key in (
        "staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
        "main_subject", "qualification", "training_field", "pedagogy_certificate", "employment_status")}
    data = {key: ("" if value is None else value) for key, value in row.items() if key != "staff_code"}
    data.update(date_of_birth=staff.date_of_birth.isoformat(), qualification="master",
                updated_at=staff.updated_at.isoformat())
    data.pop("pedagogy_certificate")  # an unticked box is not posted
    form = StaffForm(data, scope=FULL, school=school_a, record=staff, current_row=row)
    assert form.is_valid(), form.errors
    assert form.service_kwargs == {"qualification": "master"}
