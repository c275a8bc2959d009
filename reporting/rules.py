# ruff: noqa: S608 - the rules are constants of this module; every value is a query parameter.
"""Validation rules of a reporting period (issue 19): declarative, bilingual, set-based.

Each rule is one SQL query over the records of the schools being checked (`%(schools)s`, the period's year
`%(year)s`) returning the items that fail it: (school_id, item, value, limit). A rule names the data it checks
(a domain of the period: a period that does not ask for physical measurements does not check them), says
whether it blocks submission, and describes a failing item from its data in the reader's language (the
results keep data, not sentences). Limits cite their rule:

- class size: Thông tư 28/2020/TT-BGDĐT (Điều lệ trường tiểu học) art. 8: at most 35 pupils a class; Thông tư
  32/2020/TT-BGDĐT (Điều lệ trường THCS, THPT) art. 15: at most 45; preschool: Thông tư 52/2020 art. 14, the
  largest group (5-6 years) 35.
- over age: more than 3 years older than the grade's age (6 in grade 1), as MOET's over-age indicator counts
  pupils "quá tuổi" (a pupil 2 years over is common after repetition; 3+ is worth a look).
- pupil-teacher ratio: outside 5-40 pupils per working teacher (the national ratio is ~18 in primary and ~16 in
  secondary; outside this range the staff or the pupils are most likely incomplete).
- implausible measurements: WHO's flags for implausible z-scores (BMI-for-age below -5 or above +5,
  height-for-age below -6 or above +6; WHO Anthro/AnthroPlus "flagged" values).
- year on year: the pupils studying changed by more than 30% from last year at a school of 20+ pupils.
- outlier: the school's pupils per class more than 3 standard deviations from the OTHER schools of its level in
  its province (z-score; at least 10 other schools). Leave-one-out, because a school counted in its own mean and
  deviation can never stand out: one value among n lies at most (n-1)/sqrt(n) deviations from their mean, under
  3 for any province level of 10 schools or fewer, however extreme it is.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STUDYING = "e.status = 'studying'"


@dataclass(frozen=True)
class Rule:
    code: str
    domain: str
    blocking: bool
    title: str
    # How one failing item reads: formatted with item, value and limit.
    item_text: str
    sql: str


RULES: tuple[Rule, ...] = (
    Rule("class_size", "enrollment", True, _("Sĩ số lớp vượt mức tối đa"),
         _("Lớp %(item)s có %(value)s học sinh (tối đa %(limit)s)."),
         f"""SELECT e.school_id, e.class_name AS item, count(*) AS value,
                    CASE WHEN max(e.grade) BETWEEN 6 AND 12 THEN 45 ELSE 35 END AS limit_
             FROM students_enrollment e
             WHERE e.school_id = ANY(%(schools)s) AND e.school_year = %(year)s AND {STUDYING}
             GROUP BY e.school_id, e.class_name
             HAVING count(*) > CASE WHEN max(e.grade) BETWEEN 6 AND 12 THEN 45 ELSE 35 END"""),
    Rule("over_age", "enrollment", False, _("Học sinh quá tuổi so với lớp"),
         _("Khối %(item)s: %(value)s học sinh lớn hơn tuổi của khối quá %(limit)s năm."),
         f"""SELECT e.school_id, e.grade::text AS item, count(*) AS value, 3 AS limit_
             FROM students_enrollment e JOIN students_student s ON s.id = e.student_id
             WHERE e.school_id = ANY(%(schools)s) AND e.school_year = %(year)s AND {STUDYING} AND e.grade >= 1
               AND %(year)s - extract(year FROM s.date_of_birth) - (e.grade + 5) > 3
             GROUP BY e.school_id, e.grade"""),
    Rule("pupil_teacher_ratio", "staff", False, _("Tỷ lệ học sinh/giáo viên bất thường"),
         _("%(value)s học sinh mỗi giáo viên (ngoài khoảng %(limit)s)."),
         f"""SELECT p.school_id, '' AS item,
                    CASE WHEN t.n > 0 THEN round(p.n::numeric / t.n, 1) END AS value, '5-40' AS limit_
             FROM (SELECT e.school_id, count(*) AS n FROM students_enrollment e
                   WHERE e.school_id = ANY(%(schools)s) AND e.school_year = %(year)s AND {STUDYING}
                   GROUP BY 1) p
             LEFT JOIN (SELECT school_id, count(*) AS n FROM teachers_staffmember
                        WHERE school_id = ANY(%(schools)s) AND employment_status = 'working' AND position = 'teacher'
                        GROUP BY 1) t ON t.school_id = p.school_id
             WHERE t.n IS NULL OR p.n::numeric / t.n NOT BETWEEN 5 AND 40"""),
    Rule("implausible_measurement", "physical", True, _("Số đo thể lực không thể có"),
         _("%(value)s số đo có chỉ số z ngoài ngưỡng WHO (BMI theo tuổi ±%(limit)s, chiều cao theo tuổi ±6)."),
         """SELECT school_id, '' AS item, count(*) AS value, 5 AS limit_
            FROM students_physicalrecord
            WHERE school_id = ANY(%(schools)s) AND school_year = %(year)s
              AND (abs(bmi_z_score) > 5 OR abs(height_z_score) > 6)
            GROUP BY school_id"""),
    Rule("year_on_year", "enrollment", False, _("Số học sinh thay đổi lớn so với năm trước"),
         _("%(item)s → %(value)s học sinh (thay đổi quá %(limit)s%%)."),
         """SELECT e.school_id, (count(*) FILTER (WHERE e.school_year = %(year)s - 1))::text AS item,
                    count(*) FILTER (WHERE e.school_year = %(year)s) AS value, 30 AS limit_
             FROM students_enrollment e
             WHERE e.school_id = ANY(%(schools)s) AND e.school_year IN (%(year)s, %(year)s - 1)
               AND (e.status <> 'transferred_out')
             GROUP BY e.school_id
             HAVING count(*) FILTER (WHERE e.school_year = %(year)s - 1) >= 20
                AND abs(count(*) FILTER (WHERE e.school_year = %(year)s)
                        - count(*) FILTER (WHERE e.school_year = %(year)s - 1))
                    > 0.3 * count(*) FILTER (WHERE e.school_year = %(year)s - 1)"""),
    Rule("outlier_class_size", "enrollment", False, _("Sĩ số bình quân khác thường so với các trường cùng cấp"),
         _("%(value)s học sinh mỗi lớp, chỉ số z %(item)s (ngưỡng ±%(limit)s)."),
         f"""WITH mine AS (SELECT sc.id, sc.province_id, sc.level FROM schools_school sc WHERE sc.id = ANY(%(schools)s)),
             peers AS (SELECT sc.id, sc.province_id, sc.level, count(*)::numeric / count(DISTINCT e.class_name) AS per_class
                       FROM schools_school sc JOIN students_enrollment e ON e.school_id = sc.id
                       WHERE (sc.province_id, sc.level) IN (SELECT province_id, level FROM mine)
                         AND e.school_year = %(year)s AND {STUDYING}
                       GROUP BY sc.id),
             spread AS (SELECT province_id, level, sum(per_class) AS s1, sum(per_class * per_class) AS s2,
                               count(*) AS n
                        FROM peers GROUP BY 1, 2),
             others AS (SELECT p.id, p.per_class, (s.s1 - p.per_class) / (s.n - 1) AS mean,
                               sqrt(greatest((s.s2 - p.per_class * p.per_class
                                              - (s.s1 - p.per_class) ^ 2 / (s.n - 1)) / (s.n - 2), 0)) AS sd
                        FROM peers p JOIN spread s USING (province_id, level)
                        WHERE p.id = ANY(%(schools)s) AND s.n - 1 >= 10)
             SELECT id AS school_id, round((per_class - mean) / sd, 1)::text AS item,
                    round(per_class, 1) AS value, 3 AS limit_
             FROM others WHERE sd > 0 AND abs(per_class - mean) > 3 * sd"""),
)
BY_CODE = {r.code: r for r in RULES}


def describe(code: str, item: str, value, limit) -> str:
    """One failing item in the reader's language."""
    rule = BY_CODE.get(code)
    if rule is None:
        return str(item)
    return str(rule.item_text) % {"item": item, "value": value, "limit": limit}
