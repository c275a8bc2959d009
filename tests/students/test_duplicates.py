"""The duplicate finder (students.duplicates): names however they are typed, swapped dates, held ID
numbers, and decisions that stay decided."""
import datetime as dt
import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.scope import PROVINCE, Scope
from students.duplicates import (
    duplicate_candidates,
    duplicates_scan_country,
    student_likely_duplicates,
    students_likely_duplicates_many,
)
from students.models import DuplicateCandidate, DuplicateStatus, Student
from students.services import student_create
from tests.factories import make_student, real_identity

pytestmark = pytest.mark.django_db

DOB = dt.date(2015, 3, 7)


def pupil(school, name, dob=DOB, gender="F", **extra):
    return make_student(school, full_name=name, date_of_birth=dob, gender=gender, id_number=None, **extra)


def pair(x, y) -> DuplicateCandidate | None:
    lo, hi = sorted((x.pk, y.pk))
    return DuplicateCandidate.objects.filter(pupil_a_id=lo, pupil_b_id=hi).first()


@pytest.mark.parametrize("typed", [
    "Nguyễn Thị Thuý",                                    # tone mark on the other vowel
    unicodedata.normalize("NFD", "Nguyễn Thị Thúy"),       # macOS input
    "Nguyen Thi Thuy",                                    # no diacritics
    "NGUYỄN THỊ THÚY",                                    # capitals
    "Nguyễn Thi Thúy",                                    # one mark missing
])
def test_the_same_name_however_typed_is_a_candidate(school_a, school_other_province, typed):
    first = pupil(school_a, "Nguyễn Thị Thúy")
    second = pupil(school_other_province, typed)
    duplicates_scan_country()
    found = pair(first, second)
    assert found is not None and found.status == DuplicateStatus.OPEN
    assert found.evidence["date_of_birth"] == "same"
    assert found.evidence["name"] >= 0.5
    assert found.score >= 0.8
    assert {found.province_a, found.province_b} == {"01", "79"}


def test_day_and_month_swapped_is_a_candidate_with_a_lower_score(school_a, school_b):
    first = pupil(school_a, "Trần Văn Hoà", gender="M")
    swapped = pupil(school_b, "Trần Văn Hòa", dob=dt.date(2015, 7, 3), gender="M")
    same = pupil(school_b, "Tran Van Hoa", gender="M")
    duplicates_scan_country()
    assert pair(first, swapped).evidence["date_of_birth"] == "swapped"
    assert pair(first, same).evidence["date_of_birth"] == "same"
    assert pair(first, swapped).score < pair(first, same).score


def test_different_people_are_not_candidates(school_a, school_b):
    first = pupil(school_a, "Lê Thị Mai")
    other_name = pupil(school_b, "Phạm Thị Lan")
    other_gender = pupil(school_b, "Lê Văn Mai", gender="M")
    other_day = pupil(school_b, "Lê Thị Mai", dob=dt.date(2015, 3, 8))
    duplicates_scan_country()
    assert pair(first, other_name) is None
    assert pair(first, other_gender) is None
    assert pair(first, other_day) is None


def test_birthplace_adds_evidence(school_a, school_b):
    first = pupil(school_a, "Đỗ Minh Anh", birth_province_id="01")
    same_place = pupil(school_b, "Đỗ Minh Anh", birth_province_id="01")
    other_place = pupil(school_b, "Do Minh Anh", birth_province_id="79")
    duplicates_scan_country()
    assert pair(first, same_place).evidence["birthplace"] == "same"
    assert pair(first, other_place).evidence["birthplace"] == "different"
    assert pair(first, same_place).score > pair(first, other_place).score


def test_a_held_id_number_pairs_two_records_whatever_their_names(school_a, school_other_province):
    identity = real_identity(serial=4242)
    owner = make_student(school_a, **identity)
    # A province that may not learn the number's owner (another province) types it: the claim is held.
    hcm = Scope(PROVINCE, province_code="79", can_view_id_numbers=True)
    claimer = student_create(scope=hcm, school=school_other_province, pupil_code="HCM-1", grade=3,
                             class_name="3A", **{**identity, "full_name": "Tên Khác Hẳn"})
    assert claimer.id_number_held
    duplicates_scan_country()
    found = pair(owner, claimer)
    assert found.evidence["id_number"] is True and found.score == 1.0


def test_the_scan_is_idempotent_and_a_dismissed_pair_is_never_proposed_again(school_a, school_b):
    first = pupil(school_a, "Vũ Thị Hương")
    second = pupil(school_b, "Vu Thi Huong")
    duplicates_scan_country()
    duplicates_scan_country()
    call_command("duplicates_scan", verbosity=0)
    assert DuplicateCandidate.objects.count() == 1
    DuplicateCandidate.objects.update(status=DuplicateStatus.NOT_SAME)
    duplicates_scan_country()
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.NOT_SAME
    assert not duplicate_candidates(scope=Scope.country()).exists()
    assert pair(first, second) is not None


