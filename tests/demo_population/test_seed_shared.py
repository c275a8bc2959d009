"""seed_demo's one 40-school seed (seed 2026), read by several tests: realistic records with planted verification
outcomes, ratings derived from subject results, planted duplicates. Seeding takes ~20 s; the tests only read, so
the module seeds once inside a transaction that is rolled back after it (each test runs in a savepoint of it)."""
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from demo_population.models import PlantedDuplicate
from demo_population.seed import without_diacritics
from demo_population.truth import citizen_for
from geo.models import EthnicGroup, Province
from schools.models import School
from students.assessment import derive, subjects_canonical
from students.models import AcademicResult, Enrollment, PhysicalRecord, Student
from teachers.models import StaffMember, StaffPosting

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # The reference data the autouse admin_units fixture loads per test, here before the seed needs it.
        if not Province.objects.exists():
            call_command("load_admin_units", verbosity=0)
        call_command("seed_demo", schools=40, workers=1, seed=2026)
        yield
        transaction.set_rollback(True)


def test_seed_loads_realistic_records_with_planted_outcomes(seeded):
    assert School.objects.count() == 40
    students = Student.objects.count()
    # Three school years: this year's pupils, and those who left before it (issue 17).
    current = Enrollment.objects.filter(school_year=timezone.localdate().year - (timezone.localdate().month < 8))
    assert current.count() == current.values("student").distinct().count() > 10_000
    assert Enrollment.objects.values("school_year").distinct().count() == 3
    assert Enrollment.objects.count() > 2.5 * current.count() and students > current.count()
    assert PhysicalRecord.objects.count() > 0.8 * current.count()
    ratio = students / StaffMember.objects.filter(position="teacher").count()
    assert 8 < ratio < 30  # pupil-teacher ratios as Vietnamese schools have them
    # Every loaded member starts their posting history at their school, as staff_create opens it.
    assert set(StaffPosting.objects.filter(ended_on__isnull=True).values_list("staff_id", "school_id")) == set(
        StaffMember.objects.values_list("id", "school_id"))
    outcome = Counter()
    for number, name, born, gender in Student.objects.values_list("id_number", "full_name", "date_of_birth",
                                                                  "gender"):
        truth = citizen_for(number, 2026) if number else None
        outcome["invalid" if not number else "not_found" if truth is None else
                "match" if (truth.full_name, truth.date_of_birth, truth.gender) == (name, born, gender)
                else "mismatch"] += 1
    assert 0.89 < outcome["match"] / students < 0.94
    assert outcome["mismatch"] and outcome["not_found"] and outcome["invalid"]
    # Names keep their diacritics; no pupil code or ID number repeats.
    assert Student.objects.filter(full_name__regex="[ạ-ỹđ]").exists()
    assert not Student.objects.values("pupil_code").annotate(n=Count("id")).filter(n__gt=1).exists()
    # Ethnicities are official names of the 54 groups, as an upload would store them.
    official = set(EthnicGroup.objects.values_list("name", flat=True))
    assert set(Student.objects.values_list("ethnicity", flat=True).distinct()) <= official
    assert set(StaffMember.objects.values_list("ethnicity", flat=True).distinct()) <= official
    assert Student.objects.filter(ethnicity="Khơ-me").exists()


def test_seeded_ratings_are_derived_from_the_seeded_subject_results(seeded):
    """Every result's learning rating is what the portal's rule (Circular 22/2021 for grades 6-12,
    27/2020 for 1-5) derives from its stored subject results, and the ratings are spread as
    schools report them."""
    grades = {(s, y): g for s, y, g in Enrollment.objects.values_list("student_id", "school_year", "grade")}
    derived: dict[tuple, str] = {}
    by_scale: dict[str, Counter] = {"primary": Counter(), "secondary": Counter()}
    rows = AcademicResult.objects.values_list("student_id", "school_year", "term", "learning_rating",
                                              "conduct_rating", "subject_scores")
    terms = Counter()
    for student_id, year, term, learning, conduct, subjects in rows:
        grade = grades[student_id, year]
        terms[term] += 1
        term = 0 if term == 3 else term  # the summer's re-assessment is rated as a year is
        key = (grade, term, conduct, json.dumps(subjects, sort_keys=True))
        if key not in derived:  # pupils share subject results: derive each distinct one once
            derived[key] = derive(grade=grade, term=term, subjects=subjects, conduct=conduct).rating
        assert learning == derived[key], (grade, conduct, subjects)
        assert subjects_canonical(grade=grade, subjects=subjects) == subjects  # named as the catalogue names them
        if term == 1:  # this year's first term, as schools report it
            by_scale["primary" if grade <= 5 else "secondary"][learning] += 1
    assert terms[0] > terms[1] and 0 < terms[3] < 0.05 * terms[0]  # past years: the whole year, and summers
    shares = {scale: {r: n / sum(c.values()) for r, n in c.items()} for scale, c in by_scale.items()}
    assert 0.2 < shares["secondary"]["tot"] < 0.4 and 0.3 < shares["secondary"]["kha"] < 0.55
    assert 0.15 < shares["secondary"]["dat"] < 0.35 and 0.01 < shares["secondary"]["chua_dat"] < 0.07
    assert 0.15 < shares["primary"]["hoan_thanh_xuat_sac"] < 0.35 and 0.3 < shares["primary"]["hoan_thanh"] < 0.55
    assert 0.2 < shares["primary"]["hoan_thanh_tot"] < 0.4 and 0.005 < shares["primary"]["chua_hoan_thanh"] < 0.05


def _digits_differ(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def test_seed_plants_duplicates_with_their_truth_kept_aside(seeded):
    """Issue 16: about 0.3% of pupils are a child entered again, varied as real double entries are,
    and each pair is recorded (the truth a duplicate finder is measured against)."""
    students = Student.objects.count()
    pairs = list(PlantedDuplicate.objects.values_list("pupil_a", "pupil_b", "kind"))
    assert 0.0015 < len(pairs) / students < 0.006
    pupils = Student.objects.in_bulk([p for pair in pairs for p in pair[:2]])
    kinds = Counter()
    for a, b, kind in pairs:
        first, again = pupils[a], pupils[b]
        kinds[kind] += 1
        assert first.id_number and first.gender == again.gender and first.ethnicity == again.ethnicity
        assert first.pupil_code != again.pupil_code and again.id_number != first.id_number
        assert again.id_number is None or _digits_differ(first.id_number, again.id_number) == 1
        if kind in ("no_id_number", "id_number_typo"):
            assert (again.full_name, again.date_of_birth) == (first.full_name, first.date_of_birth)
            assert (again.id_number is None) == (kind == "no_id_number")
        elif kind == "day_month_swapped":
            assert again.full_name == first.full_name
            assert (again.date_of_birth.day, again.date_of_birth.month) == \
                (first.date_of_birth.month, first.date_of_birth.day) and again.date_of_birth != first.date_of_birth
        else:
            assert again.date_of_birth == first.date_of_birth and again.full_name != first.full_name
            assert without_diacritics(again.full_name) == without_diacritics(first.full_name)
            if kind == "name_no_diacritics":
                assert again.full_name == without_diacritics(first.full_name)
    assert set(kinds) >= {"no_id_number", "id_number_typo", "day_month_swapped", "name_no_diacritics"}
