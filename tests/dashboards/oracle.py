"""An independent computation of every statistic, by walking the raw rows in Python.

It shares nothing with the refresh SQL but the definitions written in the issue, so a wrong
condition in dashboards/metrics.py shows up as a difference.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.utils import timezone

from students.models import OPEN_ENROLLMENT, AcademicResult, Enrollment, PhysicalRecord
from teachers.models import StaffMember

# The circulars' scales, written out here rather than taken from the code under test.
PRIMARY_LEARNING_VALUES = {"hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "chua_hoan_thanh"}
SECONDARY_LEARNING_VALUES = {"tot", "kha", "dat", "chua_dat"}
PRIMARY_CONDUCT_VALUES = {"tot", "dat", "can_co_gang"}
SECONDARY_CONDUCT_VALUES = {"tot", "kha", "dat", "chua_dat"}


def preschool_group(born, year: int) -> str:
    """Mẫu giáo by year of birth (5-6 tuổi: born in year-5), nhà trẻ by completed months on 5 September."""
    if year - born.year >= 3:
        return f"mg_{year - born.year}_{year - born.year + 1}"
    months = (year - born.year) * 12 + 9 - born.month - (5 < born.day)
    return "nt_3_12" if months <= 12 else "nt_13_24" if months <= 24 else "nt_25_36"


def oracle(year: int) -> tuple[dict[int, Counter], dict[int, Counter], dict[int, Counter]]:
    """(per school: Counter of metric -> count, pupil mismatch fields, staff mismatch fields)."""
    rows: dict[int, Counter] = defaultdict(Counter)
    pupil_mm: dict[int, Counter] = defaultdict(Counter)
    staff_mm: dict[int, Counter] = defaultdict(Counter)
    with_result = set(AcademicResult.objects.filter(school_year=year).values_list("student_id", flat=True))
    with_physical = set(PhysicalRecord.objects.filter(school_year=year).values_list("student_id", flat=True))
    today = timezone.localdate()
    # Issue 17: a year's pupils as of its last day of teaching (30 May of the next calendar year), or today.
    as_of = min(today, dt.date(year + 1, 5, 30))
    for e in Enrollment.objects.filter(school_year=year).select_related("student"):
        row, s = rows[e.school_id], e.student
        # Issue 15: a transfer's enrollment counts as "chuyển đến" and from its first day; a leaver
        # counts as studying until the day before left_on, as a leaver from that day.
        if e.started_on is not None and e.started_on <= today:
            row["enrol_transferred_in"] += 1
        if e.started_on is not None and e.started_on > today:
            continue
        if e.status != "studying" and (e.left_on is None or e.left_on <= today):
            row[f"enrol_{e.status}"] += 1
        studying = e.status == "studying" or (e.left_on is not None and e.left_on > as_of)
        if not studying or (e.started_on is not None and e.started_on > as_of):
            continue
        row["pupils"] += 1
        row["pupils_female" if s.gender == "F" else "pupils_male"] += 1
        row[f"pupils_grade_{e.grade}"] += 1
        if e.grade == 0:
            row[f"pupils_age_{preschool_group(s.date_of_birth, year)}"] += 1
        row[f"pupils_ver_{s.verification_status}"] += 1
        row["pupils_with_result"] += s.pk in with_result
        row["pupils_with_physical"] += s.pk in with_physical
        row["pupils_complete"] += s.pk in with_result and s.pk in with_physical
        row["pupils_without_id"] += not s.id_number  # issue 16: intake without a number
        if s.verification_status == "mismatch":
            pupil_mm[e.school_id].update(s.verification_mismatch_fields)
    for m in StaffMember.objects.filter(employment_status="working"):
        row = rows[m.school_id]
        row["staff"] += 1
        row["staff_female"] += m.gender == "F"
        row[f"staff_{m.position}"] += 1
        row["teachers_qualified"] += m.position == "teacher" and m.meets_qualification_standard
        if m.position == "teacher" and m.qualification_standard in ("roadmap", "exempt", "below"):
            row[f"teachers_{m.qualification_standard}"] += 1
        row[f"staff_qual_{m.qualification}"] += 1
        row[f"staff_ver_{m.verification_status}"] += 1
        if m.verification_status == "mismatch":
            staff_mm[m.school_id].update(m.verification_mismatch_fields)
    # The rating scale is the pupil's grade that year (Circular 27/2020 for grades 1-5, 22/2021 for
    # 6-12); a rating of the other scale, or of a pupil without a grade that year, counts nowhere.
    grade = dict(Enrollment.objects.filter(OPEN_ENROLLMENT, school_year=year).values_list("student_id", "grade"))
    for r in AcademicResult.objects.filter(school_year=year):
        g = grade.get(r.student_id, 0)
        if 1 <= g <= 5:
            scale, learning, conduct = "primary", PRIMARY_LEARNING_VALUES, PRIMARY_CONDUCT_VALUES
        elif 6 <= g <= 12:
            scale, learning, conduct = "secondary", SECONDARY_LEARNING_VALUES, SECONDARY_CONDUCT_VALUES
        else:
            continue
        if r.learning_rating in learning:
            rows[r.school_id][f"learning_{r.term}_{r.learning_rating}"] += 1
        if r.conduct_rating in conduct:
            rows[r.school_id][f"conduct_{r.term}_{scale}_{r.conduct_rating}"] += 1
    latest = {}
    for p in PhysicalRecord.objects.filter(school_year=year).order_by("measured_on", "id"):
        latest[p.student_id] = p
    for p in latest.values():
        rows[p.school_id][f"nutrition_{p.nutrition_status}"] += 1
        if p.height_status:
            rows[p.school_id][f"height_{p.height_status}"] += 1
    return rows, pupil_mm, staff_mm
