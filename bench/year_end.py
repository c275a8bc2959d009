"""The turn of the school year at the size of the database it runs on (issue 17; targets: the whole
country in at most 10 minutes, one school in under a second).

    one school  year_end_commit of the database's largest school for the current year, after whole-year
                results were recorded for its pupils (a fifth failing: summer and repeats), as a school
                presses "commit"; rolled back
    country     year_rollover's parts for the current year (ROLLOVER_PARTS of them, or BENCH_YEAR_END_PARTS),
                run by BENCH_YEAR_END_JOBS processes (default: the cores, at
                most one per part) as the workers run them: every school's commit, then the carry of the
                pupils still undecided. The current year has no whole-year results yet, so nearly every
                pupil is carried: one new enrollment per pupil, the heaviest case; rolled back
    baseline    the same number of enrollments written by INSERT ... SELECT into a copy of the table with
                the same indexes, without foreign keys or triggers (what writing that many rows costs at all)

Everything is rolled back: the database is left as it was (but for dead rows that autovacuum clears).
"""
from __future__ import annotations

import time

COUNTRY_TARGET_S = 600
SCHOOL_TARGET_S = 1.0


class _Rollback(Exception):
    pass


def _rolled_back(fn) -> tuple[float, object]:
    from django.db import transaction

    out: dict = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            out["value"] = fn()
            out["seconds"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return round(out["seconds"], 3), out["value"]


def _largest_school(year: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT school_id FROM students_enrollment WHERE school_year = %s AND status = 'studying' "
                    "AND grade BETWEEN 1 AND 12 GROUP BY school_id ORDER BY count(*) DESC LIMIT 1", [year])
        return cur.fetchone()[0]


def _one_school(year: int) -> dict:
    from django.db import connection

    from accounts.scope import Scope
    from students import yearend

    school = _largest_school(year)

    def commit():
        with connection.cursor() as cur:
            # Whole-year results as a school records them before its year-end: a fifth not passing.
            cur.execute("""
                INSERT INTO students_academicresult (student_id, school_id, school_year, term, learning_rating,
                                                     conduct_rating, subject_scores, created_at, updated_at)
                SELECT e.student_id, e.school_id, e.school_year, 0,
                       CASE WHEN e.grade <= 5 THEN (CASE WHEN e.student_id %% 5 = 0 THEN 'chua_hoan_thanh'
                                                         ELSE 'hoan_thanh' END)
                            ELSE (CASE WHEN e.student_id %% 5 = 0 THEN 'chua_dat' ELSE 'kha' END) END,
                       CASE WHEN e.grade <= 5 THEN 'dat' ELSE 'kha' END, '{}'::jsonb, now(), now()
                FROM students_enrollment e WHERE e.school_id = %s AND e.school_year = %s AND e.status = 'studying'
                  AND e.grade >= 1
                ON CONFLICT DO NOTHING""", [school, year])
        started = time.perf_counter()
        counts = yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[school], year=year,
                                         refresh=False)
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return time.perf_counter() - started, counts

    _total, (seconds, counts) = _rolled_back(commit)
    return {"school_id": school, "pupils_decided": sum(counts.values()), "outcomes": dict(counts),
            "commit_s": round(seconds, 3)}


def _parts_driver(year: int, parts: list[list[int]]) -> dict:
    """A process of the country's rollover: its parts one after the other, each in its own transaction
    (as the Celery task runs them), rolled back."""
    from django.db import connection

    from students import yearend

    decided = carried = 0
    for part in parts:
        def turn(part=part):  # year_rollover_part (it does not check the year), then the FK checks
            counts = yearend.year_rollover_part(year=year, school_ids=part)
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks, deferred to the commit
            n = sum(v for k, v in counts.items() if k.startswith("carried_"))
            return sum(counts.values()) - n, n

        _seconds, (d, c) = _rolled_back(turn)
        decided, carried = decided + d, carried + c
    return {"decided": decided, "carried": carried}


def _country_scope():
    from accounts.scope import Scope

    return Scope.country()


def _country(year: int, jobs: int) -> dict:
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    from schools.models import School
    from students.yearend import ROLLOVER_PARTS, rollover_parts
    from tests.processes import ROOT

    schools = list(School.objects.order_by("pk").values_list("pk", flat=True))
    parts = rollover_parts(schools, int(os.environ.get("BENCH_YEAR_END_PARTS", ROLLOVER_PARTS)))
    jobs = min(jobs, len(parts))
    shares = [parts[j::jobs] for j in range(jobs)]
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "bench.year_end", "--parts", str(year)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
             for _share in shares]
    for proc, share in zip(procs, shares, strict=True):
        proc.stdin.write(json.dumps(share))
        proc.stdin.close()
    outs = [json.loads(proc.stdout.read().strip().splitlines()[-1]) for proc in procs]
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError("a rollover driver failed")
    seconds = round(time.perf_counter() - started, 3)

    def baseline():
        with connection.cursor() as cur:
            # A table like the real one (indexes, WAL; not a temporary one, which writes no WAL), rolled back.
            cur.execute("CREATE TABLE bench_enrollment (LIKE students_enrollment INCLUDING ALL)")
            cur.execute("""INSERT INTO bench_enrollment (student_id, school_year, school_id, grade, class_name, status,
                                                         age_group, provisional, leave_reason, created_at, updated_at)
                           SELECT student_id, school_year + 1, school_id, grade, class_name, status, age_group, true,
                                  '', now(), now()
                           FROM students_enrollment WHERE school_year = %s AND status = 'studying'""", [year])
            return cur.rowcount

    base_seconds, rows = _rolled_back(baseline)
    return {"schools": len(schools), "parts": len(parts), "jobs": jobs,
            "pupils_decided": sum(o["decided"] for o in outs), "pupils_carried": sum(o["carried"] for o in outs),
            "seconds": seconds, "baseline_insert_rows": rows, "baseline_insert_s": base_seconds,
            "ratio_vs_baseline": round(seconds / base_seconds, 2) if base_seconds else None}


def run(quick: bool) -> dict:
    from edu_portal.common.models import current_school_year

    year = current_school_year()
    import os

    jobs = int(os.environ.get("BENCH_YEAR_END_JOBS", os.cpu_count() or 2))
    out = {"school_year": year, "one_school": _one_school(year), "country": _country(year, jobs)}
    out["target"] = {"one_school_commit_s<=1": out["one_school"]["commit_s"] <= SCHOOL_TARGET_S,
                     "country_s<=600": out["country"]["seconds"] <= COUNTRY_TARGET_S}
    return out


if __name__ == "__main__":  # a driver of _country: python -m bench.year_end --parts <year>, parts on stdin
    import json
    import sys

    import django

    django.setup()
    print(json.dumps(_parts_driver(int(sys.argv[2]), json.loads(sys.stdin.read()))))
