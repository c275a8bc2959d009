"""seed_demo's years of history (issue 17), checked with SQL over the raw rows it loads: the turn of each
year recorded as the portal's year-end records it, flows at believable rates, and one identity per child."""
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection

from dashboards.models import SchoolStats
from demo_population import load
from demo_population.seed import Geography
from edu_portal.common.models import current_school_year
from schools.models import LEVEL_GRADES
from students.models import Term
from students.yearend import CONDUCT_PASS, PRIMARY_PASS, SECONDARY_PASS

PROVINCES = ["01", "79"]


@pytest.fixture
def two_provinces(monkeypatch):
    """The seed over Hà Nội and Hồ Chí Minh City only: a few schools of every level, quickly."""
    geo = load.geography()
    small = Geography(PROVINCES, {p: geo.communes[p] for p in PROVINCES}, {p: geo.legacy[p] for p in PROVINCES})
    monkeypatch.setattr(load, "geography", lambda: small)


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _passes(grade: int, learning: str, conduct: str) -> bool:
    if grade <= 5:
        return learning in PRIMARY_PASS
    return learning in SECONDARY_PASS and conduct in CONDUCT_PASS


def _level_of_grade(grade: int) -> str:
    return "primary" if grade <= 5 else "lower" if grade <= 9 else "upper"


@pytest.mark.django_db
def test_three_years_turn_as_the_year_end_turns_them(two_provinces):
    call_command("seed_demo", schools=24, workers=1, seed=2026)
    year = current_school_year()
    assert [y for (y,) in _rows("SELECT DISTINCT school_year FROM students_enrollment ORDER BY 1")] == \
        [year - 2, year - 1, year]
    # The database's rule: at most one enrollment a year that is not "transferred out".
    assert not _rows("SELECT student_id, school_year FROM students_enrollment WHERE status <> 'transferred_out' "
                     "GROUP BY 1, 2 HAVING count(*) > 1")
    top = {level: last for level, (_first, last) in LEVEL_GRADES.items()}
    schools = {sid: (level, province) for sid, level, province in
               _rows("SELECT id, level, province_id FROM schools_school")}
    born = dict(_rows("SELECT id, extract(year FROM date_of_birth)::int FROM students_student"))
    enrollments = defaultdict(list)
    for student, school_year, school, grade, status, left_on, reason, age_group in _rows(
            "SELECT student_id, school_year, school_id, grade, status, left_on, leave_reason, age_group "
            "FROM students_enrollment ORDER BY student_id, school_year"):
        enrollments[student].append((school_year, school, grade, status, left_on, reason, age_group))
    results = {(s, y, t): (grade_learning, conduct) for s, y, t, grade_learning, conduct in _rows(
        "SELECT student_id, school_year, term, learning_rating, conduct_rating FROM students_academicresult")}
    flows = {key: Counter() for key in ("primary", "lower", "upper")}
    new_after_first = Counter()
    for student, steps in enrollments.items():
        years = [s[0] for s in steps]
        assert years == list(range(years[0], years[0] + len(years))), "no gap: one record followed over the years"
        if years[0] > year - 2:
            new_after_first[steps[0][2]] += 1
        repeats = 0
        for k, (y, school, grade, status, left_on, reason, age_group) in enumerate(steps):
            level, province = schools[school]
            if grade >= 1:  # ages coherent: a repeater is one year older than the grade's age
                assert y - born[student] == grade + 5 + repeats, (student, steps)  # grade 1 at 6
            else:
                assert age_group in ("mg_3_4", "mg_4_5", "mg_5_6")
            if status == "completed":  # only at the last grade the school teaches, closed on 31 May
                assert grade == top[level] and str(left_on) == f"{y + 1}-05-31" and reason
            if status == "dropped_out":
                assert k == len(steps) - 1 and left_on is not None, "a dropout never reappears"
            if y < year and grade >= 1:
                flows[_level_of_grade(grade)]["enrolled"] += 1
                flows[_level_of_grade(grade)]["dropped"] += status == "dropped_out"
                whole, resit = results.get((student, y, Term.WHOLE_YEAR)), results.get((student, y, Term.RESIT))
                if status == "dropped_out":
                    assert whole is None
                    continue
                assert whole is not None, "every past year's pupil has the whole year's result"
                passed = _passes(grade, *resit) if resit else _passes(grade, *whole)
                assert resit is None or not _passes(grade, *whole), "only a failed year is re-assessed"
            if k + 1 == len(steps):  # a past year's last enrollment was closed: nobody is left studying in it
                assert y == year or status in ("completed", "dropped_out"), (student, steps)
                continue
            next_year, next_school, next_grade, *_ = steps[k + 1]
            assert schools[next_school][1] == province, "moves stay within the province"
            assert status in ("studying", "completed"), "the year's enrollment is kept, or closed as completed"
            if grade == 0:
                assert next_grade in (0, 1) and (next_grade == 1) == (status == "completed")
                continue
            assert next_grade in (grade, grade + 1)
            if next_grade == grade:
                repeats += 1
                flows[_level_of_grade(grade)]["repeated"] += 1
                assert status == "studying" and not passed, "a repeater failed the year (and its summer)"
            else:
                assert passed, "a pupil going up passed the year (or its summer)"
                if status == "completed":  # the next level, at a school teaching it
                    assert schools[next_school][0] in {5: ("lower_secondary",),
                                                       9: ("upper_secondary", "continuing")}[grade]
    # Past the first year, pupils arrive as intake: preschool or grade 1.
    assert set(new_after_first) <= {0, 1} and new_after_first[1] > 0
    shares = {level: {k: c[k] / c["enrolled"] for k in ("repeated", "dropped")} for level, c in flows.items()}
    assert 0.002 < shares["primary"]["repeated"] < 0.015 and 0.005 < shares["lower"]["repeated"] < 0.03
    assert 0.005 < shares["upper"]["repeated"] < 0.04
    assert shares["primary"]["dropped"] < 0.01 and 0.015 < shares["upper"]["dropped"] < 0.06
    assert shares["upper"]["dropped"] > shares["lower"]["dropped"] > shares["primary"]["dropped"]
    # Transitions at the portal's definition: completers of grade 5 (9) enrolled the next year.
    went_on = dict(_rows(
        "SELECT a.grade, avg((b.id IS NOT NULL)::int) FROM students_enrollment a LEFT JOIN students_enrollment b "
        "ON b.student_id = a.student_id AND b.school_year = a.school_year + 1 "
        "WHERE a.status = 'completed' AND a.grade IN (5, 9) AND a.school_year < %s GROUP BY 1", [year]))
    assert 0.95 < went_on[5] <= 0.995 and 0.65 < went_on[9] < 0.85
    # Every seeded year's statistics are computed: no page of a seeded year asks for a command.
    stats = Counter(SchoolStats.objects.exclude(computed_at=None).values_list("school_year", flat=True))
    assert {y: stats[y] for y in (year - 2, year - 1, year)} == {y: len(schools) for y in (year - 2, year - 1, year)}


