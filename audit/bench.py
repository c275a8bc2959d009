"""What the audit triggers cost on bulk writes: the same COPY / UPDATE / DELETE of N pupil rows on two
scratch copies of students_student, one with the audit triggers and one without.

    DATABASE_URL=postgres://... .venv/bin/python -m audit.bench [rows]

Everything happens in one transaction that is rolled back: nothing is left behind (no audit rows
either), and the real tables are not locked. The scratch tables have the real table's columns,
defaults and indexes (not its foreign keys, which cost the same with or without the triggers).
"""
from __future__ import annotations

import io
import os
import sys
import time

import psycopg2

TRIGGERS = """
CREATE TRIGGER audit_insert AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_insert('bench.student', '{{updated_at}}', '{{}}');
CREATE TRIGGER audit_update AFTER UPDATE ON {t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_update('bench.student', '{{updated_at}}', '{{}}');
CREATE TRIGGER audit_delete AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_delete('bench.student', '{{updated_at}}', '{{}}');
"""
COLUMNS = ("created_at, updated_at, verification_status, verification_attempts, verification_error, "
           "verification_mismatch_fields, pupil_code, id_number, full_name, date_of_birth, gender, ethnicity, "
           "school_id")


def rows(n: int) -> io.StringIO:
    return io.StringIO("".join(
        f"2026-09-05T00:00:00Z\t2026-09-05T00:00:00Z\tunverified\t0\t\t{{}}\tBENCH{i:08d}\t0012150{i:05d}\t"
        f"Nguyễn Thị Học Sinh {i}\t2015-03-0{1 + i % 9}\tF\tKinh\t1\n" for i in range(n)))


def timed(cursor, label: str, results: dict, sql: str | None = None, data: io.StringIO | None = None) -> None:
    started = time.perf_counter()
    if data is not None:
        cursor.copy_expert(sql, data)
    else:
        cursor.execute(sql)
    results[label] = time.perf_counter() - started


def main(n: int) -> None:
    url = os.environ.get("DATABASE_URL", "postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal")
    conn = psycopg2.connect(url)
    out = {}
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('edu_portal.door', 'shell', true), "
                        "set_config('edu_portal.actor', 'audit.bench', true)")
            for kind in ("plain", "audited"):
                table = f"audit_bench_{kind}"
                cur.execute(f"CREATE TABLE {table} (LIKE students_student INCLUDING DEFAULTS INCLUDING INDEXES "  # noqa: S608
                            "INCLUDING IDENTITY)")
                if kind == "audited":
                    cur.execute(TRIGGERS.format(t=table))
                res = out[kind] = {}
                timed(cur, "COPY insert", res, f"COPY {table} ({COLUMNS}) FROM STDIN", rows(n))
                timed(cur, "UPDATE, 1 column changed", res,
                      f"UPDATE {table} SET ethnicity = 'Tày', updated_at = now()")  # noqa: S608
                timed(cur, "UPDATE, nothing changed", res,
                      f"UPDATE {table} SET ethnicity = 'Tày', updated_at = now()")  # noqa: S608
                timed(cur, "DELETE", res, f"DELETE FROM {table}")  # noqa: S608
            cur.execute("SELECT count(*), pg_size_pretty(sum(pg_column_size(a.*))) FROM audit_auditevent a "
                        "WHERE model = 'bench.student'")
            events, size = cur.fetchone()
    finally:
        conn.rollback()
        conn.close()
    print(f"{n:,} rows; audit rows written: {events:,} ({size} of row data)")
    print(f"{'statement':28} {'no triggers':>12} {'audited':>10} {'ratio':>7}")
    for label, plain in out["plain"].items():
        audited = out["audited"][label]
        print(f"{label:28} {plain:10.2f} s {audited:8.2f} s {audited / plain:6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
