"""Set-based writes of validated upload rows of pupils, results and measurements (see
edu_portal/common/importing/writing.py); the SQL is benchmarked (bench/uploads.py): keep it set-based."""
from __future__ import annotations

from django.db import connection

from edu_portal.common.importing.writing import (
    HOLD_DIFFERS,
    HOLD_SET,
    VERIFICATION_RESET,
    StaleUpload,
    Timed,
    copy_stage,
    first_value,
    hold_claims,
    identity_changed_ids,
)

from .preschool import age_group_sql

# Preschool age group of the staged row (students.preschool): derived at every write, never uploaded.
STAGED_AGE_GROUP = age_group_sql(grade="t.grade", date_of_birth="t.date_of_birth", school_year="%(year)s")


def write_pupils(*, context, now, staged_path, importer) -> dict:
    """Pupils and their enrollment for the school year at this school."""
    school_id, year = context.school.pk, context.school_year
    with connection.cursor() as c:
        cur = Timed(c.cursor)
        staged = copy_stage(cur, importer, staged_path)
        if not staged:
            return {"new": 0, "changed": 0, "queued": []}
        cur.execute("ANALYZE upload_stage")
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
                             WHERE s.school_id <> %s OR t.state = 'new' LIMIT 1""", [school_id])
        if row:
            raise StaleUpload(f"dòng {row}: học sinh đã được thêm hoặc đã ở trường khác")
        held = hold_claims(cur, table="students_student", code="pupil_code", context=context, noun="học sinh")
        # Identity changes send the record back to verification (queued, or invalid_id without a number).
        identity_changed = identity_changed_ids(cur, table="students_student", code="pupil_code")
        cur.execute(
            f"""UPDATE students_student s SET {VERIFICATION_RESET}, {HOLD_SET},
                   id_number = t.id_number, full_name = t.full_name, date_of_birth = t.date_of_birth,
                   gender = t.gender, ethnicity = t.ethnicity, birth_province_id = t.birth_province_id,
                   id_number_missing_reason = t.id_number_missing_reason,
                   id_number_missing_note = t.id_number_missing_note, updated_at = %s
               FROM upload_stage t
               WHERE t.state = 'changed' AND s.pupil_code = t.pupil_code
                 AND ((s.id_number, s.full_name, s.date_of_birth, s.gender, s.ethnicity, s.birth_province_id,
                       s.id_number_missing_reason, s.id_number_missing_note)
                      IS DISTINCT FROM
                      (t.id_number, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.birth_province_id,
                       t.id_number_missing_reason, t.id_number_missing_note)
                      OR {HOLD_DIFFERS})""",  # noqa: S608
            [now])
        # New pupils and their enrollment in one statement: the enrollment joins the rows just
        # inserted, not the whole pupil table.
        cur.execute(
            f"""WITH ins AS (
                   INSERT INTO students_student (created_at, updated_at, verification_status, verification_attempts,
                       verification_error, verification_mismatch_fields, pupil_code, id_number, id_number_hold,
                       full_name, date_of_birth, gender, ethnicity, birth_province_id, school_id,
                       id_number_missing_reason, id_number_missing_note)
                   SELECT %(now)s, %(now)s, CASE WHEN t.id_number IS NULL THEN 'invalid_id' ELSE 'queued' END,
                          0, '', '{{}}', t.pupil_code, t.id_number, t.hold, t.full_name, t.date_of_birth, t.gender,
                          t.ethnicity, t.birth_province_id, %(school)s, t.id_number_missing_reason,
                          t.id_number_missing_note
                   FROM upload_stage t WHERE t.state = 'new'
                   RETURNING id, pupil_code, verification_status),
               enr AS (
                   INSERT INTO students_enrollment (created_at, updated_at, student_id, school_year, school_id, grade,
                       class_name, status, age_group)
                   SELECT %(now)s, %(now)s, ins.id, %(year)s, %(school)s, t.grade, t.class_name, 'studying',
                          {STAGED_AGE_GROUP}
                   FROM ins JOIN upload_stage t ON t.pupil_code = ins.pupil_code)
               SELECT (SELECT count(*) FROM ins), ARRAY(SELECT id FROM ins WHERE verification_status = 'queued'),
                      ARRAY(SELECT id FROM ins)""",  # noqa: S608
            {"now": now, "school": school_id, "year": year})
        inserted, queued_new, new_ids = cur.fetchone()
        cur.execute(
            f"""INSERT INTO students_enrollment (created_at, updated_at, student_id, school_year, school_id, grade,
                   class_name, status, age_group)
               SELECT %(now)s, %(now)s, s.id, %(year)s, %(school)s, t.grade, t.class_name, 'studying',
                      {STAGED_AGE_GROUP}
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               WHERE t.state = 'changed'
               ON CONFLICT (student_id, school_year) WHERE status <> 'transferred_out' DO UPDATE SET grade = EXCLUDED.grade,
                   class_name = EXCLUDED.class_name, school_id = EXCLUDED.school_id, age_group = EXCLUDED.age_group,
                   updated_at = EXCLUDED.updated_at
               WHERE (students_enrollment.grade, students_enrollment.class_name, students_enrollment.school_id,
                      students_enrollment.age_group)
                     IS DISTINCT FROM (EXCLUDED.grade, EXCLUDED.class_name, EXCLUDED.school_id, EXCLUDED.age_group)""",  # noqa: S608
            {"now": now, "year": year, "school": school_id})
        # A corrected date of birth moves the pupil's preschool enrollments of other years too.
        other_years = age_group_sql(grade="e.grade", date_of_birth="s.date_of_birth", school_year="e.school_year")
        cur.execute(
            f"""UPDATE students_enrollment e SET age_group = {other_years}, updated_at = %s
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               WHERE t.state = 'changed' AND e.student_id = s.id AND e.grade = 0 AND e.school_year <> %s
                 AND e.age_group IS DISTINCT FROM {other_years}""",  # noqa: S608
            [now, year])
    # "identity": new pupils and those whose identity changed, with or without a number: the duplicate
    # finder looks at them (students.duplicates_scan_pupils).
    return {"new": inserted, "changed": staged - inserted, "queued": queued_new + identity_changed,
            "identity": new_ids + identity_changed, "held": len(held)}


def _check_pupils_here(cur, school_id: int) -> None:
    row = first_value(cur, """SELECT t.rownum FROM upload_stage t LEFT JOIN students_student s
                         ON s.pupil_code = t.pupil_code AND s.school_id = %s WHERE s.id IS NULL LIMIT 1""",
                 [school_id])
    if row:
        raise StaleUpload(f"dòng {row}: học sinh không còn thuộc trường")


def write_results(*, context, now, staged_path, importer) -> dict:
    school_id = context.school.pk
    with connection.cursor() as c:
        cur = Timed(c.cursor)
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
        cur = Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            return {"new": 0, "changed": 0, "queued": []}
        _check_pupils_here(cur, school_id)
        cur.execute(
            """INSERT INTO students_physicalrecord (created_at, updated_at, student_id, school_id, school_year,
                   measured_on, height_cm, weight_kg, bmi, bmi_z_score, nutrition_status, height_z_score,
                   height_status)
               SELECT %s, %s, s.id, s.school_id, t.school_year, t.measured_on, t.height_cm, t.weight_kg, t.bmi,
                      t.bmi_z_score, t.nutrition_status, t.height_z_score, t.height_status
               FROM upload_stage t JOIN students_student s ON s.pupil_code = t.pupil_code
               ON CONFLICT (student_id, measured_on) DO UPDATE SET school_id = EXCLUDED.school_id,
                   school_year = EXCLUDED.school_year, height_cm = EXCLUDED.height_cm,
                   weight_kg = EXCLUDED.weight_kg, bmi = EXCLUDED.bmi, bmi_z_score = EXCLUDED.bmi_z_score,
                   nutrition_status = EXCLUDED.nutrition_status, height_z_score = EXCLUDED.height_z_score,
                   height_status = EXCLUDED.height_status, updated_at = EXCLUDED.updated_at
               WHERE (students_physicalrecord.height_cm, students_physicalrecord.weight_kg,
                      students_physicalrecord.school_id)
                     IS DISTINCT FROM (EXCLUDED.height_cm, EXCLUDED.weight_kg, EXCLUDED.school_id)
               RETURNING (xmax = 0)""", [now, now])
        flags = [r[0] for r in cur.fetchall()]
    return {"new": sum(flags), "changed": len(flags) - sum(flags), "queued": []}
