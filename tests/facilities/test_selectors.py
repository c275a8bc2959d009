"""Equipment completeness: working items against the catalogue's minimum for the school's grades."""
import pytest

from edu_portal.common.models import current_school_year
from facilities.models import EquipmentItem
from facilities.selectors import equipment_completeness, equipment_items_for, required_quantity, school_facilities
from facilities.services import equipment_holdings_save
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site, satellite
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


def test_required_quantity_per_school_grade_and_class():
    per_class = EquipmentItem(code="x", min_quantity=2, per="class", grade_from=1, grade_to=2)
    per_grade = EquipmentItem(code="y", min_quantity=3, per="grade", grade_from=4, grade_to=5)
    per_school = EquipmentItem(code="z", min_quantity=5, per="school", grade_from=1, grade_to=5)
    grades = [1, 2, 3, 4, 5]
    # 12 classes over 5 grades: grades 1-2 hold 12*2/5 = 4.8, rounded up to 5 classes.
    assert required_quantity(per_class, grades=grades, classes=12) == 10
    assert required_quantity(per_class, grades=grades, classes=0) == 4  # at least one class a grade
    assert required_quantity(per_grade, grades=grades, classes=12) == 6
    assert required_quantity(per_school, grades=grades, classes=12) == 5
    assert required_quantity(per_grade, grades=[6, 7, 8, 9], classes=12) == 0


def test_items_follow_the_schools_grades():
    primary, upper = SchoolFactory(level="primary"), SchoolFactory(level="upper_secondary")
    multi, preschool = SchoolFactory(level="multi_level"), SchoolFactory(level="preschool")
    assert {i.level for i in equipment_items_for(school=primary)} == {"primary"}
    assert {i.level for i in equipment_items_for(school=upper)} == {"upper_secondary"}
    assert {i.level for i in equipment_items_for(school=preschool)} == {"preschool"}
    # A general-education school of several levels teaches grades 1-12, not preschool.
    assert {i.level for i in equipment_items_for(school=multi)} == {"primary", "lower_secondary", "upper_secondary"}


def test_completeness_counts_working_items_up_to_the_minimum(school_a):
    facilities(main_site(school_a), YEAR, **GOOD_PRIMARY)  # 10 classes
    before = equipment_completeness(scope=COUNTRY, school=school_a, school_year=YEAR)
    assert before.present == 0 and before.required > 0 and before.share == 0
    lines = {line.item.code: line for line in before.lines}
    assert lines["TH-TOAN-SO-PHEP-TINH"].required == 4  # 1 per class, grades 1-2 of 5: 10*2/5 classes
    equipment_holdings_save(scope=COUNTRY, school=school_a, school_year=YEAR, holdings=[
        {"item": "TH-TOAN-SO-PHEP-TINH", "quantity": 6, "working": 5},   # surplus: counts 4
        {"item": "TH-TIN-MAY-TINH", "quantity": 20, "working": 15}])     # 15 of 20
    after = equipment_completeness(scope=COUNTRY, school=school_a, school_year=YEAR)
    assert after.present == 4 + 15
    assert after.items_complete == 1
    lines = {line.item.code: line for line in after.lines}
    assert lines["TH-TIN-MAY-TINH"].missing == 5
    assert after.share == pytest.approx(19 / after.required)


def test_school_facilities_sum_active_sites(school_a):
    main = main_site(school_a)
    facilities(main, YEAR, **GOOD_PRIMARY)
    extra = satellite(school_a)
    facilities(extra, YEAR, pupils=20, classes=2, classrooms_temporary=2, classrooms_in_use=2)
    totals = school_facilities(scope=COUNTRY, school=school_a, school_year=YEAR)
    assert totals["pupils"] == 320 and totals["classes"] == 12 and totals["sites"] == 2
    assert totals["land_area_m2"] is None  # the satellite has none entered: a sum would understate it
