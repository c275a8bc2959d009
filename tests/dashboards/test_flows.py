"""Flows between school years (issue 17): the refresh's counts and the selectors' rates, against an
independent walk over the raw enrollments of random multi-year records."""
from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from accounts.scope import PROVINCE, SCHOOL, Scope
from dashboards.flows import COUNTS
from dashboards.models import FlowStats
from dashboards.selectors_flows import flows_summary
from dashboards.services import stats_refresh_all, stats_refresh_schools
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from students.models import Enrollment, Student
from tests.factories import SchoolFactory, next_code

pytestmark = pytest.mark.django_db

# The grades of each level, written out here rather than taken from the code under test.
LEVELS = {"primary": (1, 5), "lower_secondary": (6, 9), "upper_secondary": (10, 12)}


def _school_for(schools: dict, grade: int, rng: random.Random):
    level = "primary" if grade <= 5 else "lower_secondary" if grade <= 9 else "upper_secondary"
    return rng.choice(schools[level])


def random_history(seed: int) -> list[int]:
    """Pupils followed over four school years with every kind of flow: promotion, repetition,
    dropout during the year or between years, completion at a level's last grade with or without
    going on, a transfer during the year, death, a grade lowered by a correction."""
    rng = random.Random(seed)
    schools = {"primary": [SchoolFactory(province_id="01"), SchoolFactory(province_id="79")],
               "lower_secondary": [SchoolFactory(province_id="01", level="lower_secondary"),
                                   SchoolFactory(province_id="79", level="lower_secondary")],
               "upper_secondary": [SchoolFactory(province_id="79", level="upper_secondary")]}
    first = current_school_year() - 3
    enrollments = []
    for i in range(300):
        grade = rng.randint(1, 12)
        school = _school_for(schools, grade, rng)
        student = Student.objects.create(pupil_code=next_code("FL"), full_name=f"Học Sinh {i}",
                                         date_of_birth=f"{first - 6 - grade}-0{1 + i % 9}-1{i % 9}",
                                         gender=rng.choice("FM"), school=school, id_number_missing_reason="pending")
        year = first
        while year <= first + 3:
            roll = rng.random()
            status = "studying"
            if roll < 0.05:  # a transfer during the year: the sending school's row is closed
                enrollments.append(Enrollment(student=student, school_year=year, school=school, grade=grade,
                                              class_name="X", status="transferred_out"))
                school = _school_for(schools, grade, rng)
            elif roll < 0.09:
                status = "dropped_out"
            elif roll < 0.11:
                status = "deceased"
            completes = grade in (5, 9, 12) and status == "studying" and rng.random() < 0.8
            enrollments.append(Enrollment(student=student, school_year=year, school=school, grade=grade,
                                          class_name=str(grade), status="completed" if completes else status))
            if status != "studying" or grade == 12 or (grade in (5, 9) and rng.random() < 0.15):
                break
            nxt = rng.random()
            if nxt < 0.05:
                break  # left studying and never re-enrolled
            grade = grade if nxt < 0.15 else max(1, grade - 1) if nxt < 0.17 else grade + 1
            if grade in (6, 10) or rng.random() < 0.1:
                school = _school_for(schools, grade, rng)
            year += 1
    # Preschool last year for some grade-1 pupils (grade 1's new entrants who came from preschool).
    preschool = SchoolFactory(province_id="01", level="preschool")
    taken = {(e.student_id, e.school_year) for e in enrollments if e.status != "transferred_out"}
    for e in [e for e in enrollments if e.grade == 1 and e.school_year > first
              and (e.student_id, e.school_year - 1) not in taken][::2]:
        enrollments.append(Enrollment(student_id=e.student_id, school_year=e.school_year - 1, school=preschool,
                                      grade=0, class_name="MG5", status="completed"))
    Enrollment.objects.bulk_create(enrollments)
    return [s.pk for group in schools.values() for s in group] + [preschool.pk]


def oracle(province: str | None = None, school: int | None = None) -> dict[tuple, Counter]:
    """(year, grade, gender) -> counts, by walking each pupil's enrollments year by year."""
    final = {(e.student_id, e.school_year): e
             for e in Enrollment.objects.exclude(status="transferred_out").select_related("school")}
    gender = dict(Student.objects.values_list("id", "gender"))
    out: dict[tuple, Counter] = defaultdict(Counter)
    for (sid, year), e in final.items():
        if e.grade < 1 or (province and e.school.province_id != province) or (school and e.school_id != school):
            continue
        counts = out[(year, e.grade, gender[sid])]
        before, after = final.get((sid, year - 1)), final.get((sid, year + 1))
        if before is None:
            counts["entrants"] += 1
        elif before.grade == 0:
            counts["from_preschool"] += 1
        if e.status in ("deceased", "moved_abroad"):
            continue
        counts["base"] += 1
        if after is None:
            counts["completed" if e.status == "completed" else "dropped"] += 1
        elif after.grade > e.grade:
            counts["promoted"] += 1
        elif after.grade == e.grade:
            counts["repeated"] += 1
        else:
            counts["other"] += 1
    return out