@pytest.mark.django_db
def test_one_identity_per_child_over_the_years(two_provinces):
    """Continuing pupils keep their one record; identities are drawn as before (same verification
    shares), and the number of ID numbers equals the number of children given one."""
    from demo_population.truth import citizen_for

    call_command("seed_demo", schools=16, workers=1, seed=7)
    rows = _rows("SELECT s.id, s.id_number, s.full_name, s.date_of_birth, s.gender, count(e.id), "
                 "min(e.school_year), max(e.school_year) FROM students_student s "
                 "JOIN students_enrollment e ON e.student_id = s.id GROUP BY s.id")
    assert all(n == last - first + 1 for *_x, n, first, last in rows)
    several = [r for r in rows if r[5] > 1]
    assert len(several) > 0.6 * len(rows)
    outcome = Counter()
    for _sid, number, name, born, gender, *_rest in several:
        truth = citizen_for(number, 7) if number else None
        outcome["match" if truth and (truth.full_name, truth.date_of_birth, truth.gender) == (name, born, gender)
                else "other"] += 1
    assert 0.88 < outcome["match"] / len(several) < 0.95
    # Pupils who left before this year are kept, with their school the one they left.
    assert _rows("SELECT count(*) FROM students_student s WHERE NOT EXISTS (SELECT 1 FROM students_enrollment e "
                 "WHERE e.student_id = s.id AND e.school_year = %s)", [current_school_year()])[0][0] > 0
    assert not _rows("SELECT s.id FROM students_student s JOIN LATERAL (SELECT school_id FROM students_enrollment e "
                     "WHERE e.student_id = s.id ORDER BY school_year DESC LIMIT 1) last ON true "
                     "WHERE last.school_id <> s.school_id")


TABLES = {"students_student": "id, pupil_code, id_number, full_name, date_of_birth, gender, school_id",
          "students_enrollment": "id, student_id, school_year, school_id, grade, class_name, status, left_on, age_group",
          "students_academicresult": "id, student_id, school_year, term, learning_rating, conduct_rating",
          "students_physicalrecord": "id, student_id, height_cm, weight_kg",
          "demo_population_plantedduplicate": "pupil_a, pupil_b, kind",
          # Facilities (issue 18): what decides a school's standing under Thông tư 13/2020.
          "facilities_site": "school_id, code, name, kind, distance_km",
          "facilities_sitefacilities": "school_id, school_year, pupils, classes, land_area_m2, classrooms_solid, "
                                       "classrooms_semi_solid, classrooms_in_use, library_rooms, computer_rooms, "
                                       "laboratories, multipurpose_halls, toilets_male_standard, "
                                       "toilets_female_standard, water_source, electricity, internet"}


def _dump() -> dict[str, list]:
    # Every column sorts: rows equal in their first columns (a school's sites) come in one order.
    return {table: _rows(f"SELECT {columns} FROM {table} ORDER BY "  # noqa: S608
                         + ", ".join(str(i + 1) for i in range(columns.count(",") + 1)))
            for table, columns in TABLES.items()}


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_rows_whatever_the_workers(two_provinces):
    call_command("seed_demo", schools=12, workers=1, seed=5, no_stats=True, flush=True)  # ids from 1 too
    one = _dump()
    call_command("seed_demo", schools=12, workers=2, seed=5, no_stats=True, flush=True)
    assert _dump() == one
    assert len(one["students_enrollment"]) > 2 * len(one["students_physicalrecord"])


@pytest.mark.django_db
def test_one_year_as_before(two_provinces):
    call_command("seed_demo", schools=8, workers=1, seed=3, years=1, no_stats=True)
    assert _rows("SELECT count(DISTINCT school_year), count(*) = count(DISTINCT student_id) "
                 "FROM students_enrollment") == [(1, True)]
    assert not _rows("SELECT 1 FROM students_academicresult WHERE term <> %s", [Term.FIRST])
