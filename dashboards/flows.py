# ruff: noqa: S608 - the SQL below is assembled from constants only; values are query parameters.
"""Flows of pupils between school years, measured on the records (issue 17).

UNESCO reconstructs cohorts from two years' aggregates (enrolment by grade and repeaters); we hold
each pupil's enrollment of every year, so each flow is counted, not estimated. A pupil's year is
their enrollment that year other than one closed by a transfer (one per pupil and year: the partial
unique index of students_enrollment), at the school where they ended it. Compared with the same
pupil's enrollment of the next year, it falls in exactly one of:

    promoted   enrolled the next year in a higher grade (at any school: transition included)
    repeated   enrolled the next year in the same grade (lưu ban)
    completed  closed as having completed the level (or graduated) and not enrolled the next year
    dropped    not enrolled the next year without having completed: closed as dropped out, or left
               studying and never re-enrolled anywhere in the country
    other      enrolled the next year in a lower grade (a correction of the records)

`base` is their sum: the pupils of the grade that year, less those who died or moved abroad (they
leave the population, as UNESCO leaves out mortality). `entrants` counts pupils with no enrollment
the year before (new to the country's records) and `from_preschool` those whose enrollment the
year before was preschool: together, grade 1's new entrants.

The counts are stored per school, school year, grade, gender and age (FlowStats) by the statistics
refresh (services.py), and rates are computed from sums at any level (selectors_flows.py).

The same rows carry the numerators of the enrolment ratios (selectors_coverage.py): `enrolled`
counts every pupil of the year (each once: their enrollment not closed by a transfer, whatever the
year's outcome, death and dropout included, since they were enrolled), and `age` is the pupil's age
by year of birth (school year - year of birth), the way school ages are counted (Luật Giáo dục 2019,
Điều 28: grade 1 at 6). The denominators are the registry's population (geo.PopulationCount).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from students.models import EnrollmentStatus

COUNTS = ("base", "promoted", "repeated", "completed", "dropped", "other", "entrants", "from_preschool")

# The grades of each level of education (Luật Giáo dục 2019, Điều 28-29), and the grade whose
# completion is the level's (the transition from it is to the next level's first grade).
LEVEL_GRADES = {"primary": (1, 5), "lower_secondary": (6, 9), "upper_secondary": (10, 12)}
LEVEL_LABELS = {"primary": _("Tiểu học"), "lower_secondary": _("Trung học cơ sở"),
                "upper_secondary": _("Trung học phổ thông")}

_BASE = (f"e.status IN ('{EnrollmentStatus.STUDYING.value}', '{EnrollmentStatus.DROPPED_OUT.value}', "
         f"'{EnrollmentStatus.COMPLETED.value}')")
_CONDITIONS = {
    "base": _BASE,
    "promoted": f"{_BASE} AND n.grade > e.grade",
    "repeated": f"{_BASE} AND n.grade = e.grade",
    "completed": f"{_BASE} AND n.student_id IS NULL AND e.status = '{EnrollmentStatus.COMPLETED.value}'",
    "dropped": f"{_BASE} AND n.student_id IS NULL AND e.status <> '{EnrollmentStatus.COMPLETED.value}'",
    "other": f"{_BASE} AND n.grade < e.grade",
    "entrants": "pv.student_id IS NULL",
    "from_preschool": "pv.grade = 0",
}
_OPEN = f"status <> '{EnrollmentStatus.TRANSFERRED_OUT.value}'"
# Official school ages of each level, by year of birth (Luật Giáo dục 2019, Điều 28-29).
LEVEL_AGES = {"primary": (6, 10), "lower_secondary": (11, 14), "upper_secondary": (15, 17)}
GRADE_ONE_AGE = 6
_AGE = "(e.school_year - EXTRACT(YEAR FROM s.date_of_birth))::int"


def refresh_sql(*, only_schools: bool) -> str:
    """Delete and recompute the flow rows (of the schools `%(ids)s` when `only_schools`). A pupil's
    flow out of a school depends on where they went, so a partial refresh of the receiving school
    leaves the sending school's row to the next full refresh (nightly, beat)."""
    where = "AND e.school_id = ANY(%(ids)s)" if only_schools else ""
    delete = "DELETE FROM dashboards_flowstats" + (" WHERE school_id = ANY(%(ids)s)" if only_schools else "")
    counts = ",\n  ".join(f"COUNT(*) FILTER (WHERE {_CONDITIONS[c]})" for c in COUNTS)
    return f"""{delete};
INSERT INTO dashboards_flowstats (school_id, school_year, province_id, commune_id, level, ownership, grade, gender,
                                  age, {", ".join(COUNTS)}, enrolled, computed_at)
SELECT e.school_id, e.school_year, sc.province_id, sc.commune_id, sc.level, sc.ownership, e.grade, s.gender,
  {_AGE}, {counts}, COUNT(*), now()
FROM students_enrollment e
JOIN students_student s ON s.id = e.student_id
JOIN schools_school sc ON sc.id = e.school_id
LEFT JOIN students_enrollment n ON n.student_id = e.student_id AND n.school_year = e.school_year + 1 AND n.{_OPEN}
LEFT JOIN students_enrollment pv ON pv.student_id = e.student_id AND pv.school_year = e.school_year - 1
     AND pv.{_OPEN}
WHERE e.{_OPEN} AND e.grade >= 1 {where}
GROUP BY e.school_id, e.school_year, sc.province_id, sc.commune_id, sc.level, sc.ownership, e.grade, s.gender,
  {_AGE}"""


