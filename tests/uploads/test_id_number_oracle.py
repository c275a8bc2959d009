"""The uniqueness of ID numbers is no oracle (issue 12, item 1).

Property: for a user who may not learn of a number outside their sight, whatever the portal answers
to an upload carrying a candidate number (status, counts, messages, error table, error file, the
commit's outcome, the record afterwards) is the same whether the number belongs to someone or not.
Only the candidate itself may differ in the answers, and it is blanked before comparing.
"""
import datetime as dt
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Role
from students.models import Student
from teachers.models import StaffMember
from tests.factories import SchoolFactory, UserFactory, make_staff, make_student
from uploads.models import Upload

from .conftest import PUPIL_HEADER, commit, csv_bytes, run_upload

pytestmark = pytest.mark.django_db

DOB = dt.date(2016, 3, 15)
_codes = itertools.count(1)
# Candidates: a Hà Nội girl born 2016 (digits 1-6 fixed by the rules), the 6 random digits drawn.
candidates = st.integers(min_value=0, max_value=999_999).map(lambda n: f"001316{n:06d}")


def _answer(upload: Upload, candidate: str) -> dict:
    """What the uploader can see of an upload, with the candidate (in any masked form) blanked."""
    upload.refresh_from_db()
    error_file = ""
    if upload.error_file:
        with upload.error_file.open("rb") as f:
            error_file = f.read().decode("utf-8-sig")
    pattern = re.compile("|".join(re.escape(v) for v in (candidate, candidate[:3] + "*" * 7 + candidate[-2:])))

    def blank(value):
        return pattern.sub("<N>", str(value))

    return {"status": upload.status, "counts": (upload.total_rows, upload.new_count, upload.changed_count,
                                                upload.unchanged_count, upload.error_count),
            "message": blank(upload.message), "errors": [{k: blank(v) for k, v in e.items()} for e in upload.errors],
            "error_file": blank(error_file)}


def _pupil_file(code: str, candidate: str) -> bytes:
    return csv_bytes(PUPIL_HEADER, [[code, candidate, "Nguyễn Thị Thử", DOB.strftime("%d/%m/%Y"), "Nữ", "", "01",
                                     "3", "3A"]])


@pytest.fixture
def schools(db):
    return SchoolFactory(name="Trường A", province_id="01"), SchoolFactory(name="Trường Xa", province_id="79")


@pytest.fixture
def masked_officer(db):
    return UserFactory(username="o_hanoi", role=Role.PROVINCE, province_id="01")


@pytest.fixture
def clerk(schools):
    """A school administrator with the right to see full numbers, in their school only."""
    return UserFactory(username="o_clerk", role=Role.SCHOOL, school=schools[0], may_view_id_numbers=True)


def _owner(school, candidate):
    return make_student(school, pupil_code=f"OWN{next(_codes):07d}", id_number=candidate, full_name="Lê Thị Chủ",
                        date_of_birth=DOB, gender="F")


@settings(max_examples=15)
@given(candidate=candidates)
def test_masked_officer_learns_nothing_from_an_upload(masked_officer, schools, candidate):
    home, far = schools
    code = f"HSO{next(_codes):07d}"
    unclaimed = _answer(run_upload(masked_officer, _pupil_file(code, candidate), school=home), candidate)
    for owner_school in (home, far):  # owned in the officer's own province, or elsewhere
        owner = _owner(owner_school, candidate)
        claimed = _answer(run_upload(masked_officer, _pupil_file(code, candidate), school=home), candidate)
        assert claimed == unclaimed
        owner.delete()
    # The refusal is the same for every number: it is about who types it, not about the number.
    assert unclaimed["status"] == "invalid" and "không được nhập" in unclaimed["errors"][0]["reason"]


@settings(max_examples=10)
@given(candidate=candidates)
def test_school_with_the_right_learns_nothing_of_numbers_outside_its_school(clerk, schools, candidate):
    home, far = schools
    answers = []
    for claimed in (False, True):
        owner = _owner(far, candidate) if claimed else None
        code = f"HSC{next(_codes):07d}"
        upload = run_upload(clerk, _pupil_file(code, candidate))
        checked = _answer(upload, candidate)
        committed = _answer(commit(clerk, upload), candidate)
        pupil = Student.objects.get(pupil_code=code)
        answers.append((checked, committed, pupil.id_number == candidate, pupil.verification_status))
        # The confirmed owner keeps the number; the claim waits, held, for a reviewer.
        assert pupil.id_number_held == claimed
        if owner:
            owner.refresh_from_db()
            assert owner.id_number == candidate and not owner.id_number_held
            owner.delete()
        pupil.delete()
    assert answers[0] == answers[1]
    assert answers[0][0]["status"] == "validated" and answers[0][1]["status"] == "committed"


def test_staff_upload_holds_a_number_of_another_school(clerk, schools):
    home, far = schools
    owner = make_staff(far, staff_code="CBXA1")
    header = ["Mã cán bộ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Chức vụ",
              "Môn dạy chính", "Trình độ đào tạo", "Tình trạng"]
    row = ["CBA0001", owner.id_number, "Phạm Văn Mới", owner.date_of_birth.isoformat(), "Nam", "",
           "Giáo viên", "Toán", "Đại học", ""]
    upload = run_upload(clerk, csv_bytes(header, [row]), kind="staff", name="can_bo.csv")
    assert (upload.status, upload.error_count) == ("validated", 0)
    assert commit(clerk, upload).status == "committed"
    assert StaffMember.objects.get(staff_code="CBA0001").id_number_held
    owner.refresh_from_db()
    assert not owner.id_number_held


def test_masked_officer_cannot_probe_a_number_already_on_a_record(masked_officer, schools):
    """Typing a number for a pupil who has one: the same refusal whether it is the right one or not
    (today's 'unchanged' versus 'different number' answered the question)."""
    home, _ = schools
    pupil = make_student(home, pupil_code="HSP0000001", full_name="Nguyễn Thị Thử", date_of_birth=DOB, gender="F",
                         id_number="001316123456")
    right, wrong = (_answer(run_upload(masked_officer, _pupil_file("HSP0000001", n), school=home), n)
                    for n in (pupil.id_number, "001316654321"))
    assert right == wrong and right["status"] == "invalid"
