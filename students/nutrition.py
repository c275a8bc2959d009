"""Nutrition status by WHO BMI-for-age: one classifier for the portal and the demo seed.

The LMS values are RCPCH's rcpchgrowth copies of the WHO tables: WHO 2006 standards by day of age
(0-1856 days, lying length under 2 years) and WHO 2007 reference by month (61-228 months)."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from rcpchgrowth.global_functions import fetch_lms, lms_value_array_for_measurement_for_reference
from rcpchgrowth.who import WHO_2007_DATA, WHO_CHILD_DATA, WHO_INFANTS_DATA

from .models import HeightStatus, NutritionStatus

# WHO 2006 standards apply to 0-60 completed months, WHO 2007 reference from 61 to 228 (19 years).
UNDER_FIVE_LAST_MONTH = 60
REFERENCE_LAST_MONTH = 228
DAYS_PER_MONTH = 30.4375  # WHO's own month (365.25 / 12), as in WHO AnthroPlus
# bmi_z_score is numeric(4,2): beyond +-9.99 the figure says nothing more (a typing error, most likely).
Z_LIMIT = 9.99


class OutsideReference(ValueError):
    """The age is past the WHO tables: there is no BMI-for-age to classify by."""


def bmi_exact(height_cm, weight_kg) -> float:
    """BMI as measured, for the z-score (rounding first flips about 0.5% of categories)."""
    metres = float(height_cm) / 100
    return float(weight_kg) / (metres * metres)


def bmi_of(height_cm: Decimal, weight_kg: Decimal) -> Decimal:
    """BMI to one decimal, for display and storage only; classify with bmi_exact."""
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def completed_months(date_of_birth: dt.date, on: dt.date) -> int:
    """Completed months of age as WHO Anthro and AnthroPlus count them (days / 30.4375, whole): the
    standards cover 0-1856 days (60 months), the reference from 61 months. Calendar months would
    differ by a day at the edge (born 1 January, measured 31 January five years on: 1857 days)."""
    return (on - date_of_birth).days * 10_000 // 304_375


def outside_reference_message(months: int) -> str:
    return (f"học sinh {months // 12} tuổi {months % 12} tháng tại ngày đo: quá 19 tuổi, ngoài bảng BMI theo tuổi "
            "của WHO nên không đánh giá được tình trạng dinh dưỡng")


def _table(rows: list[dict]) -> tuple[tuple[float, float, float], ...]:
    return tuple((float(r["L"]), float(r["M"]), float(r["S"])) for r in rows)


# Loaded once per process: the seed classifies millions of rows with plain list lookups.
_SEXES = (("F", "female"), ("M", "male"))
_UNDER_FIVE = {(measurement, sex): _table(WHO_INFANTS_DATA["measurement"][measurement][name]
                                          + WHO_CHILD_DATA["measurement"][measurement][name])
               for measurement in ("bmi", "height") for sex, name in _SEXES}
# rcpchgrowth 4.6.5 has another row in place of the girls' height at day 1827 (M 109.9773,
# S 0.04214: a 0.56 cm jump between two days, 0.18 SD on the z-score); WHO's lhfa girls table
# reads L 1, M 109.4362, S 0.04347 there (found by scripts/who_check.py). Only that exact row is
# replaced, so a corrected rcpchgrowth is taken as it is.
_ERRATA = {("height", "F", 1827): ((1.0, 109.9773, 0.04214), (1.0, 109.4362, 0.04347))}
for (_measurement, _sex, _day), (_wrong, _right) in _ERRATA.items():
    _rows = list(_UNDER_FIVE[_measurement, _sex])
    if _rows[_day] == _wrong:
        _rows[_day] = _right
        _UNDER_FIVE[_measurement, _sex] = tuple(_rows)
_SCHOOL_AGE = {(measurement, sex): _table(WHO_2007_DATA["measurement"][measurement][name])
               for measurement in ("bmi", "height") for sex, name in _SEXES}
_SCHOOL_AGE_FIRST_MONTH = 60  # the WHO 2007 tables start at 60 months, one row a month


def _lms(measurement: str, gender: str, date_of_birth: dt.date,
         on: dt.date) -> tuple[tuple[float, float, float], bool]:
    days = (on - date_of_birth).days
    if days < 0:
        raise OutsideReference("ngày đo trước ngày sinh")
    return _lms_at_day(measurement, "F" if gender == "F" else "M", days)


# Cached by day of age (4 tables x about 7,000 days): the seed classifies millions of rows.
@lru_cache(maxsize=1 << 15)
def _lms_at_day(measurement: str, sex: str, days: int) -> tuple[tuple[float, float, float], bool]:
    """(L, M, S) and whether the under-5 standards apply. WHO Anthro reads the 2006 tables at the
    age in days (length under 731 days, height after); WHO AnthroPlus interpolates the 2007 tables
    linearly between months."""
    months = days * 10_000 // 304_375  # completed_months
    if months > REFERENCE_LAST_MONTH:
        raise OutsideReference(outside_reference_message(months))
    if months <= UNDER_FIVE_LAST_MONTH:
        table = _UNDER_FIVE[measurement, sex]
        return table[min(days, len(table) - 1)], True
    table = _SCHOOL_AGE[measurement, sex]
    at = min(days / DAYS_PER_MONTH, REFERENCE_LAST_MONTH) - _SCHOOL_AGE_FIRST_MONTH
    low = int(at)
    if low >= len(table) - 1:
        return table[-1], False
    share = at - low
    (l0, m0, s0), (l1, m1, s1) = table[low], table[low + 1]
    return (l0 + share * (l1 - l0), m0 + share * (m1 - m0), s0 + share * (s1 - s0)), False


def bmi_lms(gender: str, date_of_birth: dt.date, on: dt.date) -> tuple[tuple[float, float, float], bool]:
    """(L, M, S) of BMI-for-age and whether the under-5 standards apply."""
    return _lms("bmi", gender, date_of_birth, on)


def height_lms(gender: str, date_of_birth: dt.date, on: dt.date) -> tuple[tuple[float, float, float], bool]:
    """(L, M, S) of length/height-for-age and whether the under-5 standards apply."""
    return _lms("height", gender, date_of_birth, on)


def z_for_bmi(lms: tuple[float, float, float], bmi: float) -> float:
    """BMI-for-age z with WHO's restricted LMS: past +-3 SD the distance is counted in the SD
    between 2 and 3 (WHO 2006 and 2007 both do so for weight-based indicators)."""
    l, m, s = lms  # noqa: E741 - the LMS method's own letters
    z = ((bmi / m) ** l - 1) / (l * s)
    if z > 3:
        sd3, sd2 = (m * (1 + l * s * k) ** (1 / l) for k in (3, 2))
        z = 3 + (bmi - sd3) / (sd3 - sd2)
    elif z < -3:
        sd3, sd2 = (m * (1 + l * s * k) ** (1 / l) for k in (-3, -2))
        z = -3 - (sd3 - bmi) / (sd2 - sd3)
    return z


def nutrition_classify(*, bmi: float, date_of_birth: dt.date, measured_on: dt.date,
                       gender: str) -> tuple[float, str]:
    """(BMI-for-age z to 2 decimals, status) from the unrounded BMI. WHO cut-offs: under 5 (0-60
    completed months), severe wasting < -3 SD, wasting < -2, overweight > +2, obese > +3; 61 months
    to 19 years, severe thinness < -3, thinness < -2, overweight > +1, obese > +2.
    Raises OutsideReference past 228 completed months."""
    lms, under_five = bmi_lms(gender, date_of_birth, measured_on)
    z = z_for_bmi(lms, bmi)
    over, obese = (2, 3) if under_five else (1, 2)
    if z < -3:
        status = NutritionStatus.SEVERE_THINNESS
    elif z < -2:
        status = NutritionStatus.UNDERWEIGHT
    elif z > obese:
        status = NutritionStatus.OBESE
    elif z > over:
        status = NutritionStatus.OVERWEIGHT
    else:
        status = NutritionStatus.NORMAL
    return round(max(-Z_LIMIT, min(Z_LIMIT, z)), 2), status


@lru_cache(maxsize=4096)
def who_lms(measurement: str, gender: str, age_months: int) -> tuple[float, float, float]:
    """WHO L, M, S for a measurement ('bmi' or 'height') at a whole month of age (24-228); the
    demo seed draws measurements from it."""
    age = age_months / 12
    sex = "female" if gender == "F" else "male"
    table = lms_value_array_for_measurement_for_reference(reference="who", age=age,
                                                          measurement_method=measurement, sex=sex)
    values = fetch_lms(age=age, lms_value_array_for_measurement=table, interpolation_override=True)
    return float(values["l"]), float(values["m"]), float(values["s"])


def value_for_z(lms: tuple[float, float, float], z: float) -> float:
    """The measurement at z standard deviations (the LMS method)."""
    l, m, s = lms  # noqa: E741 - the LMS method's own letters
    # Beyond about +-3.5 SD the LMS curve is not defined for strongly skewed L: clamp there.
    z = max(-3.5, min(3.5, z))
    return m * max(1e-3, 1 + l * s * z) ** (1 / l)


def height_for_age(*, height_cm: float, date_of_birth: dt.date, measured_on: dt.date,
                   gender: str) -> tuple[float, str]:
    """(Height-for-age z to 2 decimals, status): stunting (thấp còi) < -2 SD, severe < -3, by the
    same references and ages as BMI-for-age. Plain LMS: WHO restricts only weight-based indicators.
    Raises OutsideReference past 228 completed months."""
    (l, m, s), _ = height_lms(gender, date_of_birth, measured_on)  # noqa: E741
    z = ((float(height_cm) / m) ** l - 1) / (l * s)
    status = (HeightStatus.SEVERELY_STUNTED if z < -3 else HeightStatus.STUNTED if z < -2 else HeightStatus.NORMAL)
    return round(max(-Z_LIMIT, min(Z_LIMIT, z)), 2), status
