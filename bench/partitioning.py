"""Partitioning study: results and physical records partitioned by school year, against the same
rows in one plain table. Measures, never changes the product's schema.

In a scratch database (`edu_portal_partition_study`, dropped at the end) it builds, for
`students_academicresult` and `students_physicalrecord`:

    plain        one table holding 3 school years, with the product's indexes
    partitioned  PARTITION BY LIST (school_year), one partition per year, the same indexes
                 (a unique key must contain the partition key: (student_id, measured_on) becomes
                 (student_id, measured_on, school_year))

filled with the bench database's rows (one school year; `quick`: every 25th pupil) copied over
with COPY, and two earlier school years synthesised by shifting school_year (and measured_on).
It also reports the bench database's largest tables (rows, bytes per row with indexes) and their
extrapolation to national scale (docs/scaling.md). Then, on each layout:

    aggregate    a dashboards-style GROUP BY school_id over one school year (median of n runs
                 after a warm-up; warm cache: the figure is CPU and memory, not disk)
    lookup       one pupil's rows over all years by student_id (what the API's detail does):
                 the cost side of partitioning, one index probe per partition
    drop_year    removing the oldest year: DELETE + VACUUM on the plain table, DETACH PARTITION
                 + DROP TABLE on the partitioned one

    python -m bench.partitioning [--quick]
"""
from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import closing

SCRATCH = "edu_portal_partition_study"
YEARS = 3

# (table, columns with types, product indexes, the dashboards-style aggregate over one year)
TABLES = {
    "results": {
        "source": "students_academicresult",
        "columns": """id bigint NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
            school_year smallint NOT NULL, term smallint NOT NULL, learning_rating varchar(20) NOT NULL,
            conduct_rating varchar(20) NOT NULL, subject_scores jsonb NOT NULL, school_id bigint NOT NULL,
            student_id bigint NOT NULL""",
        "names": "id, created_at, updated_at, school_year, term, learning_rating, conduct_rating, subject_scores, "
                 "school_id, student_id",
        "shifted": "id * {years} + {k}, created_at, updated_at, school_year - {k}, term, learning_rating, "
                   "conduct_rating, subject_scores, school_id, student_id",
        "keys": ["PRIMARY KEY (id, school_year)", "UNIQUE (student_id, school_year, term)"],
        "indexes": ["(school_id, school_year)", "(school_id)", "(student_id)", "(updated_at)"],
        "aggregate": """SELECT school_id, count(*) AS results,
                count(*) FILTER (WHERE learning_rating IN ('tot', 'hoan_thanh_tot')) AS very_good,
                count(DISTINCT student_id) AS pupils
            FROM {table} WHERE school_year = %s GROUP BY school_id""",
    },
    "physical": {
        "source": "students_physicalrecord",
        "columns": """id bigint NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
            school_year smallint NOT NULL, measured_on date NOT NULL, height_cm numeric(5,1) NOT NULL,
            weight_kg numeric(5,1) NOT NULL, bmi numeric(4,1) NOT NULL, bmi_z_score numeric(4,2),
            nutrition_status varchar(12) NOT NULL, school_id bigint NOT NULL, student_id bigint NOT NULL""",
        "names": "id, created_at, updated_at, school_year, measured_on, height_cm, weight_kg, bmi, bmi_z_score, "
                 "nutrition_status, school_id, student_id",
        "shifted": "id * {years} + {k}, created_at, updated_at, school_year - {k}, "
                   "(measured_on - make_interval(years => {k}))::date, height_cm, weight_kg, bmi, bmi_z_score, "
                   "nutrition_status, school_id, student_id",
        "keys": ["PRIMARY KEY (id, school_year)", "UNIQUE (student_id, measured_on, school_year)"],
        "indexes": ["(school_id, school_year)", "(school_id)", "(student_id)", "(updated_at)"],
        "aggregate": """SELECT school_id, count(*) AS measured, avg(bmi) AS mean_bmi,
                count(*) FILTER (WHERE nutrition_status <> 'normal') AS not_normal
            FROM {table} WHERE school_year = %s GROUP BY school_id""",
    },
}


