"""The Thông tư 13/2020 standing, checked against an oracle written here from the circular's thresholds, on
random schools' facilities (and a few worked cases)."""
import math
import random

import pytest

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.models import current_school_year
from facilities.selectors import facilities_standard
from facilities.standard import SchoolFacts, SiteFacts, Standing, evaluate
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site, satellite
from tests.factories import SchoolFactory

YEAR = current_school_year()

# The oracle: the circular's numbers per level, as this test reads them (Điều 5-20), written out again.
SCALE = {"preschool": (5, 20), "primary": (5, 30), "lower_secondary": (8, 45), "upper_secondary": (15, 45)}
MAX_SITES = {"preschool": 8, "primary": 8, "lower_secondary": 2}
LAND = {"preschool": 8, "primary": 8, "lower_secondary": 8, "upper_secondary": 10}
ROOMS = {"preschool": 1.0, "primary": 1.0, "lower_secondary": 0.6, "upper_secondary": 0.6}


def oracle(f: SchoolFacts) -> str:
    level = f.level
    general = level in ("primary", "lower_secondary", "upper_secondary")
    own_in_use = min(f.classrooms_solid + f.classrooms_semi_solid + f.classrooms_temporary, f.classrooms_in_use)
    one = [
        SCALE[level][0] <= f.classes <= SCALE[level][1],
        len(f.sites) <= MAX_SITES.get(level, 10**6),
        f.land_area_m2 is not None and f.land_area_m2 >= LAND[level] * f.pupils,
        own_in_use >= ROOMS[level] * f.classes - 1e-9,
        f.medical_rooms >= 1,
        all(s.water_source != "none" for s in f.sites),
        all(s.electricity != "none" for s in f.sites),
        any(s.kind == "main" and s.internet != "none" for s in f.sites),
    ]
    if general:
        one += [f.library_rooms >= 1, f.computer_rooms >= 1,
                f.toilets_male_standard >= math.ceil(f.pupils / 2 / 30),
                f.toilets_female_standard >= math.ceil(f.pupils / 2 / 20)]
    else:
        one.append(f.toilets_male_standard + f.toilets_female_standard >= f.classes)
    if level in ("lower_secondary", "upper_secondary"):
        one.append(f.laboratories >= 1)
    if not all(one):
        return Standing.NONE
    two = [f.classrooms_semi_solid + f.classrooms_temporary + f.classrooms_borrowed == 0]
    if general:
        two.append(f.multipurpose_halls >= 1)
    return Standing.LEVEL_2 if all(two) else Standing.LEVEL_1


