"""Name search without diacritics (edu_portal.common.search) against the old accented search.

A search is what the list page does with `?q=` for the ministry: students.selectors.student_list_page
for the country (students.search: the directory of names walked in the
list's order or found by its trigram index), its first page of 25 rows in the list's order and its
count; and the same for a province (Hà Nội's staff), reported apart. QUERIES are names as people
type them: family + middle names ("nguyen van"), one given name ("thuy"), a whole name. Each is run

    new   unaccented, through the page's selector
    old   the same words with their diacritics, as the search was before: full_name ILIKE '%Nguyễn Văn%',
          with the index it had then, GIN (full_name gin_trgm_ops), created for the measurement and
          dropped after (BENCH_NAME_SEARCH_BASELINE=0 skips it: building it on 24 million rows is long)

alternating, in the same run. Reported: p50/p95 of each, the ratio of the p95s; target p95 <= 50 ms at
national size (make bench-national).
"""
from __future__ import annotations

import os
import statistics
import time

PER_PAGE = 25
TARGET_P95_MS = 50.0
OLD_INDEX = "bench_student_name_trgm"
PROVINCE_CODE = "01"
# (as typed without diacritics, as written): common family + middle names, given names, whole names.
QUERIES = [
    ("nguyen van", "Nguyễn Văn"), ("nguyen thi", "Nguyễn Thị"), ("tran thi", "Trần Thị"), ("tran van", "Trần Văn"),
    ("le thi", "Lê Thị"), ("le van", "Lê Văn"), ("pham minh", "Phạm Minh"), ("hoang ngoc", "Hoàng Ngọc"),
    ("huynh thanh", "Huỳnh Thanh"), ("vu duc", "Vũ Đức"), ("dang thu", "Đặng Thu"), ("bui gia", "Bùi Gia"),
    ("thuy", "Thủy"), ("an", "An"), ("binh", "Bình"), ("duc", "Đức"), ("trang", "Trang"), ("yen", "Yến"),
    ("hoa", "Hoa"), ("cuong", "Cường"), ("nguyen van an", "Nguyễn Văn An"), ("tran thi thuy", "Trần Thị Thủy"),
    ("le minh duc", "Lê Minh Đức"), ("pham ngoc anh", "Phạm Ngọc Anh"), ("do quang huy", "Đỗ Quang Huy"),
    ("thi trang", "Thị Trang"), ("huong", "Hương"), ("dao", "Đào"), ("ngoc anh", "Ngọc Anh"),
]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def run(quick: bool) -> dict:
    import django

    django.setup()
    from django.db import connection

    from accounts.scope import PROVINCE, Scope
    from students.models import Student
    from students.selectors import student_list, student_list_page

    pupils = Student.objects.count()
    if not pupils:
        return {"status": "skipped", "reason": "no pupils in the database (run bench.seed first)"}
    total = 40 if quick else 200
    queries = [QUERIES[i % len(QUERIES)] for i in range(total)]
    country = Scope.country()
    baseline = os.environ.get("BENCH_NAME_SEARCH_BASELINE", "1") != "0"
    if baseline:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON students_student USING gin "
                           "(full_name gin_trgm_ops)")
            cursor.execute("ANALYZE students_student")

    def page_new(typed):
        results = student_list_page(scope=country, filters={"q": typed})
        results.count()  # first, as the Paginator asks
        return results[0:PER_PAGE]

    # The plain list's first page, to check the search's against (skipped at national size, where the
    # plain list takes up to a minute for one given name: what students.search is for).
    check = os.environ.get("BENCH_NAME_SEARCH_CHECK", "1" if pupils < 1_000_000 else "0") != "0"
    same_as_plain = 0
    if check:
        for typed, _written in QUERIES:
            plain = list(student_list(scope=country, filters={"q": typed}).values_list("pk", flat=True)[:PER_PAGE])
            same_as_plain += [s.pk for s in page_new(typed)] == plain

    province = Scope(PROVINCE, province_code=PROVINCE_CODE)

    def page_province(typed):
        results = student_list_page(scope=province, filters={"q": typed})
        results.count()
        return results[0:PER_PAGE]

    def page_old(written):
        return list(student_list(scope=country).filter(full_name__icontains=written)[:PER_PAGE])

    times: dict[str, list[float]] = {"new": [], "old": [], "province": []}
    same_first_page = 0
    try:
        page_new(queries[0][0]), baseline and page_old(queries[0][1])  # warm-up
        for typed, written in queries:
            started = time.perf_counter()
            rows = page_new(typed)
            times["new"].append(time.perf_counter() - started)
            # The accented words find the same pupils as the unaccented ones (same first page).
            same_first_page += [r.pk for r in rows] == [r.pk for r in page_new(written)]
            started = time.perf_counter()
            page_province(typed)
            times["province"].append(time.perf_counter() - started)
            if baseline:
                started = time.perf_counter()
                page_old(written)
                times["old"].append(time.perf_counter() - started)
        steps: dict[str, int] = {}
        for typed, _written in QUERIES:
            results = student_list_page(scope=country, filters={"q": typed})
            results[0:PER_PAGE]
            steps[results.step] = steps.get(results.step, 0) + 1
    finally:
        if baseline:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    out = {"database_pupils": pupils, "queries": total, "per_page": PER_PAGE, "target_p95_ms": TARGET_P95_MS,
           "new_p50_ms": round(statistics.median(times["new"]) * 1000, 2), "new_p95_ms": _p(times["new"], 0.95),
           "province_p50_ms": round(statistics.median(times["province"]) * 1000, 2),
           "province_p95_ms": _p(times["province"], 0.95),
           "accented_same_first_page": f"{same_first_page}/{total}",
           "same_first_page_as_plain_list": f"{same_as_plain}/{len(QUERIES)}" if check else "not checked",
           "steps": steps}
    if baseline:
        out.update({"old_p50_ms": round(statistics.median(times["old"]) * 1000, 2),
                    "old_p95_ms": _p(times["old"], 0.95)})
        out["ratio_p95"] = round(out["new_p95_ms"] / out["old_p95_ms"], 3) if out["old_p95_ms"] else None
    out["meets_target"] = max(out["new_p95_ms"], out["province_p95_ms"]) <= TARGET_P95_MS
    return out
