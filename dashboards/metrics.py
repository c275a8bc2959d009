# ruff: noqa: S608 - the equipment source (EQUIPMENT_SOURCE) is assembled from our constants only.
"""The statistics kept per school and school year: one definition per column.

Each metric is a count over one source, with a SQL condition on that source's rows. The same
list drives the table's columns (models.py), the refresh SQL (services.py), the sums the
dashboards and the API show (selectors.py) and the CSV/Excel exports, so adding an indicator
is one line here plus a migration.

Sources and their SQL aliases:
- "pupil":     students_enrollment e JOIN students_student s, rows of the school year; a pupil
               counts at the school of their enrollment that year. Counted in two stages: its
               conditions read the columns of PUPIL_COLUMNS (c: whether the pupil has results, physical
               records that year).
- "staff":     teachers_staffmember m, the current snapshot (staff have no school year).
- "result":    students_academicresult r of the school year, at the school that recorded it, with
               the pupil's enrollment g of that year (its grade chooses the rating scale).
- "nutrition": the latest students_physicalrecord p of each pupil in the school year.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from edu_portal.common.i18n import lazy_interpolate
from edu_portal.common.identity import VerificationStatus
from facilities.models import QuantityBasis
from facilities.selectors import taught_grades
from schools.models import SchoolLevel
from students.models import (
    PRIMARY_CONDUCT,
    PRIMARY_LEARNING,
    REPORTING_TERMS,
    SECONDARY_CONDUCT,
    SECONDARY_LEARNING,
    AgeGroup,
    ConductRating,
    EnrollmentStatus,
    HeightStatus,
    LearningRating,
    NutritionStatus,
)
from teachers.models import EmploymentStatus, Position, Qualification, QualificationStandard


@dataclass(frozen=True)
class Metric:
    name: str
    source: str
    condition: str
    label: str
    # The SQL aggregate over the source's rows of a school and year; by default the rows meeting `condition`.
    aggregate: str = ""

    @property
    def sql(self) -> str:
        return self.aggregate or f"COUNT(*) FILTER (WHERE {self.condition})"


# The date rule (issue 15: "a withdrawn pupil leaves the statistics from that date"): an enrollment
# counts at its school from `started_on` (a transfer's first day; blank = the whole year) until the
# day before `left_on`. A leaver recorded ahead of the day (left_on in the future) still studies;
# on `left_on` they have left. %(today)s is the refresh's date (services.py passes it), so the
# figures move on that day when the daily beat task "dashboards.refresh_leavers_due" refreshes them.
TODAY = "%(today)s"
# A year's pupils are counted as of its last day of teaching (30 May, before the year-end closes
# completions on 31 May: students.yearend), or today while it runs (issue 17): a past year keeps the
# pupils who completed it, and its figures no longer move with the calendar.
YEAR_LAST_DAY = (5, 30)
AS_OF = f"LEAST({TODAY}, make_date(e.school_year + 1, {YEAR_LAST_DAY[0]}, {YEAR_LAST_DAY[1]}))"
STARTED = f"(e.started_on IS NULL OR e.started_on <= {AS_OF})"
STUDYING = (f"(e.status = '{EnrollmentStatus.STUDYING.value}' OR e.left_on > {AS_OF}) AND {STARTED}")


def studying(condition: str) -> str:
    """Studying pupils meeting `condition`. PostgreSQL evaluates each aggregate's FILTER on every row, left to
    right, with no common subexpressions: the cheap test (a grade, a gender) comes first, so that the date
    rule is evaluated only on the rows it selects (issue 17: 24 million enrollments x 30 metrics)."""
    return f"{condition} AND {STUDYING}"


def has_left(status: str) -> str:
    """Enrollments closed with `status` whose day of leaving has come."""
    return f"e.status = '{status}' AND (e.left_on IS NULL OR e.left_on <= {TODAY})"


# Transfers of the school year (issue 15): "chuyển đi" counts the enrollments the school closed as
# transferred out, "chuyển đến" those a transfer opened there (_student_move sets started_on on them
# and on no other enrollment). A pupil moved twice in a year counts at each school each time.
TRANSFERRED_IN = f"e.started_on IS NOT NULL AND e.started_on <= {TODAY}"
MOVEMENT_LABELS = {EnrollmentStatus.TRANSFERRED_OUT.value: _("Chuyển đi")}
WORKING = f"m.employment_status = '{EmploymentStatus.WORKING.value}'"
# Has the pupil any result / physical record that year (columns c.has_result, c.has_physical of the pupil
# source: PUPIL_COLUMNS): hr and hp are the (pupil, year) pairs of those tables (services.py defines them, limited
# to the years refreshed), probed by index for the schools of a partial refresh. The full refresh joins instead
# the one row per (pupil, year) it stages from each table (services.py: the latest measurement, the first term's
# result), so that the enrollments are read once for every pupil metric (issue 17: a pass of its own over them,
# with a hash of 21 million physical records, took a quarter of the national refresh).
HAS_RESULT = "EXISTS (SELECT FROM hr WHERE hr.student_id = e.student_id AND hr.school_year = e.school_year)"
HAS_PHYSICAL = "EXISTS (SELECT FROM hp WHERE hp.student_id = e.student_id AND hp.school_year = e.school_year)"

GRADES = range(0, 13)
TERMS = [int(t) for t in REPORTING_TERMS]


@dataclass(frozen=True)
class Scale:
    """A rating scale and the grades it applies to. The pupil's grade that school year chooses it,
    not the school's level: a multi-level school has pupils of both."""

    key: str
    title: str
    first_grade: int
    last_grade: int
    learning: tuple[LearningRating, ...]
    conduct: tuple[ConductRating, ...]

    @property
    def grade_sql(self) -> str:
        return f"g.grade BETWEEN {self.first_grade} AND {self.last_grade}"


