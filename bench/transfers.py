"""A transfer between schools: the receiving school's request plus the sending school's release
(students.services transfer_request_create + transfer_release), the way the pages and the API call
them, against its baseline measured in the same run:

    transfer   request + release: the pupil and the request locked, the open-request and in-transit
               checks, the old enrollment closed as transferred out, one opened at the receiving school
    baseline   student_transfer, the in-place move a scope holding both schools makes (the same
               enrollment close-and-open, without the request)

Each of N pupils (QUICK=1: 20; otherwise 200) of the school with the most pupils studying this year
is moved to another school of its province, the two kinds alternating (a busy machine slows both
alike). Reported: median and p95 of each, and `ratio` = transfer p95 / baseline p95.

Everything runs inside one transaction rolled back at the end: the bench database is left as the seed
made it (for the other modules), the dashboards' refresh tasks enqueued after commit are never sent,
and neither figure includes the commit (the same fsync for both).
"""
from __future__ import annotations

import statistics
import time


class _RollBack(Exception):
    pass


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000, 2)


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 2), "p95_ms": _ms(values, 0.95),
            "max_ms": round(max(values) * 1000, 2)}


def run(quick: bool) -> dict:
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Count

    from accounts.scope import SCHOOL, Scope
    from edu_portal.common.models import current_school_year
    from schools.models import School
    from students.models import OPEN_ENROLLMENT, Enrollment, EnrollmentStatus
    from students.services import student_transfer, transfer_release, transfer_request_create

    n = 20 if quick else 200
    year = current_school_year()
    busiest = (Enrollment.objects.filter(OPEN_ENROLLMENT, school_year=year, status=EnrollmentStatus.STUDYING)
               .values("school_id").order_by().annotate(n=Count("id")).order_by("-n").first())
    if busiest is None or busiest["n"] < 2 * n:
        return {"status": "skipped", "reason": f"no school with {2 * n} pupils studying (run bench.seed first)"}
    sending = School.objects.get(pk=busiest["school_id"])
    receiving = (School.objects.filter(province_id=sending.province_id, level=sending.level)
                 .exclude(pk=sending.pk).first())
    if receiving is None:
        return {"status": "skipped", "reason": "no second school of the same level in the province"}
    pupils = list(Enrollment.objects.filter(OPEN_ENROLLMENT, school=sending, school_year=year,
                                            status=EnrollmentStatus.STUDYING)
                  .select_related("student").order_by("id")[:2 * n])
    sending_scope = Scope(SCHOOL, school_id=sending.pk, province_code=sending.province_id)
    receiving_scope = Scope(SCHOOL, school_id=receiving.pk, province_code=receiving.province_id)
    times: dict[str, list[float]] = {"transfer": [], "baseline": []}
    try:
        with transaction.atomic():
            for i in range(n):
                enrollment = pupils[2 * i]
                pupil = enrollment.student
                started = time.perf_counter()
                request = transfer_request_create(scope=receiving_scope, user=None, to_school=receiving,
                                                  pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth,
                                                  grade=enrollment.grade, class_name=enrollment.class_name)
                transfer_release(scope=sending_scope, user=None, transfer_id=request.pk)
                times["transfer"].append(time.perf_counter() - started)

                other = pupils[2 * i + 1]
                started = time.perf_counter()
                student_transfer(scope=Scope.country(), student=other.student, to_school=receiving,
                                 grade=other.grade, class_name=other.class_name)
                times["baseline"].append(time.perf_counter() - started)
            raise _RollBack
    except _RollBack:
        pass
    transfer, baseline = _summary(times["transfer"]), _summary(times["baseline"])
    return {"transfers": n, "sending_school_pupils": busiest["n"], "transfer": transfer, "baseline": baseline,
            "ratio_p95": round(transfer["p95_ms"] / baseline["p95_ms"], 3) if baseline["p95_ms"] else None,
            "ratio_p50": round(transfer["p50_ms"] / baseline["p50_ms"], 3) if baseline["p50_ms"] else None,
            "note": "in one transaction rolled back at the end: commit excluded from both figures"}
