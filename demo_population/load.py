"""Load the demo data set into the portal's database (Django side of seed_demo)."""
from __future__ import annotations

import multiprocessing
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from edu_portal.common.models import current_school_year

from .seed import COLUMNS, Geography, Plan, copy_buffers, plan_make, province_rows

_STATE: dict = {}


def geography() -> Geography:
    from geo.models import Commune, LegacyProvince, Province

    provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
    communes: dict[str, list] = {p: [] for p in provinces}
    for code, name, province in Commune.objects.order_by("code").values_list("code", "name", "province_id"):
        communes[province].append((code, name))
    legacy: dict[str, list] = {p: [] for p in provinces}
    for code, province in LegacyProvince.objects.order_by("code").values_list("code", "province_id"):
        legacy[province].append(code)
    return Geography(provinces, communes, legacy)


def _load_province(province: str) -> dict[str, int]:
    plan, geo, seed, school_year, today = (_STATE[k] for k in ("plan", "geo", "seed", "school_year", "today"))
    bufs = province_rows(plan=plan, province=province, seed=seed, school_year=school_year, today=today,
                         legacy_codes=geo.legacy[province])
    with transaction.atomic(), connection.cursor() as cursor:
        return copy_buffers(cursor.cursor, bufs)


def _next_ids() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        ids = []
        for table in ("schools_school", "students_student", "teachers_staffmember"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - fixed names
            ids.append(cursor.fetchone()[0])
    return tuple(ids)


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for table, _ in COLUMNS.values():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))")


def seed_demo(*, schools: int, seed: int, workers: int = 1, log=print) -> dict:
    """Generate and COPY the data set; returns counts, seconds and rows per second.

    Enrollment, result and physical-record ids equal the pupil's id (one of each per pupil in a
    seeded year), so they need no id ranges of their own.
    """
    started = time.monotonic()
    geo = geography()
    if not geo.provinces:
        raise RuntimeError("Administrative units are missing: run load_admin_units first.")
    school_id, student_id, staff_id = _next_ids()
    plan: Plan = plan_make(n_schools=schools, seed=seed, geo=geo, first_ids=(school_id, student_id, staff_id))
    log(f"Plan: {len(plan.schools):,} schools, {plan.students:,} pupils, {plan.staff:,} staff")
    _STATE.update(plan=plan, geo=geo, seed=seed, school_year=current_school_year(), today=timezone.localdate())
    # Largest provinces first, so parallel workers finish together.
    order = sorted(geo.provinces, key=lambda p: -sum(s.pupils for s in plan.schools if s.province == p))
    totals: dict[str, int] = {}
    if workers > 1:
        connections.close_all()  # each forked worker opens its own connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap_unordered(_load_province, order)
            for counts in results:
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
    else:
        for province in order:
            for k, v in _load_province(province).items():
                totals[k] = totals.get(k, 0) + v
    _reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.monotonic() - started
    rows = sum(totals.values())
    return {"counts": totals, "rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}