def _urls() -> tuple[str, str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal")
    source = os.environ.get("BENCH_DATABASE_URL") or base.rsplit("/", 1)[0] + "/edu_portal_bench"
    server = source.rsplit("/", 1)[0]
    return source, f"{server}/{SCRATCH}", f"{server}/postgres"


def _connect(url: str):
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def _one(conn, sql: str, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _exec(conn, sql: str, params=()) -> float:
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(sql, params)
    return time.perf_counter() - started


def _copy(source_url: str, scratch_url: str, query: str, table: str) -> None:
    """Stream rows from the bench database into the scratch one (binary COPY through a pipe)."""
    out = subprocess.Popen(["psql", "-X", "-q", source_url, "-c", f"COPY ({query}) TO STDOUT (FORMAT binary)"],
                           stdout=subprocess.PIPE)
    into = subprocess.run(["psql", "-X", "-q", scratch_url, "-c", f"COPY {table} FROM STDIN (FORMAT binary)"],
                          stdin=out.stdout, capture_output=True, text=True)
    out.stdout.close()
    if out.wait() != 0 or into.returncode != 0:
        raise RuntimeError(f"copy into {table} failed: {into.stderr.strip()}")


def _build(conn, name: str, spec: dict, newest: int) -> dict:
    """plain_<name> and part_<name> (one partition per year) from stage_<name>; load seconds."""
    timings = {}
    cols = spec["columns"]
    _exec(conn, f"CREATE TABLE plain_{name} ({cols})")
    _exec(conn, f"CREATE TABLE part_{name} ({cols}) PARTITION BY LIST (school_year)")
    for k in range(YEARS):
        _exec(conn, f"CREATE TABLE part_{name}_{newest - k} PARTITION OF part_{name} FOR VALUES IN ({newest - k})")
    select = " UNION ALL ".join(f"SELECT {spec['shifted'].format(years=YEARS, k=k)} FROM stage_{name}"  # noqa: S608
                                for k in range(YEARS))
    for layout in ("plain", "part"):
        seconds = _exec(conn, f"INSERT INTO {layout}_{name} ({spec['names']}) {select}")
        for key in spec["keys"]:
            seconds += _exec(conn, f"ALTER TABLE {layout}_{name} ADD {key}")
        for i, cols_ in enumerate(spec["indexes"]):
            seconds += _exec(conn, f"CREATE INDEX {layout}_{name}_i{i} ON {layout}_{name} {cols_}")
        seconds += _exec(conn, f"VACUUM ANALYZE {layout}_{name}")
        timings[layout] = round(seconds, 1)
    return timings


def _median_ms(conn, sql: str, params, n: int) -> float:
    _exec(conn, sql, params)  # warm-up
    return round(statistics.median(_exec(conn, sql, params) for _ in range(n)) * 1000, 1)


def _size_mb(conn, table: str) -> float:
    # A partitioned table's own size is 0: sum its partitions (pg_partition_tree, PostgreSQL 12+,
    # which lists nothing for a plain table).
    sql = ("SELECT greatest(pg_total_relation_size(%s::regclass),"
           " (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(%s::regclass)))")
    return round(float(_one(conn, sql, (table, table))[0]) / 2**20, 1)


def _measure(conn, name: str, spec: dict, newest: int, n: int) -> dict:
    rows = _one(conn, f"SELECT count(*) FROM plain_{name}")[0]  # noqa: S608 - our own scratch tables
    result: dict = {"rows_total": rows, "rows_per_year": rows // YEARS,
                    "size_mb": {"plain": _size_mb(conn, f"plain_{name}"), "partitioned": _size_mb(conn, f"part_{name}")}}
    agg = {layout: _median_ms(conn, spec["aggregate"].format(table=f"{layout}_{name}"), (newest,), n)
           for layout in ("plain", "part")}
    result["aggregate_one_year_ms"] = {"plain": agg["plain"], "partitioned": agg["part"],
                                       "speedup": round(agg["plain"] / agg["part"], 2) if agg["part"] else None}
    ids = [r[0] for r in _all(conn, f"SELECT DISTINCT student_id FROM stage_{name} LIMIT 5000")]  # noqa: S608
    sample = random.Random(2026).sample(ids, min(200, len(ids)))
    lookup = {}
    for layout in ("plain", "part"):
        sql = f"SELECT * FROM {layout}_{name} WHERE student_id = %s"  # noqa: S608
        _exec(conn, sql, (sample[0],))
        started = time.perf_counter()
        for sid in sample:
            _exec(conn, sql, (sid,))
        lookup[layout] = round((time.perf_counter() - started) / len(sample) * 1000, 3)
    result["pupil_lookup_all_years_ms"] = {"plain": lookup["plain"], "partitioned": lookup["part"],
                                           "n": len(sample)}
    oldest = newest - YEARS + 1
    delete = _exec(conn, f"DELETE FROM plain_{name} WHERE school_year = %s", (oldest,))  # noqa: S608
    vacuum = _exec(conn, f"VACUUM plain_{name}")
    drop = _exec(conn, f"ALTER TABLE part_{name} DETACH PARTITION part_{name}_{oldest}")
    drop += _exec(conn, f"DROP TABLE part_{name}_{oldest}")
    result["drop_oldest_year_ms"] = {
        "plain_delete": round(delete * 1000, 1), "plain_vacuum_after": round(vacuum * 1000, 1),
        "partitioned_detach_drop": round(drop * 1000, 1),
        "speedup": round((delete + vacuum) / drop, 1) if drop else None}
    return result


def _all(conn, sql: str, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


NATIONAL_PUPILS = 24_000_000
SIZED_TABLES = ["students_student", "students_enrollment", "students_academicresult", "students_physicalrecord",
                "teachers_staffmember", "schools_school", "dashboards_schoolstats"]


def table_sizes(conn) -> dict:
    """Rows, bytes per row (heap + indexes) and the national extrapolation of the largest tables,
    scaled by the ratio of national pupils (24 million) to the pupils in this database."""
    pupils = _one(conn, "SELECT count(*) FROM students_student")[0]
    factor = NATIONAL_PUPILS / pupils if pupils else 0
    out: dict = {"pupils": pupils, "national_factor": round(factor, 2), "tables": {}}
    for table in SIZED_TABLES:
        rows = _one(conn, f"SELECT count(*) FROM {table}")[0]  # noqa: S608 - our constants
        heap, index = _one(conn, "SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)", (table, table))
        out["tables"][table] = {
            "rows": rows, "table_mb": round(heap / 2**20), "indexes_mb": round(index / 2**20),
            "bytes_per_row": round((heap + index) / rows) if rows else None,
            "national_rows_m": round(rows * factor / 1e6, 2), "national_gb": round((heap + index) * factor / 2**30, 1)}
    size = _one(conn, "SELECT pg_database_size(current_database())")[0]
    out["database_gb"] = round(size / 2**30, 2)
    out["national_database_gb"] = round(size * factor / 2**30, 1)
    return out


def run(quick: bool) -> dict:
    source_url, scratch_url, admin_url = _urls()
    n = 3 if quick else 5
    sample = "WHERE student_id % 25 = 0" if quick else ""
    with closing(_connect(source_url)) as src:
        newest = _one(src, "SELECT max(school_year) FROM students_academicresult")[0]
        if newest is None:
            return {"status": "missing", "reason": "the bench database holds no results (seed it first)"}
        sizes = table_sizes(src)
    with closing(_connect(admin_url)) as admin:
        _exec(admin, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        _exec(admin, f'CREATE DATABASE "{SCRATCH}"')
    report: dict = {"database": SCRATCH, "school_years": [newest - k for k in range(YEARS)],
                    "sample": "every 25th pupil" if quick else "all rows of the bench database", "runs": n,
                    "sizes": sizes}
    try:
        with closing(_connect(scratch_url)) as conn:
            for name, spec in TABLES.items():
                _exec(conn, f"CREATE UNLOGGED TABLE stage_{name} ({spec['columns']})")
                started = time.perf_counter()
                _copy(source_url, scratch_url,
                      f"SELECT {spec['names']} FROM {spec['source']} {sample}",  # noqa: S608 - our constants
                      f"stage_{name}")
                copied = time.perf_counter() - started
                load = _build(conn, name, spec, newest)
                report[name] = {"copy_seconds": round(copied, 1), "load_seconds": load}
                report[name].update(_measure(conn, name, spec, newest, n))
                _exec(conn, f"DROP TABLE plain_{name}, part_{name}, stage_{name}")
    finally:
        with closing(_connect(admin_url)) as admin:
            _exec(admin, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    return report


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
