"""Preschool age groups (nhà trẻ / mẫu giáo): one rule for uploads, services, the SQL writers, the
data migration and the demo seed.

The groups are those of the Chương trình giáo dục mầm non (Thông tư 51/2020/TT-BGDĐT, consolidated)
and the Điều lệ trường mầm non (Thông tư 52/2020/TT-BGDĐT), as the GSO's indicator metadata states
them: nhóm trẻ 3-12, 13-24 and 25-36 months; lớp mẫu giáo 3-4, 4-5 and 5-6 years.

How a child is placed in school year Y-(Y+1):
- Mẫu giáo by year of birth: born in Y-5 is "5-6 tuổi", Y-4 "4-5 tuổi", Y-3 "3-4 tuổi". Ages in
  schooling are counted in years, not birthdays (Luật Giáo dục 2019, Điều 28: grade 1 at 6 years
  "tính theo năm"), and the universal-preschool records (phổ cập giáo dục mầm non cho trẻ em 5
  tuổi, Nghị định 20/2014/NĐ-CP) list the 5-year-olds of a school year by year of birth: the
  "5-6 tuổi" group is the figure those statistics need.
- Nhà trẻ by completed months at the start of the school year (5 September Y, the opening day of
  the ministry's yearly calendar): under 13 months "3-12 tháng", 13-24, 25-36. A child born in
  Y-2 or later is at most 32 months then, so the two rules meet without a gap or an overlap.
- Born in Y-6 or earlier: 6 years old by year of birth, the age of grade 1 (Điều 28), not a
  preschool child: refused.
- Under 3 months: nhà trẻ take children from 3 months (Điều lệ trường mầm non), counted at the day
  of enrollment (the upload or the form) or, for a past school year, at its end (31 May).
"""
from __future__ import annotations

import datetime as dt

from .models import AgeGroup

PRESCHOOL_GRADE = 0
SCHOOL_YEAR_START = (9, 5)  # 5 September: months of nhà trẻ children are counted at this day
SCHOOL_YEAR_END = (5, 31)  # of the next calendar year
YOUNGEST_MONTHS = 3
KINDERGARTEN_BY_BIRTH_YEAR = {5: AgeGroup.KINDERGARTEN_5, 4: AgeGroup.KINDERGARTEN_4, 3: AgeGroup.KINDERGARTEN_3}


class PreschoolAgeError(ValueError):
    """The child's age does not fit any preschool group in that school year (a message for people)."""


def months_completed(date_of_birth: dt.date, on: dt.date) -> int:
    """Calendar months completed at `on` (PostgreSQL's age() counts them the same way)."""
    return (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month - (on.day < date_of_birth.day)


def age_group(*, date_of_birth: dt.date, school_year: int) -> str:
    """The group of a preschool child born on `date_of_birth` in school year `school_year`
    (2026 = 2026-2027). Raises PreschoolAgeError for a child of grade-1 age."""
    years = school_year - date_of_birth.year
    if years >= 6:
        raise PreschoolAgeError(
            f"trẻ sinh năm {date_of_birth.year} tròn {years} tuổi trong năm học {school_year}-{school_year + 1} "
            "(tuổi tính theo năm sinh): đã đến tuổi vào lớp 1 (Luật Giáo dục 2019, Điều 28), "
            "không xếp được vào nhóm tuổi mầm non")
    if years >= 3:
        return KINDERGARTEN_BY_BIRTH_YEAR[years].value
    months = months_completed(date_of_birth, dt.date(school_year, *SCHOOL_YEAR_START))
    if months <= 12:
        return AgeGroup.INFANT_3_12.value
    return (AgeGroup.INFANT_13_24 if months <= 24 else AgeGroup.INFANT_25_36).value


def enrollment_age_group(*, grade: int, date_of_birth: dt.date, school_year: int,
                         today: dt.date | None = None) -> str:
    """The age group to store on an enrollment: blank for grades 1-12. With `today` (a new or
    changed enrollment), a child under 3 months on that day, or at the end of a past school year,
    is refused too."""
    if grade != PRESCHOOL_GRADE:
        return ""
    group = age_group(date_of_birth=date_of_birth, school_year=school_year)
    if today is not None:
        on = min(today, dt.date(school_year + 1, *SCHOOL_YEAR_END))
        if months_completed(date_of_birth, on) < YOUNGEST_MONTHS:
            raise PreschoolAgeError(
                f"trẻ sinh ngày {date_of_birth:%d/%m/%Y} chưa đủ {YOUNGEST_MONTHS} tháng tuổi vào ngày "
                f"{on:%d/%m/%Y}: nhà trẻ nhận trẻ từ {YOUNGEST_MONTHS} tháng tuổi (Điều lệ trường mầm non)")
    return group


def age_group_sql(*, grade: str, date_of_birth: str, school_year: str) -> str:
    """The same rule as a SQL expression over the given column expressions (for set-based writes and
    the data migration): '' for grades 1-12 and for a child of grade-1 age (the upload refuses such
    rows before writing; the migration leaves them blank)."""
    years = f"({school_year} - extract(year FROM {date_of_birth})::int)"
    age = f"age(make_date({school_year}, {SCHOOL_YEAR_START[0]}, {SCHOOL_YEAR_START[1]}), {date_of_birth})"
    months = f"(extract(year FROM {age})::int * 12 + extract(month FROM {age})::int)"
    kindergarten = " ".join(f"WHEN {years} = {y} THEN '{g.value}'" for y, g in KINDERGARTEN_BY_BIRTH_YEAR.items())
    return (f"(CASE WHEN {grade} <> {PRESCHOOL_GRADE} OR {years} >= 6 THEN '' {kindergarten} "
            f"WHEN {months} <= 12 THEN '{AgeGroup.INFANT_3_12.value}' "
            f"WHEN {months} <= 24 THEN '{AgeGroup.INFANT_13_24.value}' "
            f"ELSE '{AgeGroup.INFANT_25_36.value}' END)")
