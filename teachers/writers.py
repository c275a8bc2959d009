"""Set-based writes of validated upload rows of staff members (see
edu_portal/common/importing/writing.py); the SQL is benchmarked (bench/uploads.py): keep it set-based.
The training standard arrives staged: the importer derives it per row with teachers/standards.py (the one
rule), so no SQL here restates it."""
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


def write_staff(*, context, now, staged_path, importer) -> dict:
    school_id = context.school.pk
    with connection.cursor() as c:
        cur = Timed(c.cursor)
        staged = copy_stage(cur, importer, staged_path)
        if not staged:
            return {"new": 0, "changed": 0, "queued": []}
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t JOIN teachers_staffmember s
                             ON s.staff_code = t.staff_code WHERE s.school_id <> %s OR t.state = 'new' LIMIT 1""",
                     [school_id])
        if row:
            raise StaleUpload(f"dòng {row}: cán bộ đã được thêm hoặc đã ở trường khác")
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t JOIN teachers_staffmember s
                             ON s.staff_code = t.staff_code JOIN teachers_staffreassignment r ON r.staff_id = s.id
                             WHERE t.state = 'changed' AND r.status = 'pending' LIMIT 1""", [])
        if row:
            raise StaleUpload(f"dòng {row}: cán bộ đã vào thủ tục điều chuyển công tác")
        held = hold_claims(cur, table="teachers_staffmember", code="staff_code", context=context, noun="cán bộ")
        identity_changed = identity_changed_ids(cur, table="teachers_staffmember", code="staff_code")
        cur.execute(
            f"""UPDATE teachers_staffmember s SET {VERIFICATION_RESET}, {HOLD_SET},
                   id_number = t.id_number, full_name = t.full_name, date_of_birth = t.date_of_birth,
                   gender = t.gender, ethnicity = t.ethnicity, position = t.position, main_subject = t.main_subject,
                   qualification = t.qualification, training_field = t.training_field,
                   pedagogy_certificate = t.pedagogy_certificate, qualification_standard = t.qualification_standard,
                   meets_qualification_standard = t.meets_qualification_standard,
                   employment_status = t.employment_status, updated_at = %s
               FROM upload_stage t
               WHERE t.state = 'changed' AND s.staff_code = t.staff_code
                 AND ((s.id_number, s.full_name, s.date_of_birth, s.gender, s.ethnicity, s.position, s.main_subject,
                       s.qualification, s.training_field, s.pedagogy_certificate, s.qualification_standard,
                       s.meets_qualification_standard, s.employment_status)
                      IS DISTINCT FROM
                      (t.id_number, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.position, t.main_subject,
                       t.qualification, t.training_field, t.pedagogy_certificate, t.qualification_standard,
                       t.meets_qualification_standard, t.employment_status)
                      OR {HOLD_DIFFERS})""", [now])  # noqa: S608 - fixed SQL
        cur.execute(
            """INSERT INTO teachers_staffmember (created_at, updated_at, verification_status, verification_attempts,
                   verification_error, verification_mismatch_fields, staff_code, id_number, id_number_hold, full_name,
                   date_of_birth, gender, ethnicity, position, main_subject, qualification, training_field,
                   pedagogy_certificate, qualification_standard, meets_qualification_standard, school_id,
                   employment_status)
               SELECT %s, %s, CASE WHEN t.id_number IS NULL THEN 'invalid_id' ELSE 'queued' END, 0, '', '{}',
                      t.staff_code, t.id_number, t.hold, t.full_name, t.date_of_birth, t.gender, t.ethnicity, t.position,
                      t.main_subject, t.qualification, t.training_field, t.pedagogy_certificate,
                      t.qualification_standard, t.meets_qualification_standard, %s, t.employment_status
               FROM upload_stage t WHERE t.state = 'new'
               RETURNING id, verification_status""", [now, now, school_id])
        inserted = cur.fetchall()
        # Each new member's posting at this school (quá trình công tác), as staff_create opens it.
        cur.execute("""INSERT INTO teachers_staffposting (staff_id, school_id, position, end_reason, created_at)
                       SELECT id, school_id, position, '', %s FROM teachers_staffmember WHERE id = ANY(%s)""",
                    [now, [pk for pk, _status in inserted]])
    queued = [pk for pk, status in inserted if status == "queued"] + identity_changed
    return {"new": len(inserted), "changed": staged - len(inserted), "queued": queued, "held": len(held)}


def staff_postings_open_missing(cursor, *, province_id: str) -> int:
    """Open a posting (quá trình công tác) at their school for each staff member of a province who has
    none: rows bulk-loaded without the services (the demo and national loads COPY staff). Start date
    unknown, as for the members teachers/migrations/0007 backfilled; safe to run twice."""
    cursor.execute("""INSERT INTO teachers_staffposting (staff_id, school_id, position, end_reason, created_at)
                      SELECT m.id, m.school_id, m.position, '', now()
                      FROM teachers_staffmember m JOIN schools_school s ON s.id = m.school_id
                      WHERE s.province_id = %s
                        AND NOT EXISTS (SELECT 1 FROM teachers_staffposting p WHERE p.staff_id = m.id)""",
                   [province_id])
    return cursor.rowcount