@dataclass(frozen=True)
class Definition:
    """What an indicator means, shown beside it (both languages through gettext)."""

    key: str
    label: str
    formula: str
    numerator: str
    denominator: str
    source: str | None = None  # None: the records (SOURCE)


SOURCE = _("Hồ sơ từng học sinh của CSDL ngành: lớp của năm học này so với lớp của năm học sau, "
           "ở bất kỳ trường nào trong cả nước.")

DEFINITIONS = (
    Definition("promotion_pct", _("Tỉ lệ lên lớp (%)"), _("lên lớp ÷ học sinh của khối × 100"),
               _("Học sinh năm sau học khối cao hơn (ở bất kỳ trường nào)"),
               _("Học sinh của khối năm học này (trừ học sinh đã mất, chuyển ra nước ngoài)")),
    Definition("repetition_pct", _("Tỉ lệ lưu ban (%)"), _("lưu ban ÷ học sinh của khối × 100"),
               _("Học sinh năm sau học lại khối đó"),
               _("Học sinh của khối năm học này (trừ học sinh đã mất, chuyển ra nước ngoài)")),
    Definition("dropout_pct", _("Tỉ lệ bỏ học (%)"), _("bỏ học ÷ học sinh của khối × 100"),
               _("Học sinh bỏ học trong năm, hoặc không nhập học ở đâu năm sau mà chưa hoàn thành cấp học"),
               _("Học sinh của khối năm học này (trừ học sinh đã mất, chuyển ra nước ngoài)")),
    Definition("transition_pct", _("Tỉ lệ chuyển cấp (%)"),
               _("học sinh lớp cuối cấp học lên lớp đầu cấp sau ÷ học sinh lớp cuối cấp × 100"),
               _("Học sinh lớp 5 (lớp 9) năm sau học lớp 6 (lớp 10), ở bất kỳ trường nào"),
               _("Học sinh lớp 5 (lớp 9) năm học này")),
    Definition("survival_pct", _("Tỉ lệ đi học đến lớp cuối cấp (%)"),
               _("tích các tỉ lệ lên lớp ÷ (1 − tỉ lệ lưu ban) từ lớp đầu đến lớp trước lớp cuối cấp × 100 "
                 "(nhóm học sinh giả định theo UNESCO)"),
               _("Học sinh của một nhóm vào lớp đầu cấp sẽ học đến lớp cuối cấp, kể cả sau khi lưu ban"),
               _("Học sinh vào lớp đầu cấp (nhóm giả định) với các tỉ lệ của năm học này")),
    Definition("completion_pct", _("Tỉ lệ hoàn thành cấp học (%)"),
               _("tỉ lệ đi học đến lớp cuối cấp × tỉ lệ hoàn thành lớp cuối cấp (lên lớp hoặc hoàn thành) ÷ "
                 "(1 − tỉ lệ lưu ban lớp cuối cấp)"),
               _("Học sinh của nhóm giả định hoàn thành cấp học"),
               _("Học sinh vào lớp đầu cấp (nhóm giả định) với các tỉ lệ của năm học này")),
    Definition("new_entrants", _("Học sinh mới vào lớp 1"), _("học sinh lớp 1 không học lớp 1 năm trước"),
               _("Học sinh lớp 1 năm học này, năm trước học mẫu giáo hoặc chưa có hồ sơ"), "—"),
    Definition("preschool_pct", _("Học sinh vào lớp 1 đã học mẫu giáo (%)"),
               _("học sinh mới vào lớp 1 năm trước học mẫu giáo ÷ học sinh mới vào lớp 1 × 100"),
               _("Học sinh mới vào lớp 1, năm trước học mẫu giáo"), _("Học sinh mới vào lớp 1")),
)
# The enrolment ratios (UNESCO UIS definitions), by level: the population comes from the registry.
POPULATION_SOURCE = _("Cơ sở dữ liệu quốc gia về dân cư (thống kê dân số theo độ tuổi, xã); học sinh: hồ sơ từng "
                      "học sinh của CSDL ngành, mọi loại hình trường.")
