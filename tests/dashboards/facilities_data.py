"""Random facilities data for the facilities dashboard tests, written through the services."""
from __future__ import annotations

import random

import pytest

from dashboards.services import stats_refresh_all
from edu_portal.common.models import current_school_year
from facilities.models import EquipmentItem
from facilities.services import equipment_holdings_save, site_deactivate
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site, satellite
from tests.factories import SchoolFactory

YEAR = current_school_year()
YEARS = (YEAR - 1, YEAR)
# The grades whose equipment each level needs, written out here (not taken from the code under test).
GRADES = {"preschool": [0], "primary": [1, 2, 3, 4, 5], "lower_secondary": [6, 7, 8, 9],
          "upper_secondary": [10, 11, 12], "multi_level": list(range(1, 13)), "continuing": list(range(6, 13))}
GOOD_NAME = "Trường Tiểu học Đạt Chuẩn"


def random_row(rng: random.Random) -> dict:
    """A facilities row that meets the model's rules (facilities.models clean())."""
    classes = rng.randint(1, 20)
    pupils = rng.randint(classes, classes * 35)
    rooms = {k: rng.randint(0, 8) for k in ("classrooms_solid", "classrooms_semi_solid", "classrooms_temporary",
                                             "classrooms_borrowed")}
    male, female = rng.randint(0, 8), rng.randint(0, 8)
    computer_rooms = rng.randint(0, 1)
    return dict(pupils=pupils, classes=classes, land_area_m2=rng.choice([None, pupils * rng.randint(6, 15)]),
                **rooms, classrooms_in_use=rng.randint(0, sum(rooms.values())), library_rooms=rng.randint(0, 1),
                computer_rooms=computer_rooms, laboratories=rng.randint(0, 1), multipurpose_halls=rng.randint(0, 1),
                medical_rooms=rng.randint(0, 1), toilets_male=male, toilets_male_standard=rng.randint(0, male),
                toilets_female=female, toilets_female_standard=rng.randint(0, female),
                water_source=rng.choice(["piped", "well", "rain", "none"]),
                electricity=rng.choice(["grid", "own", "none"]), internet=rng.choice(["fibre", "mobile", "none"]),
                computers_pupils=rng.randint(1, 30) if computer_rooms else rng.randint(0, 10),
                computers_teaching=rng.randint(0, 5))


@pytest.fixture
def facilities_world(db, school_a, school_b, school_other_province):
    """Schools of several levels in three provinces with random sites, rows for two years and equipment; one
    satellite deactivated after its rows were written; one school with nothing recorded; one meeting level 1."""
    rng = random.Random(18)
    schools = [school_a, school_b, school_other_province,
               SchoolFactory(province_id="79", level="lower_secondary", ownership="private"),
               SchoolFactory(province_id="48", level="preschool"),
               SchoolFactory(province_id="01", level="upper_secondary"),
               SchoolFactory(province_id="01", level="continuing")]
    for n, school in enumerate(schools):
        sites = [main_site(school)] + [satellite(school, code=f"DT0{i + 2}") for i in range(rng.randint(0, 2))]
        for site in sites:
            for year in YEARS:
                if rng.random() < 0.85:
                    facilities(site, year, **random_row(rng))
        items = list(EquipmentItem.objects.filter(grade_from__lte=max(GRADES[school.level]),
                                                  grade_to__gte=min(GRADES[school.level])))
        for year in YEARS:
            chosen = rng.sample(items, k=rng.randint(0, len(items)))
            holdings = []
            for item in chosen:
                quantity = rng.randint(0, 40)
                holdings.append({"item": item.code, "quantity": quantity, "working": rng.randint(0, quantity)})
            if holdings and n != 1:
                equipment_holdings_save(scope=COUNTRY, school=school, school_year=year, holdings=holdings)
        if len(sites) > 1:
            site_deactivate(scope=COUNTRY, site=sites[-1])
    SchoolFactory(province_id="01", level="primary")  # nothing recorded
    good = SchoolFactory(province_id="01", level="primary", name=GOOD_NAME)
    facilities(main_site(good), YEAR, **GOOD_PRIMARY)
    stats_refresh_all()
    return [*schools, good]
