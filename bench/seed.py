"""seed_demo at benchmark scale: time, rows/s and disk size; it also provides the data set that
the other benchmarks of the same run read (one tenth of national scale; QUICK=1: 600 schools)."""
from __future__ import annotations

import os

from django.db import connection

from demo_population.load import seed_demo
from demo_population.seed import SCALES


def _truncate() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE schools_school, students_student, students_enrollment, students_academicresult, "
                       "students_physicalrecord, teachers_staffmember RESTART IDENTITY CASCADE")


def _disk() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r' "
                       "ORDER BY 2 DESC LIMIT 6")
        tables = {name: f"{size / 2**20:.0f} MiB" for name, size in cursor.fetchall()}
    return {"database_MiB": round(total / 2**20), "largest_tables": tables}


def run(quick: bool) -> dict:
    scale = "small" if quick else os.environ.get("BENCH_SCALE", "tenth")
    _truncate()
    result = seed_demo(schools=SCALES[scale], seed=2026, workers=min(2, os.cpu_count() or 1), log=lambda *_: None)
    return {"scale": scale, "schools": SCALES[scale], **result, "disk": _disk(),
            "target": "national (54,000 schools, 24M pupils) under 30 min",
            "national_extrapolated_minutes": round(result["seconds"] * 54000 / SCALES[scale] / 60, 1)}