def test_form_check_tells_name_date_and_school_only(school_a, school_other_province):
    pupil(school_other_province, "Hoàng Gia Bảo", gender="M")
    found = student_likely_duplicates("Hoang Gia Bao", dt.date(2015, 7, 3), "M", exclude_school=school_a)
    assert [(f.full_name, f.date_of_birth, f.school_name) for f in found] == [
        ("Hoàng Gia Bảo", DOB, school_other_province.name)]
    assert not hasattr(found[0], "id_number") and not hasattr(found[0], "pupil_code")
    assert student_likely_duplicates("Hoàng Gia Bảo", DOB, "F") == []
    assert student_likely_duplicates("Hoàng Gia Bảo", DOB, "M", exclude_school=school_other_province) == []


def _new_pupil_form(**overrides) -> dict:
    data = {"pupil_code": "HSDUP1", "id_number": "", "full_name": "Ngô Thị Thuý",
            "date_of_birth": DOB.isoformat(), "gender": "F", "ethnicity": "Kinh", "birth_province": "01",
            "grade": "3", "class_name": "3B", "id_number_missing_reason": "pending"}
    data.update(overrides)
    return data


def test_add_pupil_form_warns_before_a_likely_duplicate_and_creates_it_once_confirmed(
        client, school_user, school_a, school_other_province):
    other = make_student(school_other_province, **{**real_identity(serial=5151), "full_name": "Ngô Thị Thúy",
                                                   "date_of_birth": DOB, "gender": "F", "id_number": None})
    client.force_login(school_user)
    response = client.post(reverse("students:new"), _new_pupil_form(full_name="Ngo Thi Thuy"))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="likely-duplicates"' in page
    assert "Có thể trùng với học sinh Ngô Thị Thúy (sinh ngày 07/03/2015) ở trường Trường Tiểu học Sài Gòn" in page
    assert other.pupil_code not in page
    assert not Student.objects.filter(pupil_code="HSDUP1").exists()
    response = client.post(reverse("students:new"), _new_pupil_form(full_name="Ngo Thi Thuy", confirm_duplicate="1"))
    assert response.status_code == 302 and Student.objects.filter(pupil_code="HSDUP1").exists()


def test_add_pupil_form_without_a_likely_duplicate_creates_at_once(client, school_user, school_a):
    client.force_login(school_user)
    response = client.post(reverse("students:new"), _new_pupil_form())
    assert response.status_code == 302 and Student.objects.filter(pupil_code="HSDUP1").exists()


def test_many_rows_are_checked_in_one_query(school_a, school_other_province, django_assert_max_num_queries):
    pupil(school_other_province, "Hoàng Gia Bảo", gender="M")
    pupil(school_other_province, "Lý Thu Hà")
    rows = [("Hoang Gia Bao", dt.date(2015, 7, 3), "M"), ("Nguyễn Văn Khác", DOB, "M"), ("LÝ THU HÀ", DOB, "F")]
    with django_assert_max_num_queries(1):
        found = students_likely_duplicates_many(rows, exclude_school=school_a)
    assert {i: [d.full_name for d in found[i]] for i in found} == {0: ["Hoàng Gia Bảo"], 2: ["Lý Thu Hà"]}


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Thị", "Văn", "Hữu", "Ngọc", "Thanh", "Minh", "Đức", "Quốc"]
GIVEN = ["Thuý", "Hoà", "Khoa", "Thuỷ", "Hoà", "Toàn", "Quyết", "Hương", "Đạt", "Nguyệt", "Tuấn", "Loan"]
TONE_STYLES = {"uý": "úy", "oà": "òa", "uỷ": "ủy", "oá": "óa"}


