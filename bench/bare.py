"""The pupils' tables stripped to the physical ceiling of a write, inside a transaction that is rolled back:
secondary indexes dropped and the triggers of the features disabled (bench/uploads.py, bench/write_path.py).

DROP INDEX, DROP CONSTRAINT and DISABLE TRIGGER are transactional in PostgreSQL: the rollback brings them
back untouched. They take an exclusive lock on the table: only on a benchmark database of its own.
"""
from __future__ import annotations

TABLES = ("students_student", "students_enrollment")
# Trigger groups by name prefix (audit/migrations, students/migrations, reporting/migrations).
TRIGGER_GROUPS = {"audit": "audit_", "pupil names": "pupil_names_", "period lock": "period_lock_",
                  "school changed": "school_changed_"}


def secondary_indexes(cursor) -> list[tuple[str, str, str | None]]:
    """(table, index, constraint or None) of every index of TABLES but the primary keys."""
    cursor.execute("""SELECT i.indrelid::regclass::text, c.relname, con.conname
                      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                      LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('u', 'x')
                      WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
                      ORDER BY 1, 2""", [list(TABLES)])
    return cursor.fetchall()


def drop_index(cursor, table: str, index: str, constraint: str | None) -> None:
    if constraint:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    else:
        cursor.execute(f'DROP INDEX "{index}"')


def disable_triggers(cursor, prefix: str) -> None:
    cursor.execute("""SELECT tgrelid::regclass::text, tgname FROM pg_trigger
                      WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s) AND tgname LIKE %s""",
                   [list(TABLES), prefix + "%"])
    for table, name in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')


def strip(cursor) -> None:
    """Every secondary index dropped, every trigger group disabled (primary and foreign keys stay)."""
    cursor.execute("SET LOCAL lock_timeout = '10s'")
    for table, index, constraint in secondary_indexes(cursor):
        drop_index(cursor, table, index, constraint)
    for prefix in TRIGGER_GROUPS.values():
        disable_triggers(cursor, prefix)
