"""Load the demo data set into the portal's database (Django side of seed_demo)."""
from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections, transaction
from django.utils import timezone

from edu_portal.common.models import current_school_year
from geo.models import Commune, LegacyProvince, Province
from teachers.writers import staff_postings_open_missing

from .facilities import facilities_seed
from .population import population_make, population_write
from .seed import Geography, Plan, child_counts, copy_buffers, plan_make, province_rows, results_pools_warm

_STATE: dict = {}


def geography() -> Geography:
    provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
    communes: dict[str, list] = {p: [] for p in provinces}
    for code, name, province in Commune.objects.order_by("code").values_list("code", "name", "province_id"):
        communes[province].append((code, name))
    legacy: dict[str, list] = {p: [] for p in provinces}
    for code, province in LegacyProvince.objects.order_by("code").values_list("code", "province_id"):
        legacy[province].append(code)
    return Geography(provinces, communes, legacy)


def _load_province(province: str) -> tuple[dict[str, int], Counter]:
    """Load one province; returns the rows copied per table and its children (the population)."""
    plan, geo, seed, school_year, today = (_STATE[k] for k in ("plan", "geo", "seed", "school_year", "today"))
    population: Counter = Counter()
    bufs = province_rows(plan=plan, province=province, seed=seed, school_year=school_year, today=today,
                         legacy_codes=geo.legacy[province], population=population)
    with transaction.atomic(), connection.cursor() as cursor:
        _skip_row_triggers(cursor)
        counts = copy_buffers(cursor.cursor, bufs)
        # The staff just copied start their posting history here, as staff_create would open it.
        staff_postings_open_missing(cursor, province_id=province)
        return counts, population


def _skip_row_triggers(cursor) -> None:
    """The generated rows are consistent by construction, so the per-row foreign-key triggers
    are skipped where the role may do so (superuser: the local cluster); elsewhere the checks run
    immediately rather than piling up until COMMIT (Django's foreign keys are deferred)."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except Exception:  # noqa: BLE001 - not permitted: check constraints as rows arrive
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _reserve_ids(counts: dict[str, int]) -> tuple[int, int, int]:
    """Take id ranges from the tables' sequences, so that rows other writers insert meanwhile
    (through the ORM) can never collide with the planned ids."""
    firsts = []
    with transaction.atomic(), connection.cursor() as cursor:
        for table, count in counts.items():
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # brief: only while reserving
            cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                           f"(SELECT last_value FROM {sequence})) + 1")
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
            firsts.append(first)
    return tuple(firsts)


BULK_TABLES = ("students_student", "students_enrollment", "students_academicresult", "students_physicalrecord",
               "teachers_staffmember")
# Below this many pupils, index maintenance during COPY costs less than rebuilding the indexes.
REBUILD_INDEXES_ABOVE = 200_000


def _drop_secondary_indexes() -> list[str]:
    """Drop the plain (non-constraint) indexes of the bulk tables and return their definitions:
    building a GIN trigram or foreign-key index once over millions of rows is far cheaper than
    maintaining it row by row during COPY. Constraint indexes (primary keys, unique) stay."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [list(BULK_TABLES)])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [definition for _, definition in indexes]


def _create_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            cursor.execute(definition)