def _plain(name: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return text.replace("đ", "d").replace("Đ", "D")


def _variant(name: str, how: str) -> str:
    if how == "plain":
        return _plain(name)
    if how == "nfd":
        return unicodedata.normalize("NFD", name)
    if how == "upper":
        return name.upper()
    for old, new in TONE_STYLES.items():
        name = name.replace(old, new)
    return name


@settings(max_examples=25, deadline=None)
@given(family=st.sampled_from(FAMILY), middle=st.sampled_from(MIDDLE), given_name=st.sampled_from(GIVEN),
       how=st.sampled_from(["plain", "nfd", "upper", "tone"]), swap=st.booleans(),
       day=st.integers(1, 12), month=st.integers(1, 12))
def test_any_retyping_of_a_name_finds_the_pupil(school_other_province, family, middle, given_name, how, swap,
                                                day, month):
    name = f"{family} {middle} {given_name}"
    born = dt.date(2014, month, day)
    original = pupil(school_other_province, name, dob=born)
    typed_dob = dt.date(2014, day, month) if swap else born
    found = student_likely_duplicates(_variant(name, how), typed_dob, "F")
    assert original.full_name in [d.full_name for d in found]


def test_namesakes_born_the_same_day_with_different_id_numbers_are_not_proposed(school_a, school_b):
    first = make_student(school_a, **{**real_identity(serial=9101), "full_name": "Trần Thị Lan", "date_of_birth": DOB})
    second = make_student(school_b, **{**real_identity(serial=4567), "full_name": "Trần Thị Lan", "date_of_birth": DOB})
    assert sum(a != b for a, b in zip(first.id_number, second.id_number, strict=True)) >= 2
    duplicates_scan_country()
    assert pair(first, second) is None


@pytest.mark.parametrize("position", [6, 9, 11])
def test_an_id_number_mistyped_by_one_digit_is_proposed_with_that_evidence(school_a, school_b, position):
    first = make_student(school_a, **{**real_identity(serial=9101), "full_name": "Trần Thị Lan", "date_of_birth": DOB})
    digit = "7" if first.id_number[position] != "7" else "3"
    typo = first.id_number[:position] + digit + first.id_number[position + 1:]
    second = make_student(school_b, id_number=typo, full_name="Tran Thi Lan", date_of_birth=DOB, gender=first.gender)
    duplicates_scan_country()
    found = pair(first, second)
    assert found is not None
    assert found.evidence["id_number_typo"] is True and found.evidence["id_numbers_differ"] is True
    assert found.evidence["id_number"] is False
    # Ranked below a pair that agrees on everything, above the queue's floor.
    assert 0.7 <= found.score < 1.0


def test_scan_of_pupils_just_written_finds_their_pairs_only(school_a, school_b, school_other_province):
    first = pupil(school_a, "Nguyễn Thị Thúy")
    again = pupil(school_other_province, "Nguyen Thi Thuy", dob=dt.date(2015, 7, 3))  # day and month swapped
    unrelated = [pupil(school_b, "Lê Văn Tám", gender="M"), pupil(school_a, "Le Van Tam", gender="M")]
    DuplicateCandidate.objects.all().delete()
    from students.duplicates import duplicates_scan_pupils

    assert duplicates_scan_pupils(ids=[again.pk]) == 1
    assert pair(first, again).evidence["date_of_birth"] == "swapped"
    assert pair(*unrelated) is None  # not asked about: left to the national scan
    assert duplicates_scan_pupils(ids=[]) == 0


@pytest.mark.django_db(transaction=True)
def test_a_pupil_entered_twice_reaches_the_queue_through_the_worker(school_a, school_other_province):
    """student_create enqueues students.duplicates_scan_pupils after the commit; a real worker runs it."""
    import time

    from tests.processes import thread_worker

    with thread_worker():
        first = pupil(school_a, "Trần Văn Hoà", gender="M")
        again = pupil(school_other_province, "Tran Van Hoa", gender="M")
        deadline = time.monotonic() + 60
        while pair(first, again) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    found = pair(first, again)
    assert found is not None and found.status == DuplicateStatus.OPEN
    queue = duplicate_candidates(scope=Scope(PROVINCE, province_code="01"))
    assert found in queue


@pytest.mark.parametrize("digit", [0, 5, 6, 9, 11])  # a typo anywhere: in the head, the tail, at their seam
def test_an_upload_row_with_a_number_is_not_warned_of_a_namesake_with_another(school_a, school_b, digit):
    # The queue's rule: two valid numbers more than a digit apart are two people; one digit apart, a typo.
    owner = make_student(school_b, **{**real_identity(serial=9101), "full_name": "Trần Thị Lan", "date_of_birth": DOB})
    namesake = real_identity(serial=4567)["id_number"]
    typo = owner.id_number[:digit] + ("7" if owner.id_number[digit] != "7" else "3") + owner.id_number[digit + 1:]
    unnumbered = pupil(school_b, "Trần Thị Lan")
    rows = [("Tran Thi Lan", DOB, owner.gender, namesake), ("Tran Thi Lan", DOB, owner.gender, typo),
            ("Tran Thi Lan", DOB, owner.gender, None)]
    found = students_likely_duplicates_many(rows, exclude_school=school_a)
    names = {i: {d.school_name for d in found.get(i, [])} for i in range(3)}
    assert len(found[0]) == 1  # only the pupil without a number
    assert len(found[1]) == 2 and len(found[2]) == 2
    assert unnumbered.id_number is None and names[0] == {school_b.name}
