"""Set-based writes of validated rows: COPY into a temporary table, then one INSERT ... ON CONFLICT
or UPDATE ... FROM per table, inside the caller's transaction. Only rows whose values differ are
touched, so `updated_at` (which drives incremental sync) moves for changed records only.

Each writer re-checks, under the transaction, what validation found in the database (a record
moved to another school, an ID number taken) and raises StaleUpload if the data changed since.
"""
from __future__ import annotations

import logging
import time

from django.db import connection

from edu_portal.common.exceptions import AppError
from uploads.schema import RecordImporter

logger = logging.getLogger(__name__)


class _Timed:
    """A psycopg2 cursor whose statements log their duration (DEBUG), for tuning and the bench."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor

    def execute(self, sql, params=None):
        started = time.perf_counter()
        self.cursor.execute(sql, params)
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


def _first(cursor, sql: str, params) -> int | None:
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


def _hold_claims(cur, *, table: str, code: str, context, noun: str) -> list[int]:
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


def _identity_changed_ids(cur, *, table: str, code: str) -> list[int]:
    """Ids of the staged 'changed' people whose identity fields differ from the stored ones."""
    cur.execute(f"SELECT s.id FROM {table} s JOIN upload_stage t ON s.{code} = t.{code}"  # noqa: S608 - fixed names
                f" WHERE t.state = 'changed' AND {IDENTITY_DIFFERS}")
    return [r[0] for r in cur.fetchall()]


def write_pupils(*, context, now, staged_path, importer) -> dict:
    """Pupils and their enrollment for the school year at this school."""
    school_id, year = context.school.pk, context.school_year
    with connection.cursor() as c:
        cur = _Timed(c.cursor)
        staged = copy_stage(cur, importer, staged_path)
        if not staged:
            return {"new": 0, "changed": 0, "queued": []}
        cur.execute("ANALYZE upload_stage")
        row = _first(cur, """SELECT t.rownum FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
                             WHERE s.school_id <> %s OR t.state = 'new' LIMIT 1""", [school_id])
        if row:
            raise StaleUpload(f"dòng {row}: học sinh đã được thêm hoặc đã ở trường khác")
        held = _hold_claims(cur, table="students_student", code="pupil_code", context=context, noun="học sinh")
        # Identity changes send the record back to verification (queued, or invalid_id without a number).
        identity_changed = _identity_changed_ids(cur, table="students_student", code="pupil_code")
        cur.execute(
            f"""UPDATE students_student s SET {VERIFICATION_RESET}, {HOLD_SET},
                   id_number = t.id_number, full_name = t.full_name, date_of_birth = t.date_of_birth,
                   gender = t.gender, ethnicity = t.ethnicity, birth_province_id = t.birth_province_id,
                   updated_at = %s
               FROM upload_stage t
               WHERE t.state = 'changed' AND s.pupil_code = t.pupil_code
                 AND ((s.id_number, s.full_name, s.date_of_birth, s.gender, s.ethnicity, s.birth_province_id)
                      IS DISTINCT FROM
                      (t.id_number, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.birth_province_id)
                      OR {HOLD_DIFFERS})""",  # noqa: S608
            [now])
        # New pupils and their enrollment in one statement: the enrollment joins the rows just
        # inserted, not the whole pupil table.
        cur.execute(
            """WITH ins AS (
                   INSERT INTO students_student (created_at, updated_at, verification_status, verification_attempts,
                       verification_error, verification_mismatch_fields, pupil_code, id_number, id_number_hold,
                       full_name, date_of_birth, gender, ethnicity, birth_province_id, school_id)
                   SELECT %(now)s, %(now)s, CASE WHEN t.id_number IS NULL THEN 'invalid_id' ELSE 'queued' END,
                          0, '', '{}', t.pupil_code, t.id_number, t.hold, t.full_name, t.date_of_birth, t.gender,
                          t.ethnicity, t.birth_province_id, %(school)s
                   FROM upload_stage t WHERE t.state = 'new'
                   RETURNING id, pupil_code, verification_status),
               enr AS (
                   INSERT INTO students_enrollment (created_at, updated_at, student_id, school_year, school_id, grade,
                       class_name, status)
                   SELECT %(now)s, %(now)s, ins.id, %(year)s, %(school)s, t.grade, t.class_name, 'studying'
                   FROM ins JOIN upload_stage t ON t.pupil_code = ins.pupil_code)
               SELECT (SELECT count(*) FROM ins), ARRAY(SELECT id FROM ins WHERE verification_status = 'queued')""",
            {"now": now, "school": school_id, "year": year})
        inserted, queued_new = cur.fetchone()
        cur.execute(
            """INSERT INTO students_enrollment (created_at, updated_at, student_id, school_year, school_id, grade,
                   class_name, status)
               SELECT %s, %s, s.id, %s, %s, t.grade, t.class_name, 'studying'
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               WHERE t.state = 'changed'
               ON CONFLICT (student_id, school_year) DO UPDATE SET grade = EXCLUDED.grade,
                   class_name = EXCLUDED.class_name, school_id = EXCLUDED.school_id, updated_at = EXCLUDED.updated_at
               WHERE (students_enrollment.grade, students_enrollment.class_name, students_enrollment.school_id)
                     IS DISTINCT FROM (EXCLUDED.grade, EXCLUDED.class_name, EXCLUDED.school_id)""",
            [now, now, year, school_id])
    return {"new": inserted, "changed": staged - inserted, "queued": queued_new + identity_changed,
            "held": len(held)}


def write_staff(*, context, now, staged_path, importer) -> dict:
    school_id = context.school.pk
    with connection.cursor() as c:
        cur = _Timed(c.cursor)
        staged = copy_stage(cur, importer, staged_path)
        if not staged:
            return {"new": 0, "changed": 0, "queued": []}
        row = _first(cur, """SELECT t.rownum FROM upload_stage t JOIN teachers_staffmember s
                             ON s.staff_code = t.staff_code WHERE s.school_id <> %s OR t.state = 'new' LIMIT 1""",
                     [school_id])
        if row:
            raise StaleUpload(f"dòng {row}: cán bộ đã được thêm hoặc đã ở trường khác")
        held = _hold_claims(cur, table="teachers_staffmember", code="staff_code", context=context, noun="cán bộ")
        identity_changed = _identity_changed_ids(cur, table="teachers_staffmember", code="staff_code")
        cur.execute(
            f"""UPDATE teachers_staffmember s SET {VERIFICATION_RESET}, {HOLD_SET},
                   id_number = t.id_number, full_name = t.full_name, date_of_birth = t.date_of_birth,
                   gender = t.gender, ethnicity = t.ethnicity, position = t.position, main_subject = t.main_subject,
                   qualification = t.qualification, meets_qualification_standard = t.meets_qualification_standard,
                   employment_status = t.employment_status, updated_at = %s
               FROM upload_stage t
               WHERE t.state = 'changed' AND s.staff_code = t.staff_code
                 AND ((s.id_number, s.full_name, s.date_of_birth, s.gender, s.ethnicity, s.position, s.main_subject,
                       s.qualification, s.meets_qualification_standard, s.employment_status)
                      IS DISTINCT FROM
                      (t.id_number, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.position, t.main_subject,
                       t.qualification, t.meets_qualification_standard, t.employment_status)
                      OR {HOLD_DIFFERS})""", [now])  # noqa: S608 - fixed SQL
        cur.execute(
            """INSERT INTO teachers_staffmember (created_at, updated_at, verification_status, verification_attempts,
                   verification_error, verification_mismatch_fields, staff_code, id_number, id_number_hold, full_name,
                   date_of_birth, gender, ethnicity, position, main_subject, qualification, meets_qualification_standard,
                   school_id, employment_status)
               SELECT %s, %s, CASE WHEN t.id_number IS NULL THEN 'invalid_id' ELSE 'queued' END, 0, '', '{}',
                      t.staff_code, t.id_number, t.hold, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.position,
                      t.main_subject, t.qualification, t.meets_qualification_standard, %s, t.employment_status
               FROM upload_stage t WHERE t.state = 'new'
               RETURNING id, verification_status""", [now, now, school_id])
        inserted = cur.fetchall()
    queued = [pk for pk, status in inserted if status == "queued"] + identity_changed
    return {"new": len(inserted), "changed": staged - len(inserted), "queued": queued, "held": len(held)}


def _check_pupils_here(cur, school_id: int) -> None:
    row = _first(cur, """SELECT t.rownum FROM upload_stage t LEFT JOIN students_student s
                         ON s.pupil_code = t.pupil_code AND s.school_id = %s WHERE s.id IS NULL LIMIT 1""",
                 [school_id])
    if row:
        raise StaleUpload(f"dòng {row}: học sinh không còn thuộc trường")


def write_results(*, context, now, staged_path, importer) -> dict:
    school_id = context.school.pk
    with connection.cursor() as c:
        cur = _Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            return {"new": 0, "changed": 0, "queued": []}
        _check_pupils_here(cur, school_id)
        cur.execute(
            """INSERT INTO students_academicresult (created_at, updated_at, student_id, school_id, school_year, term,
                   learning_rating, conduct_rating, subject_scores)
               SELECT %s, %s, s.id, s.school_id, t.school_year, t.term, t.learning_rating, t.conduct_rating,
                      t.subject_scores_json
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               ON CONFLICT (student_id, school_year, term) DO UPDATE SET school_id = EXCLUDED.school_id,
                   learning_rating = EXCLUDED.learning_rating, conduct_rating = EXCLUDED.conduct_rating,
                   subject_scores = EXCLUDED.subject_scores, updated_at = EXCLUDED.updated_at
               WHERE (students_academicresult.learning_rating, students_academicresult.conduct_rating,
                      students_academicresult.subject_scores, students_academicresult.school_id)
                     IS DISTINCT FROM
                     (EXCLUDED.learning_rating, EXCLUDED.conduct_rating, EXCLUDED.subject_scores, EXCLUDED.school_id)
               RETURNING (xmax = 0)""", [now, now])
        flags = [r[0] for r in cur.fetchall()]
    return {"new": sum(flags), "changed": len(flags) - sum(flags), "queued": []}


def write_physical(*, context, now, staged_path, importer) -> dict:
    school_id = context.school.pk
    with connection.cursor() as c:
        cur = _Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            return {"new": 0, "changed": 0, "queued": []}
        _check_pupils_here(cur, school_id)
        cur.execute(
            """INSERT INTO students_physicalrecord (created_at, updated_at, student_id, school_id, school_year,
                   measured_on, height_cm, weight_kg, bmi, bmi_z_score, nutrition_status)
               SELECT %s, %s, s.id, s.school_id, t.school_year, t.measured_on, t.height_cm, t.weight_kg, t.bmi,
                      t.bmi_z_score, t.nutrition_status
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               ON CONFLICT (student_id, measured_on) DO UPDATE SET school_id = EXCLUDED.school_id,
                   school_year = EXCLUDED.school_year, height_cm = EXCLUDED.height_cm,
                   weight_kg = EXCLUDED.weight_kg, bmi = EXCLUDED.bmi, bmi_z_score = EXCLUDED.bmi_z_score,
                   nutrition_status = EXCLUDED.nutrition_status, updated_at = EXCLUDED.updated_at
               WHERE (students_physicalrecord.height_cm, students_physicalrecord.weight_kg,
                      students_physicalrecord.school_id)
                     IS DISTINCT FROM (EXCLUDED.height_cm, EXCLUDED.weight_kg, EXCLUDED.school_id)
               RETURNING (xmax = 0)""", [now, now])
        flags = [r[0] for r in cur.fetchall()]
    return {"new": sum(flags), "changed": len(flags) - sum(flags), "queued": []}


def write_schools(*, context, now, staged_path, importer) -> dict:
    scope = context.scope
    with connection.cursor() as c:
        cur = _Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            return {"new": 0, "changed": 0, "queued": []}
        if scope.kind != "country":
            row = _first(cur, """SELECT t.rownum FROM upload_stage t LEFT JOIN schools_school s ON s.code = t.code
                                 WHERE t.province_id <> %s OR s.province_id <> %s LIMIT 1""",
                         [scope.province_code, scope.province_code])
            if row:
                raise StaleUpload(f"dòng {row}: trường nằm ngoài phạm vi")
        cur.execute(
            """INSERT INTO schools_school (created_at, updated_at, code, name, level, ownership, province_id,
                   commune_id, address, status)
               SELECT %s, %s, t.code, t.name, t.level, t.ownership, t.province_id, t.commune_id, t.address, t.status
               FROM upload_stage t
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,
                   ownership = EXCLUDED.ownership, province_id = EXCLUDED.province_id,
                   commune_id = EXCLUDED.commune_id, address = EXCLUDED.address, status = EXCLUDED.status,
                   updated_at = EXCLUDED.updated_at
               WHERE (schools_school.name, schools_school.level, schools_school.ownership, schools_school.province_id,
                      schools_school.commune_id, schools_school.address, schools_school.status)
                     IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.ownership, EXCLUDED.province_id,
                      EXCLUDED.commune_id, EXCLUDED.address, EXCLUDED.status)
               RETURNING id, (xmax = 0)""", [now, now])
        rows = cur.fetchall()
    new = sum(1 for _, inserted in rows if inserted)
    return {"new": new, "changed": len(rows) - new, "queued": [], "school_ids": [pk for pk, _ in rows]}


WRITERS = {"pupils": write_pupils, "staff": write_staff, "results": write_results, "physical": write_physical,
           "schools": write_schools}
QUEUE_KIND = {"pupils": "student", "staff": "staff"}