def seed_demo(*, schools: int, seed: int, workers: int = 1, years: int = 3, log=print,
              population_file: Path | None = None, past_results: bool = True) -> dict:
    """Generate and COPY the data set of `years` school years, the current one last; returns counts,
    seconds and rows per second. The population the children belong to is written to
    `population_file` (demo_population.population), for the mock registry's statistics.

    Ids are reserved from the tables' sequences before any row is written, so the load can run
    beside other writers.
    """
    started = time.monotonic()
    geo = geography()
    if not geo.provinces:
        raise RuntimeError("Administrative units are missing: run load_admin_units first.")
    sizes = plan_make(n_schools=schools, seed=seed, geo=geo, years=years)
    # A pupil has at most one enrollment and two results a seeded year, and one measurement: their
    # ids are computed from the pupil's in ranges reserved for them (seed.child_id).
    children = child_counts(sizes)
    firsts = _reserve_ids({"schools_school": len(sizes.schools), "students_student": sizes.students,
                           "teachers_staffmember": sizes.staff, "students_enrollment": children["enrollment"],
                           "students_academicresult": children["result"],
                           "students_physicalrecord": children["physical"]})
    plan: Plan = plan_make(n_schools=schools, seed=seed, geo=geo, first_ids=firsts[:3], years=years)
    plan.child_firsts = dict(zip(("enrollment", "result", "physical"), firsts[3:], strict=True))
    plan.past_results = past_results
    results_pools_warm()
    school_year = current_school_year()
    log(f"Plan: {len(plan.schools):,} schools, {plan.staff:,} staff; school years "
        f"{school_year - years + 1}-{school_year} (the current one: {sum(s.pupils for s in plan.schools):,} pupils)")
    _STATE.update(plan=plan, geo=geo, seed=seed, school_year=school_year, today=timezone.localdate())
    # Largest provinces first, so parallel workers finish together.
    order = sorted(geo.provinces, key=lambda p: -sum(s.pupils for s in plan.schools if s.province == p))
    totals: dict[str, int] = {}
    seeded: Counter = Counter()
    # Pupils' enrollments over the years, against the threshold made for one year's pupils.
    enrollments = sum(s.pupils for s in plan.schools) * years
    dropped = _drop_secondary_indexes() if enrollments > REBUILD_INDEXES_ABOVE else []
    try:
        if workers > 1:
            connections.close_all()  # each forked worker opens its own connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.imap_unordered(_load_province, order)
                for counts, children in results:
                    seeded.update(children)
                    for k, v in counts.items():
                        totals[k] = totals.get(k, 0) + v
        else:
            for province in order:
                counts, children = _load_province(province)
                seeded.update(children)
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
    finally:
        # Even a failed load must leave the schema whole.
        if dropped:
            log(f"Loaded in {time.monotonic() - started:.0f} s; rebuilding {len(dropped)} indexes")
            _create_indexes(dropped)
    # Facilities (issue 18): every school's sites, their rooms for each seeded year and the equipment, in a few
    # set-based statements over the whole plan.
    with transaction.atomic(), connection.cursor() as cursor:
        _skip_row_triggers(cursor)
        fac = facilities_seed(cursor.cursor, schools=plan.schools, seed=seed,
                              years=list(range(school_year - years + 1, school_year + 1)))
    log(f"Facilities: {fac['sites']:,} sites, {fac['site_facilities']:,} site-years, "
        f"{fac['equipment_holdings']:,} equipment rows")
    for k, v in fac.items():
        totals[k] = totals.get(k, 0) + v
    with connection.cursor() as cursor:
        # The rows were copied without triggers: the name search's directory learns their names here
        # (students.models.PupilName; a no-op for names it has).
        cursor.execute("SELECT pupil_names_fill()")
        cursor.execute("ANALYZE")
    if population_file is not None:
        population = population_make(seeded, seed=seed, first_year=school_year - years + 1, last_year=school_year)
        population_write(population, Path(population_file))
        log(f"Population of the registry: {sum(population.counts.values()):,} children aged 3-17 "
            f"({len(population.counts):,} cells) in {population_file}")
    seconds = time.monotonic() - started
    rows = sum(totals.values())
    return {"counts": totals, "rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}


@dataclass(frozen=True)
class SchoolNow:
    """What facilities_seed needs of a school already in the database, as a SchoolPlan carries it."""

    id: int
    code: str
    level: str
    province: str
    commune: str
    pupils: int


def enrollment_years(cursor) -> list[int]:
    """The school years that have enrollments. A loose index scan of (school_id, school_year): one probe of the
    index per school and year (~160,000 at national size), never a scan of the 24 million rows."""
    cursor.execute("""
        WITH RECURSIVE t(school_id, school_year) AS (
            (SELECT school_id, school_year FROM students_enrollment ORDER BY school_id, school_year LIMIT 1)
            UNION ALL
            SELECT n.school_id, n.school_year FROM t CROSS JOIN LATERAL (
                SELECT e.school_id, e.school_year FROM students_enrollment e
                WHERE (e.school_id, e.school_year) > (t.school_id, t.school_year)
                ORDER BY e.school_id, e.school_year LIMIT 1) n)
        SELECT DISTINCT school_year FROM t ORDER BY 1""")
    return [year for (year,) in cursor.fetchall()]


def schools_without_sites(cursor, *, school_year: int) -> list[SchoolNow]:
    """Every school that has no site yet, with its pupils of `school_year`: the statistics' count where they
    have a row of that year (no enrollment read), else its open enrollments of the year counted through the
    (school_id, school_year) index (COALESCE evaluates the count only where the statistics lack it)."""
    cursor.execute("""
        SELECT sc.id, sc.code, sc.level, sc.province_id, sc.commune_id,
               COALESCE(st.pupils, (SELECT count(*) FROM students_enrollment e
                                    WHERE e.school_id = sc.id AND e.school_year = %(year)s
                                      AND e.status <> 'transferred_out'))
        FROM schools_school sc
        LEFT JOIN dashboards_schoolstats st ON st.school_id = sc.id AND st.school_year = %(year)s
        WHERE NOT EXISTS (SELECT 1 FROM facilities_site f WHERE f.school_id = sc.id)
        ORDER BY sc.id""", {"year": school_year})
    return [SchoolNow(*row) for row in cursor.fetchall()]


def seed_demo_facilities(*, seed: int, log=print) -> dict:
    """Demo facilities for the schools of an already seeded database that have no site (a database seeded
    before facilities existed): the same rows seed_demo writes (demo_population.facilities), for every school
    year that has enrollments, the pupils of the latest of them read from the database. A school with a site
    is left alone, so a second run writes nothing. In the caller's transaction when it has one (the command
    refreshes the statistics in the same one). Returns the rows written per table and the seconds."""
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        years = enrollment_years(cursor)
        schools = schools_without_sites(cursor, school_year=max(years)) if years else []
        log(f"Facilities: {len(schools):,} schools without sites; school years {years}"
            f" (read in {time.monotonic() - started:.1f} s)")
        counts = {"sites": 0, "site_facilities": 0, "equipment_holdings": 0}
        if schools:
            _skip_row_triggers(cursor)
            counts = facilities_seed(cursor.cursor, schools=schools, seed=seed, years=years)
            _row_triggers_restore(cursor)
            for table in ("facilities_site", "facilities_sitefacilities", "facilities_equipmentholding"):
                cursor.execute(f"ANALYZE {table}")
    return {"counts": counts, "schools": len(schools), "years": years,
            "seconds": round(time.monotonic() - started, 1)}


def _row_triggers_restore(cursor) -> None:
    """Triggers and foreign-key checks back on for what the caller's transaction writes next (SET LOCAL lasts
    until its end, past the savepoint); nothing to restore where _skip_row_triggers was not permitted."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = origin")
    except Exception:  # noqa: BLE001, S110 - not permitted: it was never changed
        pass
