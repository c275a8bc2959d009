"""The year-end (students.yearend): proposals by the circulars' rules, checked against an oracle written
here from the circulars; the commit's next-year enrollments and completions; undo while the new year is
unused; past years left as they were; scopes."""
import datetime as dt
import random

import pytest

from accounts.scope import PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from schools.models import LEVEL_GRADES
from students import yearend
from students.models import AcademicResult, Enrollment, EnrollmentStatus, Term, YearEndOutcome
from tests.factories import SchoolFactory, make_student, teaching_every_grade

pytestmark = pytest.mark.django_db

YEAR = 2025
PRIMARY = ["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "chua_hoan_thanh"]
SECONDARY = ["tot", "kha", "dat", "chua_dat"]
CONDUCT_SECONDARY = ["tot", "kha", "dat", "chua_dat"]
CONDUCT_PRIMARY = ["tot", "dat", "can_co_gang"]


def oracle(*, grade: int, level: str, result, resit, age_group: str = "") -> str:
    """The circulars, as a reader of them would apply them to one pupil."""
    top = LEVEL_GRADES[level][1]

    def up():
        if grade == 12:
            return "graduated"
        return "completed_level" if grade + 1 > top else "promoted"

    def passed(r):
        learning, conduct = r
        if grade <= 5:  # TT 27/2020: the learning rating decides; qualities (phẩm chất) do not hold back
            return learning in ("hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh")
        # TT 22/2021 Điều 12: học tập and rèn luyện both at least Đạt
        return learning in ("tot", "kha", "dat") and conduct in ("tot", "kha", "dat")

    if grade == 0:
        return up() if age_group == "mg_5_6" else "promoted"
    if resit is not None:
        return up() if passed(resit) else "repeats"
    if result is None:
        return "no_result"
    return up() if passed(result) else "summer"


def result(pupil, school, term, learning, conduct):
    AcademicResult.objects.create(student=pupil, school=school, school_year=YEAR, term=term,
                                  learning_rating=learning, conduct_rating=conduct)


def enrol(school, grade, *, class_name=None, dob=None):
    dob = dob or dt.date(YEAR - 5 - grade, 3, 4)
    return make_student(school, grade=grade, class_name=class_name or f"{grade}A", school_year=YEAR,
                        date_of_birth=dob, id_number=None)


def outcomes(school) -> dict[int, str]:
    return {p.student_id: p.outcome for p in yearend.year_end_proposals(school_ids=[school.pk], year=YEAR)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proposals_follow_the_circulars(seed):
    rng = random.Random(seed)
    schools = {level: SchoolFactory(level=level) for level in ("primary", "lower_secondary", "upper_secondary")}
    multi = teaching_every_grade(SchoolFactory())
    expected = {}
    for _ in range(40):
        school = rng.choice([*schools.values(), multi])
        low, top = LEVEL_GRADES[school.level]
        grade = rng.randint(max(low, 1), top)
        pupil = enrol(school, grade)
        ratings = PRIMARY if grade <= 5 else SECONDARY
        conducts = CONDUCT_PRIMARY if grade <= 5 else CONDUCT_SECONDARY
        whole = (rng.choice(ratings), rng.choice(conducts)) if rng.random() < 0.85 else None
        resit = (rng.choice(ratings), rng.choice(conducts)) if whole and rng.random() < 0.3 else None
        for term, r in ((Term.WHOLE_YEAR, whole), (Term.RESIT, resit)):
            if r:
                result(pupil, school, term, *r)
        expected[pupil.pk] = oracle(grade=grade, level=school.level, result=whole, resit=resit)
    found = {}
    for school in [*schools.values(), multi]:
        found.update(outcomes(school))
    assert found == expected
    assert len(set(expected.values())) >= 4  # not vacuous


def test_preschool_children_move_up_by_age_and_the_five_year_olds_complete():
    kindergarten = SchoolFactory(level="preschool")
    five = enrol(kindergarten, 0, class_name="Lá 1", dob=dt.date(YEAR - 5, 6, 1))
    four = enrol(kindergarten, 0, class_name="Chồi 1", dob=dt.date(YEAR - 4, 6, 1))
    assert outcomes(kindergarten) == {five.pk: "completed_level", four.pk: "promoted"}
    yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[kindergarten.pk], year=YEAR)
    nxt = Enrollment.objects.get(student=four, school_year=YEAR + 1)
    assert (nxt.grade, nxt.class_name, nxt.age_group, nxt.provisional) == (0, "Chồi 1", "mg_5_6", True)


def test_commit_opens_the_next_year_and_closes_completions_leaving_the_year_as_it_was(school_a):
    up = enrol(school_a, 3, class_name="3A")
    stays = enrol(school_a, 4, class_name="4B")
    last = enrol(school_a, 5, class_name="5C")
    summer = enrol(school_a, 2)
    none = enrol(school_a, 1)
    result(up, school_a, Term.WHOLE_YEAR, "hoan_thanh_tot", "tot")
    result(stays, school_a, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    result(stays, school_a, Term.RESIT, "chua_hoan_thanh", "dat")
    result(last, school_a, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    result(summer, school_a, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    before = {e.pk: (e.grade, e.class_name) for e in Enrollment.objects.filter(school_year=YEAR)}

    counts = yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR)
    assert counts == {"promoted": 1, "repeats": 1, "completed_level": 1}
    nxt = {e.student_id: (e.grade, e.class_name, e.provisional)
           for e in Enrollment.objects.filter(school_year=YEAR + 1)}
    assert nxt == {up.pk: (4, "4A", True), stays.pk: (4, "4B", True)}
    closed = Enrollment.objects.get(student=last, school_year=YEAR)
    assert closed.status == EnrollmentStatus.COMPLETED and closed.left_on == dt.date(YEAR + 1, 5, 31)
    # The year itself: same rows, grades and classes.
    assert {e.pk: (e.grade, e.class_name) for e in Enrollment.objects.filter(school_year=YEAR)} == before
    # The summer's pupil and the one without a result wait; after the re-assessment a second commit decides.
    assert outcomes(school_a) == {summer.pk: "summer", none.pk: "no_result"}
    result(summer, school_a, Term.RESIT, "hoan_thanh", "dat")
    assert yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR) == \
        {"promoted": 1}
    assert outcomes(school_a) == {none.pk: "no_result"}


def test_undo_while_the_new_year_is_unused_and_not_after(school_a):
    pupil = enrol(school_a, 3)
    last = enrol(school_a, 5)
    for p in (pupil, last):
        result(p, school_a, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR)
    commit = yearend.latest_commits(school=school_a, year=YEAR).first()
    assert yearend.year_end_undo_blockers(commit) == []
    yearend.year_end_undo(scope=Scope.country(), user=None, year_end_id=commit.pk)
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()
    assert Enrollment.objects.get(student=last, school_year=YEAR).status == EnrollmentStatus.STUDYING
    assert set(outcomes(school_a).values()) == {"promoted", "completed_level"}

    yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR)
    commit = yearend.latest_commits(school=school_a, year=YEAR).first()
    AcademicResult.objects.create(student=pupil, school=school_a, school_year=YEAR + 1, term=Term.FIRST,
                                  learning_rating="hoan_thanh", conduct_rating="dat")
    with pytest.raises(AppError) as refused:
        yearend.year_end_undo(scope=Scope.country(), user=None, year_end_id=commit.pk)
    assert "kết quả" in str(refused.value)
    assert Enrollment.objects.filter(student=pupil, school_year=YEAR + 1).exists()


def test_a_school_decides_for_itself_a_province_for_its_schools(school_a, school_other_province):
    enrol(school_a, 3)
    other = Scope(SCHOOL, school_id=school_other_province.pk, province_code="79")
    with pytest.raises(NotInScope):
        yearend.year_end_commit(scope=other, user=None, school_ids=[school_a.pk], year=YEAR)
    with pytest.raises(NotInScope):
        yearend.year_end_commit(scope=Scope(PROVINCE, province_code="79"), user=None,
                                school_ids=[school_a.pk, school_other_province.pk], year=YEAR)
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()


def test_the_school_confirms_its_classes(school_a):
    for grade in (3, 4):
        result(enrol(school_a, grade), school_a, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school_a.pk], year=YEAR)
    own = Scope(SCHOOL, school_id=school_a.pk, province_code="01")
    assert yearend.classes_confirm(scope=own, school=school_a, year=YEAR + 1, class_names=["4A"]) == 1
    assert list(Enrollment.objects.filter(school_year=YEAR + 1, provisional=True).values_list("class_name",
                                                                                               flat=True)) == ["5A"]


