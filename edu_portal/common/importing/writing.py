"""What the set-based writers of every records app share (students/writers.py, teachers/writers.py,
schools/writers.py): COPY into a temporary table, then one INSERT ... ON CONFLICT or UPDATE ... FROM
per table, inside the caller's transaction. Only rows whose values differ are touched, so
`updated_at` (which drives incremental sync) moves for changed records only.

Each writer re-checks, under the transaction, what validation found in the database (a record
moved to another school, an ID number taken) and raises StaleUpload if the data changed since.
"""
from __future__ import annotations

import logging
import time

import psycopg2

from edu_portal.common.exceptions import AppError
from edu_portal.common.period_locks import locked_error

from .importer import RecordImporter

logger = logging.getLogger(__name__)


class Timed:
    """A psycopg2 cursor whose statements log their duration (DEBUG), for tuning and the bench."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor

    def execute(self, sql, params=None):
        started = time.perf_counter()
        try:
            self.cursor.execute(sql, params)
        except psycopg2.Error as exc:
            # The raw cursor passes Django's execute wrappers by: a reporting period's lock is translated here.
            error = locked_error(exc)
            if error is None:
                raise
            raise error from exc
        logger.debug("%.3f s  %s", time.perf_counter() - started, " ".join(sql.split())[:100])

    def copy_expert(self, sql, file):
        started = time.perf_counter()
        self.cursor.copy_expert(sql, file)
        logger.debug("%.3f s  %s", time.perf_counter() - started, sql[:100])

    def __getattr__(self, name):
        return getattr(self.cursor, name)


class StaleUpload(AppError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"Dữ liệu đã thay đổi kể từ lúc kiểm tra tệp ({detail}). Không có gì được ghi; hãy tải "
                         "tệp lên lại để kiểm tra lần nữa.", code="stale_upload", status_code=409)


def copy_stage(cursor, importer: RecordImporter, staged_path) -> int:
    """The staged rows (CSV written by validation) into the temporary table upload_stage."""
    columns = ", ".join(f"{name} {sqltype}" for name, sqltype in importer.stage_columns)
    cursor.execute("DROP TABLE IF EXISTS upload_stage")  # an earlier commit in this same transaction (tests)
    cursor.execute(f"CREATE TEMP TABLE upload_stage ({columns}, state varchar(9), rownum integer) ON COMMIT DROP")  # noqa: S608
    # Empty text is '' except in the columns that may be NULL.
    nullable = {"id_number", "birth_province_id"}
    text_columns = [name for name, sqltype in importer.stage_columns
                    if sqltype.startswith("varchar") and name not in nullable]
    not_null = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
    with open(staged_path, encoding="utf-8") as f:
        cursor.copy_expert(f"COPY upload_stage FROM STDIN WITH (FORMAT csv{not_null})", f)
    cursor.execute("SELECT count(*) FROM upload_stage")
    return cursor.fetchone()[0]


def first_value(cursor, sql: str, params) -> int | None:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return row[0] if row else None


# A person whose identity (ID number, name, date of birth, gender) changes goes back to
# verification: queued, or invalid_id without a number; the registry's old answer is dropped.
IDENTITY_DIFFERS = ("(s.id_number, s.full_name, s.date_of_birth, s.gender)"
                    " IS DISTINCT FROM (t.id_number, t.full_name, t.date_of_birth, t.gender)")
VERIFICATION_RESET = (
    f"verification_status = CASE WHEN {IDENTITY_DIFFERS}"
    " THEN CASE WHEN t.id_number IS NULL THEN 'invalid_id' ELSE 'queued' END ELSE s.verification_status END,"
    f" verification_mismatch_fields = CASE WHEN {IDENTITY_DIFFERS} THEN '{{}}' ELSE s.verification_mismatch_fields END"
)


def hold_claims(cur, *, table: str, code: str, context, noun: str) -> list[int]:
    """Staged ID numbers already confirmed on another person's record: refused when the uploader
    could see that record's number, else held (edu_portal/common/models.py), in column `hold`
    of the stage (0 = confirmed). Returns the row numbers held."""
    cur.execute("ALTER TABLE upload_stage ADD COLUMN hold bigint NOT NULL DEFAULT 0")
    cur.execute(f"""SELECT t.rownum, s.school_id, sc.province_id FROM upload_stage t
                    JOIN {table} s ON s.id_number = t.id_number AND s.id_number_hold = 0
                    JOIN schools_school sc ON sc.id = s.school_id
                    WHERE s.{code} <> t.{code}""")  # noqa: S608 - fixed names
    held = []
    for rownum, school_id, province_id in cur.fetchall():
        if context.scope.may_learn_owner(school_id=school_id, province_id=province_id):
            raise StaleUpload(f"dòng {rownum}: số định danh đã thuộc {noun} khác")
        held.append(rownum)
    if held:
        cur.execute("UPDATE upload_stage SET hold = 1 + floor(random() * 4e18)::bigint WHERE rownum = ANY(%s)",
                    [held])
        logger.warning("upload for school %s: %d ID number(s) held for review (claimed by another record)",
                       context.school.pk, len(held))
    return held


# A held claim keeps its ticket while it stays held; a claim no longer contested is confirmed.
HOLD_SET = ("id_number_hold = CASE WHEN (s.id_number_hold = 0) = (t.hold = 0) AND s.id_number = t.id_number"
            " THEN s.id_number_hold ELSE t.hold END")
HOLD_DIFFERS = "(s.id_number_hold = 0) IS DISTINCT FROM (t.hold = 0)"


def identity_changed_ids(cur, *, table: str, code: str) -> list[int]:
    """Ids of the staged 'changed' people whose identity fields differ from the stored ones."""
    cur.execute(f"SELECT s.id FROM {table} s JOIN upload_stage t ON s.{code} = t.{code}"  # noqa: S608 - fixed names
                f" WHERE t.state = 'changed' AND {IDENTITY_DIFFERS}")
    return [r[0] for r in cur.fetchall()]