SCALES = (
    Scale("primary", _("Tiểu học — TT 27/2020"), 1, 5,
          tuple(r for r in LearningRating if r in PRIMARY_LEARNING),
          tuple(r for r in ConductRating if r in PRIMARY_CONDUCT)),
    Scale("secondary", _("THCS, THPT — TT 22/2021"), 6, 12,
          tuple(r for r in LearningRating if r in SECONDARY_LEARNING),
          tuple(r for r in ConductRating if r in SECONDARY_CONDUCT)),
)


def learning_metric(term: int, rating: str) -> str:
    # The two scales' learning ratings are distinct values, so the name needs no scale.
    return f"learning_{term}_{rating}"


def conduct_metric(term: int, scale: str, rating: str) -> str:
    # "tot" and "dat" are on both conduct scales (phẩm chất and rèn luyện): the name carries the scale.
    return f"conduct_{term}_{scale}_{rating}"


def grade_label(grade: int):
    """A grade's name, lazily in the reader's language (the metrics are built once, at import)."""
    return _("Mầm non") if grade == 0 else lazy_interpolate(_("Lớp %(grade)s"), {"grade": grade})


def _metrics() -> list[Metric]:
    out = [
        Metric("pupils", "pupil", STUDYING, _("Học sinh đang học")),
        Metric("pupils_female", "pupil", studying("s.gender = 'F'"), _("Học sinh nữ")),
        Metric("pupils_male", "pupil", studying("s.gender = 'M'"), _("Học sinh nam")),
    ]
    out += [Metric(f"pupils_grade_{g}", "pupil", studying(f"e.grade = {g}"),
                   grade_label(g)) for g in GRADES]
    # Preschool children by nhà trẻ / mẫu giáo group (students.preschool); pupils_age_mg_5_6 is the
    # "trẻ 5 tuổi" of universal preschool education.
    out += [Metric(f"pupils_age_{a.value}", "pupil", studying(f"e.grade = 0 AND e.age_group = '{a.value}'"),
                   a.label) for a in AgeGroup]
    out += [Metric(f"enrol_{st.value}", "pupil", has_left(st.value), MOVEMENT_LABELS.get(st.value, st.label))
            for st in EnrollmentStatus if st != EnrollmentStatus.STUDYING]
    out += [Metric("enrol_transferred_in", "pupil", TRANSFERRED_IN, _("Chuyển đến"))]
    out += [Metric(f"pupils_ver_{v.value}", "pupil", studying(f"s.verification_status = '{v.value}'"),
                   v.label) for v in VerificationStatus]
    # Pupils enrolled without a số định danh cá nhân (intake without a number, issue 16: grade-1 and
    # preschool intakes, foreign pupils); they cannot be verified until the number is added.
    out += [Metric("pupils_without_id", "pupil", studying("s.without_id"),
                   _("Học sinh chưa có số định danh"))]
    out += [
        Metric("pupils_with_result", "pupil", studying("c.has_result"), _("Có kết quả học tập")),
        Metric("pupils_with_physical", "pupil", studying("c.has_physical"), _("Có số liệu thể lực")),
        Metric("pupils_complete", "pupil", studying("c.has_physical AND c.has_result"), _("Có đủ kết quả và thể lực")),
        Metric("staff", "staff", WORKING, _("Cán bộ, giáo viên đang công tác")),
        Metric("staff_female", "staff", f"{WORKING} AND m.gender = 'F'", _("Cán bộ, giáo viên nữ")),
    ]
    out += [Metric(f"staff_{p.value}", "staff", f"{WORKING} AND m.position = '{p.value}'", p.label)
            for p in Position]
    # The training standard (Luật Giáo dục 2019 Điều 72; roadmap of Nghị định 71/2020): teachers_qualified
    # counts "meets"; the others say why the rest do not (teachers/standards.py derives the status).
    out += [Metric("teachers_qualified", "staff",
                   f"{WORKING} AND m.position = '{Position.TEACHER.value}'"
                   f" AND m.qualification_standard = '{QualificationStandard.MEETS.value}'",
                   _("Giáo viên đạt chuẩn trình độ"))]
    out += [Metric(f"teachers_{s.value}", "staff",
                   f"{WORKING} AND m.position = '{Position.TEACHER.value}' AND m.qualification_standard = '{s.value}'",
                   s.label)
            for s in (QualificationStandard.ROADMAP, QualificationStandard.EXEMPT, QualificationStandard.BELOW)]
    out += [Metric(f"staff_qual_{q.value}", "staff", f"{WORKING} AND m.qualification = '{q.value}'", q.label)
            for q in Qualification]
    out += [Metric(f"staff_ver_{v.value}", "staff", f"{WORKING} AND m.verification_status = '{v.value}'",
                   v.label) for v in VerificationStatus]
    # Each rating counted only for pupils of its scale's grades; a rating of the other scale (stored
    # before ratings followed the grade) is in neither distribution.
    for term in TERMS:
        for scale in SCALES:
            out += [Metric(learning_metric(term, r.value), "result",
                           f"r.term = {term} AND {scale.grade_sql} AND r.learning_rating = '{r.value}'", r.label)
                    for r in scale.learning]
            out += [Metric(conduct_metric(term, scale.key, r.value), "result",
                           f"r.term = {term} AND {scale.grade_sql} AND r.conduct_rating = '{r.value}'", r.label)
                    for r in scale.conduct]
    out += [Metric(f"nutrition_{n.value}", "nutrition", f"p.nutrition_status = '{n.value}'", n.label)
            for n in NutritionStatus]
    # Height-for-age (stunting); records measured before it was computed have none and are not counted.
    out += [Metric(f"height_{h.value}", "nutrition", f"p.height_status = '{h.value}'", h.label)
            for h in HeightStatus]
    return out + _facility_metrics()