def test_outcomes_are_the_models_choices():
    assert {"promoted", "repeats", "summer", "completed_level", "graduated", "no_result"} == \
        set(YearEndOutcome.values)


# --- the pages ---------------------------------------------------------------------------------

def test_a_school_previews_commits_undoes_and_commits_again_in_its_pages(client, school_user, school_a):
    from django.urls import reverse

    up = enrol(school_a, 3, class_name="3A")
    result(up, school_a, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    summer = enrol(school_a, 3, class_name="3A")
    result(summer, school_a, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    client.force_login(school_user)
    page = client.get(reverse("students:year_end"), {"year": YEAR}).content.decode()
    assert "Lên lớp: 1" in page and "Chờ đánh giá lại trong hè: 1" in page and up.full_name in page
    client.post(reverse("students:year_end_commit"), {"year": YEAR})
    assert Enrollment.objects.get(student=up, school_year=YEAR + 1).class_name == "4A"
    commit = yearend.latest_commits(school=school_a, year=YEAR).first()
    page = client.post(reverse("students:year_end_undo", args=[commit.pk]), {"year": YEAR}, follow=True)
    assert "Đã hoàn tác" in page.content.decode()
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()
    client.post(reverse("students:year_end_commit"), {"year": YEAR})
    page = client.get(reverse("students:year_end"), {"year": YEAR}).content.decode()
    assert "4A" in page and 'data-testid="classes-confirm"' in page
    client.post(reverse("students:classes_confirm"), {"year": YEAR, "class_name": ["4A"]})
    assert not Enrollment.objects.filter(school_year=YEAR + 1, provisional=True).exists()


def test_a_province_opens_its_schools_only(client, province_user, school_a, school_other_province):
    from django.urls import reverse

    enrol(school_a, 3)
    client.force_login(province_user)
    listing = client.get(reverse("students:year_end"), {"year": YEAR}).content.decode()
    assert school_a.name in listing and school_other_province.name not in listing
    assert client.get(reverse("students:year_end"), {"year": YEAR, "school": school_a.pk}).status_code == 200
    assert client.get(reverse("students:year_end"), {"year": YEAR, "school": school_other_province.pk}).status_code == 404
    assert client.post(reverse("students:year_end_commit"), {"year": YEAR, "school": school_other_province.pk}
                       ).status_code == 404