def stored() -> dict[tuple, Counter]:
    out: dict[tuple, Counter] = defaultdict(Counter)
    for row in FlowStats.objects.values():
        out[(row["school_year"], row["grade"], row["gender"])].update({c: row[c] for c in COUNTS})
    return {k: +v for k, v in out.items() if +v}


def expected_rates(counts: dict[tuple, Counter], year: int, level: str) -> dict:
    first, last = LEVELS[level]
    per_grade = {g: sum((counts.get((year, g, sex), Counter()) for sex in "FM"), Counter())
                 for g in range(first, last + 1)}
    base = sum(c["base"] for c in per_grade.values())
    moving = {g: per_grade[g]["base"] - per_grade[g]["repeated"] for g in per_grade}
    survival = None
    if all(moving[g] for g in range(first, last)):
        survival = 1.0
        for g in range(first, last):
            survival *= per_grade[g]["promoted"] / moving[g]
    top = per_grade[last]
    completion = (survival * (top["promoted"] + top["completed"]) / moving[last] * 100
                  if survival is not None and moving[last] else None)
    return {"dropout_pct": round(sum(c["dropped"] for c in per_grade.values()) * 100 / base, 2),
            "repetition_pct": round(sum(c["repeated"] for c in per_grade.values()) * 100 / base, 2),
            "promotion_pct": round(sum(c["promoted"] for c in per_grade.values()) * 100 / base, 2),
            "survival_pct": None if survival is None else round(survival * 100, 2),
            "completion_pct": None if completion is None else round(completion, 2)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_refresh_counts_every_flow_as_the_raw_records_say(seed):
    random_history(seed)
    stats_refresh_all()
    expected = {k: +v for k, v in oracle().items() if +v}
    assert stored() == expected
    # Every pupil of a year's base is in exactly one flow.
    for counts in expected.values():
        assert counts["base"] == sum(counts[c] for c in ("promoted", "repeated", "completed", "dropped", "other"))


def test_the_rates_of_each_level_are_those_of_the_summed_counts():
    random_history(4)
    stats_refresh_all()
    counts = oracle()
    summary = flows_summary.uncached(scope=Scope.country(), filters={})
    current = current_school_year()
    assert summary.years == [current - 3, current - 2, current - 1]  # the current year's flows are not known yet
    for year in summary.years:
        for level in ("primary", "lower_secondary"):
            got = summary.trend[year][level]
            want = expected_rates(counts, year, level)
            assert {k: got[k] for k in want} == pytest.approx(want, abs=0.011), (year, level)


def test_a_province_and_a_school_see_their_own_flows_only():
    schools = random_history(5)
    stats_refresh_all()
    year = current_school_year() - 2
    province = flows_summary.uncached(scope=Scope(PROVINCE, province_code="79"), filters={"school_year": year})
    want = oracle(province="79")
    assert [(g["grade"], g["base"]) for g in province.grades] == sorted(
        (g, sum(want[(year, g, s)]["base"] for s in "FM")) for g in range(1, 13)
        if sum(sum(want[(year, g, s)].values()) for s in "FM"))
    one = schools[0]
    with pytest.raises(NotInScope):  # a province (even its own) is beyond a school's scope
        flows_summary.uncached(scope=Scope(SCHOOL, school_id=one, province_code="01"),
                               filters={"school_year": year, "province": "01"})
    mine = flows_summary.uncached(scope=Scope(SCHOOL, school_id=one, province_code="01"), filters={"school_year": year})
    want = oracle(school=one)
    assert sum(g["base"] for g in mine.grades) == sum(c["base"] for (y, _g, _s), c in want.items() if y == year)


def test_a_partial_refresh_counts_the_flows_out_of_the_schools_refreshed():
    schools = random_history(6)
    stats_refresh_all()
    full = stored()
    FlowStats.objects.all().delete()
    stats_refresh_schools(school_ids=schools)
    assert stored() == full


def test_bad_filters_are_refused_with_the_field():
    with pytest.raises(AppError) as caught:
        flows_summary.uncached(scope=Scope.country(), filters={"gender": "X", "province": "99"})
    assert set(caught.value.details) == {"gender", "province"}