def _facility_metrics() -> list[Metric]:
    """Facilities (issue 18), from the rows of the school's active sites in the school year (sites without a
    row that year are not counted: their rooms are unknown), the equipment against the minimum lists, and
    the standing under Thông tư 13/2020 (facilities.standings). The indicators are ratios of these sums
    (dashboards/facilities.py)."""
    def total(name, expr, label):
        return Metric(name, "facility", "TRUE", label, aggregate=f"SUM({expr})")

    rooms = "f.classrooms_solid + f.classrooms_semi_solid + f.classrooms_temporary + f.classrooms_borrowed"
    standing = "k.standing IN ('none', 'level_1', 'level_2')"
    return [
        Metric("fac_schools", "facility", "TRUE", _("Trường có số liệu cơ sở vật chất"), aggregate="MAX(1)"),
        Metric("fac_sites", "facility", "TRUE", _("Điểm trường có số liệu")),
        Metric("fac_sites_water", "facility", "f.water_source <> 'none'", _("Điểm trường có nước sạch")),
        Metric("fac_sites_power", "facility", "f.electricity <> 'none'", _("Điểm trường có điện")),
        Metric("fac_sites_internet", "facility", "f.internet <> 'none'", _("Điểm trường có internet")),
        total("fac_pupils", "f.pupils", _("Học sinh học tại các điểm trường")),
        total("fac_classes", "f.classes", _("Số lớp")),
        total("fac_classrooms", rooms, _("Phòng học")),
        total("fac_classrooms_solid", "f.classrooms_solid", _("Phòng học kiên cố")),
        total("fac_classrooms_semi_solid", "f.classrooms_semi_solid", _("Phòng học bán kiên cố")),
        total("fac_classrooms_temporary", "f.classrooms_temporary", _("Phòng học tạm")),
        total("fac_classrooms_borrowed", "f.classrooms_borrowed", _("Phòng học nhờ, mượn")),
        total("fac_toilets", "f.toilets_male + f.toilets_female", _("Nhà vệ sinh học sinh")),
        total("fac_toilets_standard", "f.toilets_male_standard + f.toilets_female_standard",
              _("Nhà vệ sinh học sinh đạt chuẩn")),
        total("fac_computers_pupils", "f.computers_pupils", _("Máy tính cho học sinh")),
        total("fac_computers_teaching", "f.computers_teaching", _("Máy tính dùng cho dạy học")),
        Metric("fac_equipment_required", "equipment", "TRUE", _("Thiết bị tối thiểu phải có"),
               aggregate="SUM(q.required)"),
        Metric("fac_equipment_present", "equipment", "TRUE", _("Thiết bị hiện có dùng được (trong mức tối thiểu)"),
               aggregate="SUM(LEAST(q.working, q.required))"),
        Metric("fac_std_assessed", "standing", standing, _("Trường được đánh giá theo Thông tư 13/2020")),
        Metric("fac_std_level_1", "standing", "k.standing IN ('level_1', 'level_2')",
               _("Trường đạt chuẩn cơ sở vật chất mức độ 1")),
        Metric("fac_std_level_2", "standing", "k.standing = 'level_2'", _("Trường đạt chuẩn cơ sở vật chất mức độ 2")),
    ]


