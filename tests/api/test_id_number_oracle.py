"""API writes are no oracle for ID numbers (issue 12, item 1): the answer to a POST or PATCH carrying
a candidate number is the same whether the number belongs to someone the client may not see."""
import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Role
from students.models import Student
from tests.factories import SchoolFactory, UserFactory, make_student

pytestmark = pytest.mark.django_db

DOB = dt.date(2016, 3, 15)
_codes = itertools.count(1)
candidates = st.integers(min_value=0, max_value=999_999).map(lambda n: f"001316{n:06d}")
VOLATILE = {"id", "pupil_code", "created_at", "updated_at", "enrollments"}


@pytest.fixture
def world(db):
    home = SchoolFactory(name="Trường Nhà", province_id="01")
    far = SchoolFactory(name="Trường Xa", province_id="79")
    officer = UserFactory(username="a_hanoi", role=Role.PROVINCE, province_id="01")
    clerk = UserFactory(username="a_clerk", role=Role.SCHOOL, school=home, may_view_id_numbers=True)
    return home, far, officer, clerk


def _body(data) -> dict:
    return {k: v for k, v in data.items() if k not in VOLATILE} if isinstance(data, dict) else data


def _new_pupil(home, candidate) -> dict:
    return {"pupil_code": f"HSAPI{next(_codes):05d}", "id_number": candidate, "full_name": "Nguyễn Thị Thử",
            "date_of_birth": DOB.isoformat(), "gender": "F", "school": home.pk, "grade": 3, "class_name": "3A"}


@settings(max_examples=10)
@given(candidate=candidates)
def test_post_by_a_masked_officer_answers_alike(api, world, candidate):
    home, far, officer, _ = world
    client = api(officer, "province:01", write=True)
    answers = []
    for owner_school in (None, home, far):
        owner = owner_school and make_student(owner_school, pupil_code=f"OWN{next(_codes):06d}", id_number=candidate,
                                              full_name="Lê Thị Chủ", date_of_birth=DOB, gender="F")
        status, body = client.post("/students/", _new_pupil(home, candidate))
        answers.append((status, body))
        if owner:
            owner.delete()
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 403 and answers[0][1]["error"]["code"] == "id_number_not_allowed"
    assert candidate not in str(answers[0][1])


@settings(max_examples=10)
@given(candidate=candidates)
def test_post_by_a_school_with_the_right_answers_alike_for_numbers_of_other_schools(api, world, candidate):
    home, far, _, clerk = world
    client = api(clerk, f"school:{home.code}", write=True)
    answers = []
    for claimed in (False, True):
        owner = claimed and make_student(far, pupil_code=f"OWN{next(_codes):06d}", id_number=candidate,
                                         full_name="Lê Thị Chủ", date_of_birth=DOB, gender="F")
        status, body = client.post("/students/", _new_pupil(home, candidate))
        answers.append((status, _body(body)))
        assert Student.objects.get(pk=body["id"]).id_number_held == bool(claimed)
        Student.objects.filter(pk=body["id"]).delete()
        if owner:
            owner.delete()
    assert answers[0] == answers[1] and answers[0][0] == 201


def test_patch_of_the_number_by_a_masked_officer_is_refused_whatever_the_value(api, world):
    home, _, officer, _ = world
    pupil = make_student(home, full_name="Nguyễn Thị Thử", date_of_birth=DOB, gender="F", id_number="001316123456")
    client = api(officer, "province:01", write=True)
    answers = [client.patch(f"/students/{pupil.pk}/", {"id_number": value})
               for value in (pupil.id_number, "001316654321", None, "")]
    assert all(a == answers[0] for a in answers) and answers[0][0] == 403
    pupil.refresh_from_db()
    assert pupil.id_number == "001316123456"
    # Other corrections still go through, and the number on record stays as it is.
    status, body = client.patch(f"/students/{pupil.pk}/", {"ethnicity": "Tày", "date_of_birth": "2016-04-01"})
    assert status == 200 and body["ethnicity"] == "Tày"
    pupil.refresh_from_db()
    assert pupil.id_number == "001316123456"


def test_patch_to_a_number_in_scope_is_refused_naming_the_pupil(api, world):
    """Who may see the owner's number anyway may be told whose it is."""
    home, _, _, clerk = world
    first = make_student(home, pupil_code="HSN1", full_name="Nguyễn Thị Một", date_of_birth=DOB, gender="F",
                         id_number="001316111111")
    second = make_student(home, pupil_code="HSN2", full_name="Nguyễn Thị Hai", date_of_birth=DOB, gender="F",
                          id_number="001316222222")
    status, body = api(clerk, f"school:{home.code}", write=True).patch(f"/students/{second.pk}/",
                                                                        {"id_number": first.id_number})
    assert status == 409 and "HSN1" in body["error"]["message"]
