"""The training standard of teachers and the roadmap to reach it, in one place.

- Luật Giáo dục 2019, Điều 72, khoản 1: a preschool teacher holds a pedagogy college degree (cao đẳng sư
  phạm giáo dục mầm non) or higher; a primary, lower or upper secondary teacher holds a bachelor's degree in
  teacher training (cử nhân ngành đào tạo giáo viên), or a bachelor's in the relevant field plus a pedagogy
  certificate (chứng chỉ bồi dưỡng nghiệp vụ sư phạm). A master's or doctorate counts as a bachelor's or more.
- Nghị định 71/2020/NĐ-CP (in force 1/8/2020): preschool, primary and lower secondary teachers below the
  standard are upgraded on a roadmap ending 31/12/2030, except those whose remaining working time to
  retirement, counted from 1/8/2020, is shorter than the decree's threshold (ROADMAP_MIN_MONTHS): they are
  "không thuộc diện nâng chuẩn" (EXEMPT). After the roadmap's end a teacher still below the standard is BELOW.
  Upper secondary is not in the decree (the bachelor's was already required before 2019): BELOW at once.
- Retirement age: Bộ luật Lao động 2019 Điều 169 and Nghị định 135/2020/NĐ-CP: men 60 years 3 months in
  2021, +3 months a year up to 62 (2028); women 55 years 4 months in 2021, +4 months a year up to 60 (2035);
  60 and 55 before 2021. Simplified: the date the age is reached (the decree counts to the end of that
  month), normal working conditions only (no early retirement for hard or remote work).

Principals and vice principals are nhà giáo too (their own standards require the teachers' training
standard), so they are assessed; other staff (nhân viên) are NOT_TEACHER.

`qualification_standard()` assesses one person (services, upload rows, the demo seed);
`qualification_standard_sql()` assesses many rows in one statement (data migration). Both read the same
tables below and decide exemption by the same cut-off birth dates (`exempt_born_before`); a test checks
they agree.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from edu_portal.common.models import Gender
from schools.models import SchoolLevel

from .models import Position, Qualification, QualificationStandard, TrainingField

_RANK = {Qualification.BELOW_COLLEGE: 0, Qualification.COLLEGE: 1, Qualification.BACHELOR: 2,
         Qualification.MASTER: 3, Qualification.DOCTOR: 4}
_REQUIRED = {SchoolLevel.PRESCHOOL: Qualification.COLLEGE}  # the others: Qualification.BACHELOR
# Where a bachelor's outside teacher training plus the pedagogy certificate is enough (Điều 72, khoản 1, điểm b);
# for preschool only a pedagogy degree counts (điểm a).
_CERTIFICATE_LEVELS = {SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY}
# The level whose rule applies. A multi-level school: the model holds no level per teacher, so the school's
# highest level decides; the degree rule is the same for primary, lower and upper secondary, only the roadmap
# differs, and a teacher of a multi-level school may teach its upper secondary grades, which have no roadmap
# (the strict reading). A continuing-education centre teaches the upper secondary programme.
_RULE_LEVEL = {SchoolLevel.MULTI_LEVEL: SchoolLevel.UPPER_SECONDARY,
               SchoolLevel.CONTINUING: SchoolLevel.UPPER_SECONDARY}
ASSESSED_POSITIONS = (Position.TEACHER, Position.PRINCIPAL, Position.VICE_PRINCIPAL)

DECREE_71_IN_FORCE = dt.date(2020, 8, 1)
# Nghị định 71/2020, Điều 3: on the roadmap only with at least this many months of work left to retirement
# on 1/8/2020 ("còn đủ 07 năm công tác (84 tháng)"; primary teachers with a secondary-level diploma: "còn đủ
# 09 năm (108 tháng)"). Per level: (months for any qualification, {qualification: months where different}).
ROADMAP_MIN_MONTHS = {
    SchoolLevel.PRESCHOOL: (84, {}),
    SchoolLevel.PRIMARY: (84, {Qualification.BELOW_COLLEGE: 108}),
    SchoolLevel.LOWER_SECONDARY: (84, {}),
}
# Nghị định 71/2020, Điều 4: the roadmap's last day per level.
ROADMAP_END = {
    SchoolLevel.PRESCHOOL: dt.date(2030, 12, 31),
    SchoolLevel.PRIMARY: dt.date(2030, 12, 31),
    SchoolLevel.LOWER_SECONDARY: dt.date(2030, 12, 31),
}


def rule_level(school_level: str) -> str:
    return _RULE_LEVEL.get(school_level, school_level)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retirement_age_months(gender: str, year: int) -> int:
    """Nghị định 135/2020, Điều 4: the retirement age of those who reach it in `year`, in months."""
    if gender == Gender.MALE:
        return 60 * 12 + min(max(year - 2020, 0) * 3, 24)
    return 55 * 12 + min(max(year - 2020, 0) * 4, 60)


def retirement_date(date_of_birth: dt.date, gender: str) -> dt.date:
    """When the retirement age of the year it is reached is reached (Nghị định 135/2020, Phụ lục I)."""
    year = date_of_birth.year + 55
    while True:
        day = add_months(date_of_birth, retirement_age_months(gender, year))
        if day.year <= year:
            return day
        year += 1


@lru_cache(maxsize=64)
def exempt_born_before(gender: str, months: int) -> dt.date:
    """The first birth date with at least `months` of work left on 1/8/2020: anyone born earlier is exempt.
    (The retirement date never decreases with the birth date, so one cut-off per gender and threshold.)"""
    cutoff = add_months(DECREE_71_IN_FORCE, months)
    low, high = dt.date(1900, 1, 1).toordinal(), DECREE_71_IN_FORCE.toordinal()
    while low < high:
        middle = (low + high) // 2
        if retirement_date(dt.date.fromordinal(middle), gender) >= cutoff:
            high = middle
        else:
            low = middle + 1
    return dt.date.fromordinal(low)


def _roadmap_months(level: str, qualification: str) -> int | None:
    if level not in ROADMAP_MIN_MONTHS:
        return None
    default, by_qualification = ROADMAP_MIN_MONTHS[level]
    return by_qualification.get(qualification, default)


def _qualified(level: str) -> list[str]:
    required = _RANK[_REQUIRED.get(level, Qualification.BACHELOR)]
    return [q.value for q, rank in _RANK.items() if rank >= required]


def meets_standard(*, school_level: str, qualification: str, training_field: str,
                   pedagogy_certificate: bool) -> bool:
    """Luật Giáo dục 2019, Điều 72, khoản 1."""
    level = rule_level(school_level)
    if qualification not in _qualified(level):
        return False
    return training_field == TrainingField.TEACHER_TRAINING or (
        bool(pedagogy_certificate) and level in _CERTIFICATE_LEVELS)


def qualification_standard(*, school_level: str | None, position: str, qualification: str, training_field: str,
                           pedagogy_certificate: bool, date_of_birth: dt.date | None, gender: str | None,
                           on: dt.date) -> str:
    """The standard of one staff member on the day `on` (a QualificationStandard value)."""
    if position not in ASSESSED_POSITIONS:
        return QualificationStandard.NOT_TEACHER.value
    if school_level and meets_standard(school_level=school_level, qualification=qualification,
                                       training_field=training_field, pedagogy_certificate=pedagogy_certificate):
        return QualificationStandard.MEETS.value
    level = rule_level(school_level or "")
    months = _roadmap_months(level, qualification)
    if months is None:
        return QualificationStandard.BELOW.value
    if date_of_birth is not None and gender in Gender.values and date_of_birth < exempt_born_before(gender, months):
        return QualificationStandard.EXEMPT.value
    return (QualificationStandard.ROADMAP if on <= ROADMAP_END[level] else QualificationStandard.BELOW).value


def qualification_standard_sql(*, on: dt.date, level: str = "sc.level", staff: str = "m") -> str:
    """The same rule as a SQL CASE over a staff row (alias `staff`) and its school's level (`level`).
    Only literals from the tables above go into the text: no value from a user."""
    m = staff

    def values(items) -> str:
        return ", ".join(f"'{v}'" for v in items)

    meets, exempt, open_levels = [], [], []
    for school_level in SchoolLevel.values:
        level_rule = rule_level(school_level)
        field = f"{m}.training_field = '{TrainingField.TEACHER_TRAINING.value}'"
        if level_rule in _CERTIFICATE_LEVELS:
            field = f"({field} OR {m}.pedagogy_certificate)"
        meets.append(f"({level} = '{school_level}' AND {m}.qualification IN ({values(_qualified(level_rule))})"
                     f" AND {field})")
        if level_rule not in ROADMAP_MIN_MONTHS:
            continue
        for qualification in Qualification.values:
            months = _roadmap_months(level_rule, qualification)
            for gender in Gender.values:
                exempt.append(f"({level} = '{school_level}' AND {m}.qualification = '{qualification}'"
                              f" AND {m}.gender = '{gender}'"
                              f" AND {m}.date_of_birth < '{exempt_born_before(gender, months).isoformat()}')")
        if on <= ROADMAP_END[level_rule]:
            open_levels.append(school_level)
    roadmap = (f" WHEN {level} IN ({values(open_levels)}) THEN '{QualificationStandard.ROADMAP.value}'"
               if open_levels else "")
    return (f"CASE WHEN {m}.position NOT IN ({values(p.value for p in ASSESSED_POSITIONS)})"
            f" THEN '{QualificationStandard.NOT_TEACHER.value}'"
            f" WHEN {' OR '.join(meets)} THEN '{QualificationStandard.MEETS.value}'"
            f" WHEN {' OR '.join(exempt)} THEN '{QualificationStandard.EXEMPT.value}'"
            f"{roadmap} ELSE '{QualificationStandard.BELOW.value}' END")
