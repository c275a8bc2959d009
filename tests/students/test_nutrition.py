"""Nutrition by WHO BMI-for-age: the reference by completed months, every school age, the unrounded
BMI, the severe grade, and one classifier for the portal and the demo seed."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.scope import Scope
from demo_population.seed import Geography, plan_make, province_rows
from edu_portal.common.exceptions import AppError
from students.models import HeightStatus, NutritionStatus
from students.nutrition import (
    OutsideReference,
    bmi_exact,
    bmi_lms,
    bmi_of,
    completed_months,
    height_for_age,
    height_lms,
    nutrition_classify,
    value_for_z,
    z_for_bmi,
)
from students.services import physical_record_add
from tests.factories import make_student, real_identity
from tests.uploads.conftest import commit, csv_bytes, run_upload
from uploads.models import UploadStatus

BOY = dt.date(2020, 3, 10)


def days(n: int) -> dt.date:
    return BOY + dt.timedelta(days=n)


def test_completed_months_are_whos_months_of_30_4375_days():
    assert [completed_months(BOY, days(n)) for n in (1826, 1827, 1856, 1857)] == [59, 60, 60, 61]
    assert completed_months(BOY, dt.date(2025, 3, 10)) == 59  # 1826 days: five calendar years are not 60 months


@pytest.mark.parametrize(("age_days", "under_five", "status"), [
    (1827, True, NutritionStatus.NORMAL),        # 60.02 months: WHO 2006, overweight only past +2
    (1856, True, NutritionStatus.NORMAL),        # 60.98 months: still 60 completed
    (1857, False, NutritionStatus.OVERWEIGHT),   # 61.01 months: WHO 2007, overweight past +1
])
def test_the_reference_and_cut_offs_follow_completed_months(age_days, under_five, status):
    lms, is_under_five = bmi_lms("M", BOY, days(age_days))
    assert is_under_five is under_five
    bmi = value_for_z(lms, 1.5)
    z, got = nutrition_classify(bmi=bmi, date_of_birth=BOY, measured_on=days(age_days), gender="M")
    assert z == pytest.approx(1.5, abs=0.01) and got == status


def test_each_side_reads_its_own_who_table():
    # WHO 2006 BMI-for-height, boys, day 1856: the standards' last day (L -0.7235, M 15.184, S 0.0874).
    assert bmi_lms("M", BOY, days(1856)) == ((-0.7235, 15.184, 0.0874), True)
    # WHO 2007 BMI-for-age, boys, 61 months: L -0.7387, M 15.2641, S 0.0839.
    lms, under_five = bmi_lms("M", BOY, days(round(61 * 30.4375)))
    assert not under_five and lms == pytest.approx((-0.7387, 15.2641, 0.0839), abs=5e-4)


def test_every_school_age_is_classified_up_to_19_years():
    born = dt.date(2006, 5, 20)
    z, status = nutrition_classify(bmi=21.0, date_of_birth=born, measured_on=dt.date(2025, 5, 20), gender="F")
    assert status == NutritionStatus.NORMAL and -1 < z < 1  # 228 months: the last month of WHO 2007
    for measured_on in (dt.date(2025, 6, 20), dt.date(2025, 11, 20), dt.date(2026, 4, 1)):  # 19.1-19.9 years
        with pytest.raises(OutsideReference, match="quá 19 tuổi"):
            nutrition_classify(bmi=21.0, date_of_birth=born, measured_on=measured_on, gender="F")


def test_the_z_score_uses_the_unrounded_bmi():
    born, measured_on = dt.date(2015, 3, 1), dt.date(2025, 9, 15)
    height, weight = Decimal("120.4"), Decimal("28.2")  # BMI 19.453..., shown as 19.5
    lms, _ = bmi_lms("F", born, measured_on)
    assert bmi_of(height, weight) == Decimal("19.5") and z_for_bmi(lms, 19.5) > 1  # rounded: overweight
    z, status = nutrition_classify(bmi=bmi_exact(height, weight), date_of_birth=born, measured_on=measured_on,
                                   gender="F")
    assert z == pytest.approx(0.996, abs=0.005) and status == NutritionStatus.NORMAL


@pytest.mark.parametrize(("born", "gender"), [(dt.date(2023, 1, 1), "F"), (dt.date(2014, 6, 1), "M")])
def test_below_minus_3_sd_is_the_severe_grade(born, gender):
    measured_on = dt.date(2025, 10, 1)
    lms, _ = bmi_lms(gender, born, measured_on)
    for z_wanted, status in ((-2.5, NutritionStatus.UNDERWEIGHT), (-3.2, NutritionStatus.SEVERE_THINNESS)):
        l, m, s = lms  # noqa: E741
        # Past -3 SD WHO counts in the distance between -3 and -2 SD (restricted LMS).
        sd2, sd3 = (m * (1 + l * s * k) ** (1 / l) for k in (-2, -3))
        bmi = value_for_z(lms, z_wanted) if z_wanted > -3 else sd3 - 0.2 * (sd2 - sd3)
        z, got = nutrition_classify(bmi=bmi, date_of_birth=born, measured_on=measured_on, gender=gender)
        assert (z, got) == (pytest.approx(z_wanted, abs=0.01), status)


@pytest.mark.parametrize(("age_days", "z_wanted", "status"), [
    (400, -2.1, HeightStatus.STUNTED),             # length, WHO 2006
    (1856, -3.1, HeightStatus.SEVERELY_STUNTED),   # 60 months: the standards' last day
    (1857, -1.9, HeightStatus.NORMAL),             # 61 months: WHO 2007
    (4000, -2.5, HeightStatus.STUNTED),
    (6900, -3.5, HeightStatus.SEVERELY_STUNTED),   # nearly 19
])
def test_height_for_age_grades_stunting(age_days, z_wanted, status):
    measured_on = days(age_days)
    lms, _ = height_lms("F", BOY, measured_on)
    height = value_for_z(lms, z_wanted)
    z, got = height_for_age(height_cm=height, date_of_birth=BOY, measured_on=measured_on, gender="F")
    assert (z, got) == (pytest.approx(z_wanted, abs=0.01), status)
    with pytest.raises(OutsideReference):
        height_for_age(height_cm=170, date_of_birth=BOY, measured_on=days(6971), gender="F")


def test_an_absurd_measurement_keeps_a_storable_z():
    z, status = nutrition_classify(bmi=bmi_exact(45, 190), date_of_birth=dt.date(2020, 1, 1),
                                   measured_on=dt.date(2025, 1, 1), gender="M")
    assert z == 9.99 and status == NutritionStatus.OBESE


@pytest.mark.django_db
def test_the_service_refuses_a_pupil_past_19_with_the_reason(school_a):
    pupil = make_student(school_a, **real_identity(serial=31, year=2006))
    measured_on = pupil.date_of_birth + dt.timedelta(days=int(19.5 * 365.25))
    with pytest.raises(AppError, match="quá 19 tuổi"):
        physical_record_add(scope=Scope.country(), student=pupil, measured_on=measured_on,
                            height_cm=Decimal("165"), weight_kg=Decimal("55"))
    record = physical_record_add(scope=Scope.country(), student=pupil,
                                 measured_on=pupil.date_of_birth + dt.timedelta(days=int(18.5 * 365.25)),
                                 height_cm=Decimal("165"), weight_kg=Decimal("55"))
    assert record.nutrition_status == NutritionStatus.NORMAL and record.bmi_z_score is not None
    record.refresh_from_db()
    assert record.height_status == HeightStatus.NORMAL and -2 < record.height_z_score < 2


@pytest.mark.django_db
def test_a_pupil_of_19_and_a_half_gets_a_row_message_not_a_failed_file(school_user, school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    young = make_student(school_a)
    older = make_student(school_a, **real_identity(serial=57, year=2006))
    header = ["Mã học sinh", "Ngày đo", "Chiều cao (cm)", "Cân nặng (kg)"]
    past_19 = (older.date_of_birth + dt.timedelta(days=int(19.5 * 365.25))).strftime("%d/%m/%Y")
    rows = [[young.pupil_code, "15/09/2025", "128,5", "26"], [older.pupil_code, past_19, "165", "55"]]
    upload = run_upload(school_user, csv_bytes(header, rows), kind="physical")
    assert upload.status != UploadStatus.FAILED
    [error] = upload.errors
    assert error["row"] == 3 and "quá 19 tuổi" in error["reason"] + error.get("message", "")
    # The rest of the file is good: without the row it is written.
    upload = commit(school_user, run_upload(school_user, csv_bytes(header, rows[:1]), kind="physical"))
    record = young.physical_records.get()
    assert upload.new_count == 1 and record.nutrition_status and record.height_status
    assert record.height_z_score is not None


DATES = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 11, 30))


@given(born=DATES, days=st.integers(0, 19 * 366), height=st.integers(400, 2300), weight=st.integers(20, 2000),
       gender=st.sampled_from("FM"))
def test_the_seed_and_the_portal_classify_alike(born, days, height, weight, gender):
    """The seed classifies floats it drew; the portal classifies the same values read from a file."""
    measured_on = born + dt.timedelta(days=days)
    seed_height, seed_weight = round(height / 10, 1), round(weight / 10, 1)
    try:
        seed = nutrition_classify(bmi=bmi_exact(seed_height, seed_weight), date_of_birth=born,
                                  measured_on=measured_on, gender=gender)
    except OutsideReference:
        seed = None
    file_height, file_weight = Decimal(str(seed_height)), Decimal(str(seed_weight))
    try:
        portal = nutrition_classify(bmi=bmi_exact(file_height, file_weight), date_of_birth=born,
                                    measured_on=measured_on, gender=gender)
    except OutsideReference:
        portal = None
    assert seed == portal
    try:
        seed = height_for_age(height_cm=seed_height, date_of_birth=born, measured_on=measured_on, gender=gender)
        portal = height_for_age(height_cm=file_height, date_of_birth=born, measured_on=measured_on, gender=gender)
    except OutsideReference:
        return
    assert seed == portal


def test_every_seeded_measurement_is_what_the_portal_computes():
    geo = Geography(["01"], {"01": [("00004", "Phường Ba Đình")]}, {"01": ["001"]})
    plan = plan_make(n_schools=3, seed=11, geo=geo)
    bufs = province_rows(plan=plan, province="01", seed=11, school_year=2025, today=dt.date(2026, 11, 25),
                         legacy_codes=["001"])
    pupils = {}
    for cells in csv.reader(io.StringIO(bufs["student"].getvalue())):
        pupils[cells[0]] = (dt.date.fromisoformat(cells[4]), cells[5])
    checked = 0
    for _, sid, _, _, measured_on, height, weight, bmi, z, status, height_z, height_status, *_ in csv.reader(
            io.StringIO(bufs["physical"].getvalue())):
        born, gender = pupils[sid]
        want_z, want_status = nutrition_classify(bmi=bmi_exact(Decimal(height), Decimal(weight)), date_of_birth=born,
                                                 measured_on=dt.date.fromisoformat(measured_on), gender=gender)
        assert (Decimal(z), status, Decimal(bmi)) == (Decimal(str(want_z)), want_status,
                                                     bmi_of(Decimal(height), Decimal(weight)))
        want_height = height_for_age(height_cm=Decimal(height), date_of_birth=born,
                                     measured_on=dt.date.fromisoformat(measured_on), gender=gender)
        assert (Decimal(height_z), height_status) == (Decimal(str(want_height[0])), want_height[1])
        checked += 1
    assert checked > 100
