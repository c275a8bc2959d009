"""BMI and nutrition status by WHO BMI-for-age, computed with RCPCH's rcpchgrowth (WHO references)."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from rcpchgrowth.global_functions import (
    fetch_lms,
    lms_value_array_for_measurement_for_reference,
    sds_for_measurement,
)

from .models import NutritionStatus


def bmi_of(height_cm: Decimal, weight_kg: Decimal) -> Decimal:
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def age_in_years(date_of_birth: dt.date, on: dt.date) -> float:
    return (on - date_of_birth).days / 365.25


def nutrition_classify(*, bmi: float, age_years: float, gender: str) -> tuple[float | None, str]:
    """(BMI-for-age z-score, category). WHO cut-offs: under 5, wasting < -2 SD, overweight > +2,
    obese > +3; 5-19 years, thinness < -2 SD, overweight > +1, obese > +2."""
    if not 0.05 <= age_years <= 19.9:
        # Outside the WHO references (adults): the adult BMI cut-offs apply.
        category = (NutritionStatus.UNDERWEIGHT if bmi < 18.5 else NutritionStatus.NORMAL if bmi < 25
                    else NutritionStatus.OVERWEIGHT if bmi < 30 else NutritionStatus.OBESE)
        return None, category
    z = sds_for_measurement(reference="who", age=age_years, measurement_method="bmi",
                            observation_value=float(bmi), sex="female" if gender == "F" else "male")
    over, obese = (2, 3) if age_years < 5 else (1, 2)
    if z < -2:
        category = NutritionStatus.UNDERWEIGHT
    elif z > obese:
        category = NutritionStatus.OBESE
    elif z > over:
        category = NutritionStatus.OVERWEIGHT
    else:
        category = NutritionStatus.NORMAL
    return round(z, 2), category


@lru_cache(maxsize=4096)
def who_lms(measurement: str, gender: str, age_months: int) -> tuple[float, float, float]:
    """WHO L, M, S for a measurement ('bmi' or 'height') at a whole month of age (24-228)."""
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
