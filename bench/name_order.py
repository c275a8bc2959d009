"""Lists of pupils in Vietnamese name order (edu_portal.common.names) against today's order.

A page is what the HTML list does: students.selectors.student_list, then a Paginator of 25 (the
count and the page's rows, two queries). Each case is measured on the first page and on a deep
one (page DEEP_PAGE, or the last if there are fewer), in two orders, side by side:

    new   the model's order: given, middle, family name under ICU `vi`, then id (the expression
          indexes student_vi_name_search and student_school_vi_name serve it)
    old   the order before: order_by("full_name", "pk"), with the index it had then,
          (school_id, full_name), created for the measurement and dropped after (the new schema
          no longer has it)

Cases: the province with the most pupils (the province page of a province officer), the commune
with the most pupils (?commune=), and the school with the most pupils (?school=, the list its
page links to: its class lists). `ratio` is new/old of the medians; target <= 1.10.

Runs on whatever data the database holds (bench.run seeds it first; alone, with
BENCH_ONLY=name_order, it reads the data a previous run left).
"""
from __future__ import annotations

import statistics
import time

OLD_INDEX = "bench_student_school_full_name"
PER_PAGE = 25
DEEP_PAGE = 200
TARGET = 1.10


def _page(queryset, number: int) -> int:
    from django.core.paginator import Paginator

    page = Paginator(queryset, PER_PAGE).get_page(number)
    return len(list(page))  # the count (for the page links) and the page's rows


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def _compare(new, old, number: int, n: int) -> dict:
    """Alternating runs of the two orders (a busy machine slows both alike), after one warm-up each."""
    _page(new, number), _page(old, number)
    times = {"new": [], "old": []}
    for _ in range(n):
        for label, queryset in (("new", new), ("old", old)):
            started = time.perf_counter()
            _page(queryset, number)
            times[label].append(time.perf_counter() - started)
    new_ms, old_ms = _median_ms(times["new"]), _median_ms(times["old"])
    return {"page": number, "new_p50_ms": new_ms, "old_p50_ms": old_ms,
            "new_max_ms": round(max(times["new"]) * 1000, 2), "old_max_ms": round(max(times["old"]) * 1000, 2),
            "ratio": round(new_ms / old_ms, 3) if old_ms else None}


def _indexes_used(queryset, number: int) -> list[str]:
    """The indexes in the plan of the page's rows (evidence that the order is served, not sorted)."""
    import re

    offset = (number - 1) * PER_PAGE
    plan = queryset[offset:offset + PER_PAGE].explain()
    return sorted(set(re.findall(r"using (\w+)", plan))) + (["Sort"] if "Sort" in plan else [])


def run(quick: bool) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from accounts.scope import PROVINCE, Scope
    from schools.models import School
    from students.models import Student
    from students.selectors import student_list

    n = 7 if quick else 25
    by_school = Student.objects.values("school_id").order_by().annotate(n=Count("id")).order_by("-n")
    if not by_school.exists():
        return {"status": "skipped", "reason": "no pupils in the database (run bench.seed first)"}
    schools = dict(School.objects.values_list("pk", "province_id"))
    communes = dict(School.objects.values_list("pk", "commune_id"))
    per_province: dict[str, int] = {}
    per_commune: dict[str, int] = {}
    for row in by_school:
        per_province[schools[row["school_id"]]] = per_province.get(schools[row["school_id"]], 0) + row["n"]
        per_commune[communes[row["school_id"]]] = per_commune.get(communes[row["school_id"]], 0) + row["n"]
    province = max(per_province, key=per_province.get)
    commune = max(per_commune, key=per_commune.get)
    school = by_school.first()

    cases = {
        "province": (Scope(PROVINCE, province_code=province), {}, per_province[province]),
        "commune": (Scope.country(), {"commune": commune}, per_commune[commune]),
        "school": (Scope.country(), {"school": str(school["school_id"])}, school["n"]),
    }
    out: dict = {"per_page": PER_PAGE, "iterations": n, "target_ratio": TARGET,
                 "database_pupils": Student.objects.count()}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON students_student (school_id, full_name)")
        cursor.execute("ANALYZE students_student")
    try:
        worst = 0.0
        for name, (scope, filters, pupils) in cases.items():
            new = student_list(scope=scope, filters=filters)
            old = student_list(scope=scope, filters=filters).order_by("full_name", "pk")
            pages = -(-pupils // PER_PAGE)
            deep = min(DEEP_PAGE, pages)
            out[name] = {"pupils": pupils, "pages": pages,
                         "first": _compare(new, old, 1, n), "deep": _compare(new, old, deep, n),
                         "plan_new": _indexes_used(new, 1), "plan_old": _indexes_used(old, 1),
                         "plan_new_deep": _indexes_used(new, deep), "plan_old_deep": _indexes_used(old, deep)}
            worst = max(worst, out[name]["first"]["ratio"] or 0, out[name]["deep"]["ratio"] or 0)
        out["worst_ratio"] = worst
        out["meets_target"] = worst <= TARGET
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    return out