def random_facts(rng: random.Random) -> SchoolFacts:
    level = rng.choice(list(SCALE))
    classes = rng.randint(2, 50)
    pupils = classes * rng.randint(15, 40)
    sites = tuple(SiteFacts(name=f"S{i}", kind="main" if i == 0 else "satellite", classes=1,
                            water_source=rng.choice(["piped"] * 9 + ["none"]),
                            electricity=rng.choice(["grid"] * 12 + ["none"]),
                            internet=rng.choice(["fibre"] * 5 + ["none"]))
                  for i in range(rng.choice([1, 1, 1, 2, 3, 9])))
    solid = rng.randint(0, classes + 3)
    semi, temp, borrowed = (rng.choice([0, 0, 0, rng.randint(1, 4)]) for _ in range(3))
    return SchoolFacts(
        level=level, sites=sites, pupils=pupils, classes=classes,
        land_area_m2=rng.choice([None, rng.randint(5, 14) * pupils]),
        classrooms_solid=solid, classrooms_semi_solid=semi, classrooms_temporary=temp, classrooms_borrowed=borrowed,
        classrooms_in_use=rng.randint(0, solid + semi + temp + borrowed), library_rooms=rng.choice([0, 1, 1, 1]),
        computer_rooms=rng.choice([0, 1, 1, 2]), laboratories=rng.choice([0, 1, 2, 3]),
        multipurpose_halls=rng.choice([0, 0, 1]), medical_rooms=rng.choice([0, 1, 1, 1]),
        toilets_male_standard=rng.randint(0, pupils // 40 + 3), toilets_female_standard=rng.randint(0, pupils // 25 + 3))


def test_the_standing_agrees_with_the_circulars_thresholds_on_random_schools():
    rng = random.Random(2020_13)
    seen = set()
    for _ in range(3000):
        facts = random_facts(rng)
        result = evaluate(facts)
        assert result.standing == oracle(facts), facts
        seen.add(result.standing)
        # Unmet criteria are listed exactly when a level is missed, each with what it lacks.
        assert bool(result.unmet) == (result.standing != Standing.LEVEL_2)
        assert all(u.shortfall.message for u in result.unmet)
    assert seen == {Standing.NONE, Standing.LEVEL_1, Standing.LEVEL_2}  # the random data reaches every standing


@pytest.mark.django_db
def test_a_school_meets_level_1_and_is_told_what_level_2_lacks(school_a):
    site = main_site(school_a)
    facilities(site, YEAR, **GOOD_PRIMARY)
    result = facilities_standard(scope=COUNTRY, school=school_a, school_year=YEAR)
    assert result.standing == Standing.LEVEL_1
    assert {(u.criterion.code, u.standard_level) for u in result.unmet} == {
        ("multipurpose_hall", 2), ("all_classrooms_solid", 2)}
    solid = next(u for u in result.unmet if u.criterion.code == "all_classrooms_solid")
    assert solid.shortfall.missing == 2 and "bán kiên cố 2" in solid.shortfall.message


@pytest.mark.django_db
def test_sites_are_summed_and_a_satellite_without_water_fails_level_1(school_a):
    main = main_site(school_a)
    facilities(main, YEAR, **GOOD_PRIMARY)
    remote = satellite(school_a)
    facilities(remote, YEAR, pupils=30, classes=2, land_area_m2=900, classrooms_temporary=2, classrooms_in_use=2,
               toilets_male=1, toilets_male_standard=1, toilets_female=1, toilets_female_standard=1,
               water_source="none", electricity="grid", internet="none")
    result = facilities_standard(scope=COUNTRY, school=school_a, school_year=YEAR)
    assert result.standing == Standing.NONE
    unmet = {u.criterion.code: u for u in result.unmet}
    assert "Điểm bản DT02" in unmet["clean_water"].shortfall.message
    # 330 pupils: 6 standard toilets for boys and 9 for girls needed (1 per 30, 1 per 20), 6 and 9 held.
    assert {code for code, u in unmet.items() if u.standard_level == 1} == {"clean_water"}


@pytest.mark.django_db
def test_no_rows_no_standing_and_continuing_education_is_out_of_scope(school_a):
    assert facilities_standard(scope=COUNTRY, school=school_a, school_year=YEAR).standing == Standing.NO_DATA
    centre = SchoolFactory(level="continuing")
    assert facilities_standard(scope=COUNTRY, school=centre, school_year=YEAR).standing == Standing.NOT_APPLICABLE
    with pytest.raises(NotInScope):
        facilities_standard(scope=Scope("province", province_code="79"), school=school_a, school_year=YEAR)


def test_a_multi_level_school_reaches_level_2_only_with_the_hall_and_solid_classrooms():
    """Điều 21: a multi-level school applies its levels' rules; every general level's level 2 asks for a hall and
    solid classrooms (before, a multi-level school at level 1 was at level 2 with nothing more asked)."""
    site = SiteFacts(name="Chính", kind="main", classes=30, water_source="piped", electricity="grid",
                     internet="fibre")
    base = dict(level="multi_level", sites=(site,), pupils=1000, classes=30, land_area_m2=10_000,
                classrooms_solid=28, classrooms_semi_solid=2, classrooms_in_use=30, library_rooms=1,
                computer_rooms=1, laboratories=1, medical_rooms=1, toilets_male_standard=17,
                toilets_female_standard=25)
    result = evaluate(SchoolFacts(**base))
    assert result.standing == Standing.LEVEL_1
    assert {(u.criterion.code, u.standard_level) for u in result.unmet} == {
        ("multipurpose_hall", 2), ("all_classrooms_solid", 2)}
    built = evaluate(SchoolFacts(**{**base, "classrooms_solid": 30, "classrooms_semi_solid": 0,
                                    "multipurpose_halls": 1}))
    assert (built.standing, built.unmet) == (Standing.LEVEL_2, ())