COVERAGE_DEFINITIONS = (
    Definition("ger", _("Tỉ lệ nhập học chung (%)"),
               _("học sinh của cấp học (mọi độ tuổi) ÷ dân số trong độ tuổi của cấp học × 100"),
               _("Học sinh học các lớp của cấp học trong năm học, ở mọi độ tuổi (lớp 1-5, 6-9, 10-12)"),
               _("Dân số trong độ tuổi của cấp học sống trên địa bàn (6-10, 11-14, 15-17 tuổi tính theo năm sinh)"),
               POPULATION_SOURCE),
    Definition("ner", _("Tỉ lệ nhập học đúng tuổi (%)"),
               _("học sinh đúng độ tuổi của cấp học đang học cấp học đó ÷ dân số trong độ tuổi của cấp học × 100"),
               _("Học sinh 6-10 tuổi học tiểu học (11-14 tuổi học THCS, 15-17 tuổi học THPT)"),
               _("Dân số trong độ tuổi của cấp học sống trên địa bàn"), POPULATION_SOURCE),
    Definition("gir", _("Tỉ lệ nhập học lớp 1 (%)"),
               _("học sinh mới vào lớp 1 (mọi độ tuổi) ÷ dân số 6 tuổi × 100"),
               _("Học sinh lớp 1 năm học này, năm trước học mẫu giáo hoặc chưa có hồ sơ (không kể lưu ban)"),
               _("Dân số 6 tuổi (tính theo năm sinh) sống trên địa bàn"), POPULATION_SOURCE),
    Definition("gpi", _("Chỉ số bình đẳng giới của tỉ lệ nhập học chung"),
               _("tỉ lệ nhập học chung của nữ ÷ tỉ lệ nhập học chung của nam"),
               _("Tỉ lệ nhập học chung của học sinh nữ"), _("Tỉ lệ nhập học chung của học sinh nam"),
               POPULATION_SOURCE),
)
DEFINITIONS = DEFINITIONS + COVERAGE_DEFINITIONS
DEFINITION_BY_KEY = {d.key: d for d in DEFINITIONS}
