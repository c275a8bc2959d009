"""Sites and facilities rows for the facilities tests, made through the services."""
from __future__ import annotations

from accounts.scope import Scope
from facilities.services import site_create, site_facilities_save

COUNTRY = Scope.country()

# A primary site of 10 classes that meets level 1 of Thông tư 13/2020 (and not level 2: no multi-purpose hall).
GOOD_PRIMARY = dict(pupils=300, classes=10, land_area_m2=3600, classrooms_solid=8, classrooms_semi_solid=2,
                    classrooms_in_use=10, library_rooms=1, computer_rooms=1, medical_rooms=1, toilets_male=6,
                    toilets_male_standard=5, toilets_female=8, toilets_female_standard=8, water_source="piped",
                    electricity="grid", internet="fibre", internet_mbps=100, computers_pupils=20)


def main_site(school, *, code="DT01", **kwargs):
    values = dict(name="Điểm trường chính", kind="main", commune=school.commune_id)
    values.update(kwargs)
    return site_create(scope=COUNTRY, school=school, code=code, **values)


def satellite(school, *, code="DT02", **kwargs):
    values = dict(name=f"Điểm bản {code}", kind="satellite", commune=school.commune_id)
    values.update(kwargs)
    return site_create(scope=COUNTRY, school=school, code=code, **values)


def facilities(site, year, **values):
    return site_facilities_save(scope=COUNTRY, site=site, school_year=year, **values)
