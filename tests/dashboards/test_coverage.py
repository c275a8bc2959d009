"""Enrolment ratios (issue 17): GER, NER, the intake rate and the GPI against an independent
computation over the raw enrollments and the stored population, on random multi-year records; the
scope rules; and, on a small real seed, a national NER that never passes 100."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.scope import PROVINCE, SCHOOL, Scope
from dashboards.selectors_coverage import coverage_summary
from dashboards.services import stats_refresh_all
from demo_population.population import population_read
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.models import current_school_year
from geo.models import Commune, PopulationCount
from geo.services import population_counts_replace
from schools.models import School
from students.models import Enrollment, Student
from tests.dashboards.test_flows import random_history
from tests.factories import commune_of, next_code

pytestmark = pytest.mark.django_db

# Written out here, not taken from the code under test (Luật Giáo dục 2019, Điều 28-29).
GRADES = {"primary": range(1, 6), "lower_secondary": range(6, 10), "upper_secondary": range(10, 13)}
AGES = {"primary": range(6, 11), "lower_secondary": range(11, 15), "upper_secondary": range(15, 18)}


def random_records(seed: int) -> int:
    """random_history's pupils with birth years spread a little (repeaters, early and late starters),
    and a random population for every commune with a school and one without, in every year but one.
    Returns the year left without population figures."""
    random_history(seed)
    rng = random.Random(seed)
    pupils = list(Student.objects.all())
    for pupil in pupils:
        pupil.date_of_birth = pupil.date_of_birth.replace(year=pupil.date_of_birth.year + rng.randint(-2, 1))
    Student.objects.bulk_update(pupils, ["date_of_birth"])
    first = current_school_year() - 3
    # Grade 1's intake in the later years: new to the records, from preschool, or repeating grade 1
    # (not an entrant); at 5, 6 or 7 years of age.
    primary = list(School.objects.filter(level="primary"))
    preschool = School.objects.filter(level="preschool").first()
    later = []
    for i in range(120):
        year, school = first + 1 + i % 3, rng.choice(primary)
        pupil = Student.objects.create(pupil_code=next_code("GI"), full_name=f"Học Sinh Lớp Một {i}",
                                       date_of_birth=dt.date(year - rng.choice((5, 6, 6, 7)), 3, 1),
                                       gender=rng.choice("FM"), school=school, id_number_missing_reason="pending")
        later.append(Enrollment(student=pupil, school_year=year, school=school, grade=1, class_name="1A"))
        kind = rng.random()
        if kind < 0.4:
            later.append(Enrollment(student=pupil, school_year=year - 1, school=preschool, grade=0,
                                    class_name="MG5", status="completed"))
        elif kind < 0.55:
            later.append(Enrollment(student=pupil, school_year=year - 1, school=school, grade=1, class_name="1B"))
    Enrollment.objects.bulk_create(later)
    # A commune where children live and no school is: its children count, it has no pupils.
    schoolless = Commune.objects.filter(province_id="79").exclude(code=commune_of("79")).order_by("code")[0].code
    communes = set(School.objects.values_list("commune_id", flat=True)) | {schoolless}
    missing = first + 2
    for year in range(first, first + 4):
        if year == missing:
            continue
        rows = [{"commune": c, "age": age, "gender": sex, "count": rng.randint(0, 40)}
                for c in sorted(communes) for age in range(3, 18) for sex in "FM"]
        population_counts_replace(school_year=year, rows=rows)
    return missing


def oracle(*, province: str | None = None, commune: str | None = None, gender: str | None = None) -> dict:
    """year -> {level: {ger, ner, ger_f, ger_m, gpi}, "gir": ...}, by walking the raw records."""
    final = {(e.student_id, e.school_year): e
             for e in Enrollment.objects.exclude(status="transferred_out").select_related("school")}
    people = {s.id: s for s in Student.objects.all()}
    enrolled, official, new = Counter(), Counter(), Counter()
    years = set()
    for (sid, year), e in final.items():
        pupil = people[sid]
        if e.grade < 1 or (province and e.school.province_id != province) \
                or (commune and e.school.commune_id != commune) or (gender and pupil.gender != gender):
            continue
        years.add(year)
        age = year - pupil.date_of_birth.year
        level = next(name for name, grades in GRADES.items() if e.grade in grades)
        enrolled[(year, level, pupil.gender)] += 1
        official[(year, level, pupil.gender)] += age in AGES[level]
        before = final.get((sid, year - 1))
        if e.grade == 1 and (before is None or before.grade == 0):
            new[(year, pupil.gender)] += 1
    children = Counter()
    rows = PopulationCount.objects.all()
    if province:
        rows = rows.filter(province_id=province)
    if commune:
        rows = rows.filter(commune_id=commune)
    if gender:
        rows = rows.filter(gender=gender)
    for row in rows:
        children[(row.school_year, row.age, row.gender)] += row.count
    out = {}
    for year in sorted(years):
        if not any(k[0] == year for k in children):
            continue
        out[year] = {}
        for level, ages in AGES.items():
            pop = {s: sum(children[(year, a, s)] for a in ages) for s in "FM"}
            num = {s: enrolled[(year, level, s)] for s in "FM"}
            right = {s: official[(year, level, s)] for s in "FM"}
            total = sum(pop.values())
            out[year][level] = {
                "ger": round(sum(num.values()) * 100 / total, 2) if total else None,
                "ner": round(sum(right.values()) * 100 / total, 2) if total else None,
                "ger_f": round(num["F"] * 100 / pop["F"], 2) if pop["F"] else None,
                "gpi": (round((num["F"] / pop["F"]) / (num["M"] / pop["M"]), 3)
                        if pop["F"] and pop["M"] and num["M"] else None)}
        six = sum(children[(year, 6, s)] for s in "FM")
        out[year]["gir"] = (round(sum(new[(year, s)] for s in "FM") * 100 / six, 2)
                            if six and year != min(years) else None)
    return out


def same(a: dict, b: dict) -> bool:
    """Equal, but for the last digit of a rounded ratio (the same quotient computed in another order)."""
    def flat(d, prefix=()):
        for k, v in d.items():
            yield from flat(v, (*prefix, k)) if isinstance(v, dict) else [((*prefix, k), v)]

    x, y = dict(flat(a)), dict(flat(b))
    return x.keys() == y.keys() and all(
        (x[k] is None) == (y[k] is None) and (x[k] is None or abs(x[k] - y[k]) <= 0.0011) for k in x)


def got(summary) -> dict:
    return {year: {**{level: {k: summary.trend[year][level][k] for k in ("ger", "ner", "ger_f", "gpi")}
                      for level in AGES},
                   "gir": summary.intake[year].get("gir")} for year in summary.trend}


@pytest.mark.parametrize("seed", [11, 12])
def test_the_ratios_are_those_of_the_raw_records_over_the_stored_population(seed):
    missing = random_records(seed)
    stats_refresh_all()
    country = coverage_summary.uncached(scope=Scope.country(), filters={}, unit="province")
    assert same(got(country), oracle()) and got(country)
    assert missing in country.missing_years and missing not in country.trend
    # A province, a commune and one gender: the same sums over a smaller area.
    province = coverage_summary.uncached(scope=Scope.country(), filters={"province": "79"}, unit="commune")
    assert same(got(province), oracle(province="79"))
    commune = School.objects.filter(province_id="01").values_list("commune_id", flat=True).first()
    one = coverage_summary.uncached(scope=Scope.country(), filters={"commune": commune})
    assert same(got(one), oracle(commune=commune))
    girls = coverage_summary.uncached(scope=Scope.country(), filters={"gender": "F"})
    assert {y: {lv: r[lv]["ger"] for lv in AGES} for y, r in got(girls).items()} == \
        {y: {lv: r[lv]["ger"] for lv in AGES} for y, r in oracle(gender="F").items()}
    # The table by unit of the chosen year: each province's own ratios.
    by_unit = {u["key"]: u for u in country.units}
    assert by_unit["79"]["primary"]["ger"] == oracle(province="79")[country.year]["primary"]["ger"]


def test_a_province_sees_only_its_own_and_a_school_has_no_ratios():
    random_records(13)
    stats_refresh_all()
    mine = coverage_summary.uncached(scope=Scope(PROVINCE, province_code="79"), filters={}, unit="commune")
    assert same(got(mine), oracle(province="79"))
    keys = {u["key"] for u in mine.units}
    assert keys and Commune.objects.filter(pk__in=keys, province_id="79").count() == len(keys)
    with pytest.raises(NotInScope):
        coverage_summary.uncached(scope=Scope(PROVINCE, province_code="79"), filters={"province": "01"})
    school = School.objects.filter(province_id="01").first()
    theirs = coverage_summary.uncached(scope=Scope(SCHOOL, school_id=school.pk, province_code="01"), filters={})
    assert not theirs.available and not theirs.trend
    assert not coverage_summary.uncached(scope=Scope.country(), filters={"school": school.pk}).available


def test_on_a_real_seed_the_country_never_has_more_pupils_of_an_age_than_children(settings, tmp_path):
    settings.POPULATION_REGISTRY_POPULATION_FILE = tmp_path / "population.csv.gz"
    call_command("seed_demo", schools=80, workers=1, seed=2026)  # the demo's size
    population = population_read(tmp_path / "population.csv.gz")
    for year in range(population.first_year, population.last_year + 1):
        population_counts_replace(school_year=year, rows=population.rows_for(year))
    summary = coverage_summary.uncached(scope=Scope.country(), filters={})
    current = current_school_year()
    assert sorted(summary.trend) == [current - 2, current - 1, current] and not summary.missing_years
    for year, levels in summary.trend.items():
        for level, ratios in levels.items():
            assert ratios["ner"] is not None and ratios["ner"] <= 100, (year, level, ratios)
            assert ratios["ner"] <= ratios["ger"]
    assert summary.trend[current]["primary"]["ner"] > 50
    # Every child of an age is in the population: no birth year has more pupils than children.
    pupils = Counter((s.date_of_birth.year, s.gender) for s in Student.objects.filter(
        id__in=Enrollment.objects.filter(school_year=current).exclude(status="transferred_out")
        .values("student_id")))
    for (born, sex), n in pupils.items():
        if 3 <= current - born <= 17:
            children = PopulationCount.objects.filter(school_year=current, age=current - born, gender=sex) \
                .aggregate(n=Sum("count"))["n"]
            assert children >= n, (born, sex)
    # Out-of-school children by age, as drawn: a larger share of the 15-17 than of the 6-10.
    young, old = (summary.trend[current][lv]["ner"] for lv in ("primary", "upper_secondary"))
    assert young > old