METRICS: list[Metric] = _metrics()
METRIC_NAMES: list[str] = [m.name for m in METRICS]
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}

# Levels whose pupils are taught by "teachers" in the pupil-teacher ratio (all of them).
LEVELS = list(SchoolLevel)

# The pupil source is counted in two stages (issue 17): its rows (24 million enrollments a year at national size)
# are first grouped by the values its conditions read, these columns (~670,000 groups), then each metric sums the
# counts of the groups meeting its condition, so that the ~36 conditions and the date rule are evaluated once per
# group rather than once per enrollment (services.py). A pupil condition reads only these columns (services.py
# checks it), under these names.
PUPIL_COLUMNS: dict[str, dict[str, str]] = {
    "e": {"school_id": "e.school_id", "school_year": "e.school_year", "grade": "e.grade", "age_group": "e.age_group",
          "status": "e.status", "left_on": "e.left_on", "started_on": "e.started_on"},
    # Only whether the pupil has a số định danh: the number itself would make each pupil a group of one.
    "s": {"gender": "s.gender", "verification_status": "s.verification_status", "without_id": "s.id_number IS NULL"},
    # The full refresh replaces these by its staged joins (services.py).
    "c": {"has_result": HAS_RESULT, "has_physical": HAS_PHYSICAL},
}

