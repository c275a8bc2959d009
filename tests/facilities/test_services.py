"""Writes on sites, facilities and equipment: the rules a row must meet (per-field messages in Vietnamese),
scope, nothing half-written."""
from decimal import Decimal

import pytest

from accounts.scope import Scope
from audit.models import AuditEvent
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from facilities.models import EquipmentHolding, EquipmentItem, Site, SiteFacilities
from facilities.services import (
    equipment_holdings_save,
    site_create,
    site_deactivate,
    site_facilities_save,
    site_update,
)
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site, satellite
from tests.factories import SchoolFactory, commune_of

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


def _error(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def test_one_main_site_first_then_satellites(school_a):
    error = _error(lambda: satellite(school_a))
    assert error.details["kind"] == ["Trường chưa có điểm trường chính."]
    main_site(school_a)
    error = _error(lambda: main_site(school_a, code="DT09"))
    assert error.details["kind"] == ["Trường đã có điểm trường chính."]
    satellite(school_a)
    assert _error(lambda: satellite(school_a)).details["code"]  # the code is unique within the school
    assert Site.objects.filter(school=school_a).count() == 2


def test_coordinates_outside_vietnam_are_refused_per_field(school_a):
    # Latitude and longitude swapped: the classic slip.
    error = _error(lambda: main_site(school_a, latitude="105.8", longitude="21.0"))
    assert "nằm ngoài lãnh thổ Việt Nam" in error.details["latitude"][0]
    assert _error(lambda: main_site(school_a, latitude="21.0")).details["longitude"] == [
        "Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."]
    assert "không phải là số" in _error(lambda: main_site(school_a, latitude="abc", longitude="1")).message
    # Trường Sa (Khánh Hoà) is in Vietnam.
    site = main_site(school_a, latitude="8.6456", longitude="111.9200")
    assert site.latitude == Decimal("8.645600")


def test_distance_is_computed_from_coordinates_and_bounded(school_a):
    main = main_site(school_a, latitude="21.0285", longitude="105.8048")
    near = satellite(school_a, latitude="21.1285", longitude="105.8048", distance_km="99")
    assert near.distance_km == Decimal("11.1")  # 0.1 degree of latitude, whatever was typed
    typed = satellite(school_a, code="DT03", distance_km="12,5")
    assert typed.distance_km == Decimal("12.5")
    error = _error(lambda: satellite(school_a, code="DT04", distance_km="4500"))
    assert "quá xa" in error.details["distance_km"][0]
    # The main site moves: its satellites with coordinates are measured again.
    site_update(scope=COUNTRY, site=main, latitude="21.2285", longitude="105.8048")
    near.refresh_from_db()
    assert near.distance_km == Decimal("11.1")
    assert Decimal(typed.distance_km) == Decimal("12.5")


def test_a_site_lies_in_its_schools_province(school_a):
    error = _error(lambda: main_site(school_a, commune=commune_of("79")))
    assert error.details["commune"] == ["Xã/phường của điểm trường không thuộc tỉnh/thành phố của trường."]


def test_counts_that_contradict_each_other_are_refused_with_the_field_named(school_a):
    site = main_site(school_a)
    cases = [
        (dict(classrooms_solid=3, classrooms_in_use=4), "classrooms_in_use", "lớn hơn tổng số phòng học"),
        (dict(classrooms_solid=3, classrooms_need_repair=5), "classrooms_need_repair", "lớn hơn tổng số phòng học"),
        (dict(toilets_female=2, toilets_female_standard=3), "toilets_female_standard", "đạt chuẩn (3) lớn hơn"),
        (dict(toilets_male=0, toilets_male_standard=1), "toilets_male_standard", "học sinh nam"),
        (dict(computers_pupils=-1), "computers_pupils", "Không được là số âm."),
        (dict(pupils=40, classes=0), "classes", "ít nhất một lớp"),
        (dict(pupils=900, classes=2), "pupils", "học sinh một lớp"),
        (dict(pupils=300, classes=10, land_area_m2=100), "land_area_m2", "quá nhỏ"),
        (dict(pupils=10, classes=1, land_area_m2=900_000), "land_area_m2", "quá lớn"),
        (dict(land_area_m2=-5), "land_area_m2", "Không được là số âm."),
        (dict(classrooms_solid=2, classroom_floor_area_m2=5000), "classroom_floor_area_m2", "m² một phòng học"),
        (dict(internet="none", internet_mbps=20), "internet_mbps", "Không có internet"),
        (dict(computer_rooms=1, computers_pupils=0), "computers_pupils", "phòng tin học"),
    ]
    for values, field, words in cases:
        error = _error(lambda values=values: facilities(site, YEAR, **values))
        assert field in error.details, (values, error.details)
        assert words in error.details[field][0], (values, error.details[field])
    assert not SiteFacilities.objects.exists()  # nothing half-written


def test_facilities_are_one_row_per_site_and_year(school_a):
    site = main_site(school_a)
    first = facilities(site, YEAR, **GOOD_PRIMARY)
    again = facilities(site, YEAR, pupils=310)
    assert again.pk == first.pk and again.pupils == 310 and again.classes == 10
    facilities(site, YEAR - 1, **GOOD_PRIMARY)
    assert SiteFacilities.objects.filter(site=site).count() == 2
    assert _error(lambda: facilities(site, 1990)).details["school_year"]
    assert _error(lambda: facilities(site, YEAR, bogus=1)).message.startswith("Không có trường thông tin")


def test_an_inactive_site_takes_no_new_rows_and_the_main_site_stays(school_a):
    main = main_site(school_a)
    other = satellite(school_a)
    assert _error(lambda: site_deactivate(scope=COUNTRY, site=main)).code == "main_site"
    site_deactivate(scope=COUNTRY, site=other)
    assert _error(lambda: facilities(other, YEAR, pupils=1, classes=1)).code == "inactive_site"


def test_scope_a_school_writes_only_its_own_and_a_province_only_its_schools(school_a, school_b,
                                                                           school_other_province):
    site_a, site_hcm = main_site(school_a), main_site(school_other_province)
    school_b_scope = Scope("school", school_id=school_b.pk, province_code="01")
    hanoi = Scope("province", province_code="01")
    with pytest.raises(NotInScope):
        site_facilities_save(scope=school_b_scope, site=site_a, school_year=YEAR, pupils=1, classes=1)
    with pytest.raises(NotInScope):
        site_update(scope=school_b_scope, site=site_a, name="Đổi tên")
    with pytest.raises(NotInScope):
        site_create(scope=school_b_scope, school=school_a, code="X1", name="X", kind="satellite",
                    commune=school_a.commune_id)
    with pytest.raises(NotInScope):
        site_facilities_save(scope=hanoi, site=site_hcm, school_year=YEAR, pupils=1, classes=1)
    assert site_facilities_save(scope=hanoi, site=site_a, school_year=YEAR, pupils=1, classes=1).pupils == 1


def test_writes_are_audited(school_a):
    site = main_site(school_a)
    facilities(site, YEAR, **GOOD_PRIMARY)
    labels = set(AuditEvent.objects.values_list("model", flat=True))
    assert {"facilities.site", "facilities.sitefacilities"} <= labels


def test_equipment_is_written_all_together_or_not_at_all(school_a):
    items = list(EquipmentItem.objects.filter(level="primary").values_list("code", flat=True)[:3])
    saved = equipment_holdings_save(scope=COUNTRY, school=school_a, school_year=YEAR,
                                    holdings=[{"item": c, "quantity": 3, "working": 2} for c in items])
    assert saved == 3
    error = _error(lambda: equipment_holdings_save(scope=COUNTRY, school=school_a, school_year=YEAR, holdings=[
        {"item": items[0], "quantity": 9, "working": 9},
        {"item": items[1], "quantity": 1, "working": 4},
        {"item": "THPT-HOA-TU-HUT", "quantity": 1, "working": 1},
        {"item": "NO-SUCH", "quantity": 1, "working": 1},
        {"item": items[2], "quantity": -1, "working": 0}]))
    assert error.details[items[1]]["working"] == ["Số lượng dùng được (4) lớn hơn số lượng hiện có (1)."]
    assert "không thuộc danh mục của cấp học" in error.details["THPT-HOA-TU-HUT"]["item"][0]
    assert "NO-SUCH" in error.details["NO-SUCH"]["item"][0]
    assert error.details[items[2]]["quantity"] == ["Không được là số âm."]
    # Nothing of the failed list was written: the first item still holds 3/2.
    assert set(EquipmentHolding.objects.values_list("quantity", "working")) == {(3, 2)}
    other = SchoolFactory(province_id="79", commune_id=commune_of("79"))
    with pytest.raises(NotInScope):
        equipment_holdings_save(scope=Scope("province", province_code="01"), school=other, school_year=YEAR,
                                holdings=[])