# Where each source's rows come from, and whether they are counted per school year.
SOURCES: dict[str, dict] = {
    "pupil": {"alias": "e", "by_year": True,
              "from": "students_enrollment e JOIN students_student s ON s.id = e.student_id"},
    "staff": {"alias": "m", "by_year": False, "from": "teachers_staffmember m"},
    # One open enrollment per pupil and year (a partial unique index; a transfer leaves the sending
    # school's row closed as transferred out): the join adds the grade, never a row.
    # `joined_by_year`: tables joined on the year, limited to the refreshed years too (PostgreSQL does not carry
    # `= ANY(...)` across the join: it probed the year's results with every year's enrollments).
    "result": {"alias": "r", "by_year": True, "joined_by_year": ("g",),
               "from": "students_academicresult r JOIN students_enrollment g"
                       " ON g.student_id = r.student_id AND g.school_year = r.school_year"
                       " AND g.status <> 'transferred_out'"},
    "nutrition": {"alias": "p", "by_year": True, "from": "students_physicalrecord p"},  # NUTRITION_LATEST
    # The rows of the school's active sites (facilities.selectors.facilities_by_school reads the same).
    "facility": {"alias": "f", "by_year": True,
                 "from": "facilities_sitefacilities f JOIN facilities_site st ON st.id = f.site_id AND st.active"},
    # One row per school, year and catalogue item of the grades it teaches (EQUIPMENT_SOURCE).
    "equipment": {"alias": "q", "by_year": True, "from": None},
    "standing": {"alias": "k", "by_year": True, "from": "facilities_schoolstanding k"},
}
# A pupil measured several times in a year counts once, with the latest measurement: the record with no
# later one (measured_on, then id) among all the pupil's records of that year (whatever school took them, so
# that a school's refresh and the full refresh agree; {where} may narrow p1 further). An anti-join, planned as a parallel hash anti-join; DISTINCT ON sorted 21 million records and
# merged them in one process (issue 17).
NUTRITION_LATEST = ("NOT EXISTS (SELECT FROM students_physicalrecord p1"
                    " WHERE p1.student_id = p.student_id AND p1.school_year = p.school_year"
                    " AND (p1.measured_on, p1.id) > (p.measured_on, p.id) {where})")



def _equipment_source() -> str:
    """Per school, year and catalogue item of its grades: the quantity required and the working quantity held,
    as facilities.selectors.equipment_completeness computes them (required_quantity): per school the
    item's minimum; per grade the minimum times the grades of the item's range the school teaches; per class
    the minimum times ceil(max(classes, grades taught) x grades covered / grades taught), classes being the
    sum over the active sites' rows of the year. Counted for the (school, year) pairs with an active site's
    row or a holding (a school that recorded nothing that year is not "0 % equipped": it has no data)."""
    levels = ", ".join(f"('{level.value}', {min(g)}, {max(g)}, {len(g)})"
                       for level in SchoolLevel for g in [taught_grades(level.value)])
    covered = "(LEAST(i.grade_to, lv.gmax) - GREATEST(i.grade_from, lv.gmin) + 1)"
    return (
        "(SELECT sy.school_id, sy.school_year, CASE i.per"
        f" WHEN '{QuantityBasis.PER_SCHOOL.value}' THEN i.min_quantity"
        f" WHEN '{QuantityBasis.PER_GRADE.value}' THEN i.min_quantity * {covered}"
        f" ELSE i.min_quantity * ((GREATEST(sy.classes, lv.n) * {covered} + lv.n - 1) / lv.n) END AS required,"
        " COALESCE(h.working, 0) AS working"
        " FROM (SELECT school_id, school_year, SUM(classes) AS classes FROM ("
        "  SELECT f0.school_id, f0.school_year, f0.classes FROM facilities_sitefacilities f0"
        "  JOIN facilities_site s0 ON s0.id = f0.site_id AND s0.active"
        "  UNION ALL SELECT h0.school_id, h0.school_year, 0 FROM facilities_equipmentholding h0) x"
        "  GROUP BY school_id, school_year) sy"
        " JOIN schools_school sc0 ON sc0.id = sy.school_id"
        f" JOIN (VALUES {levels}) lv(level, gmin, gmax, n) ON lv.level = sc0.level"
        " JOIN facilities_equipmentitem i ON i.grade_from <= lv.gmax AND i.grade_to >= lv.gmin"
        " LEFT JOIN facilities_equipmentholding h ON h.school_id = sy.school_id AND h.school_year = sy.school_year"
        " AND h.item_id = i.id) q")


EQUIPMENT_SOURCE = _equipment_source()

# Pupils who came and went during the year, in the order the pages show them (the school's page, the
# indicators, the area tables): transfers first, then the leavers by why they left.
MOVEMENT_METRICS: list[str] = ["enrol_transferred_in", "enrol_transferred_out"] + [
    f"enrol_{st.value}" for st in EnrollmentStatus
    if st not in (EnrollmentStatus.STUDYING, EnrollmentStatus.TRANSFERRED_OUT)]
