"""Set-based writes of validated upload rows of schools (see edu_portal/common/importing/writing.py)."""
from __future__ import annotations

from django.db import connection

from edu_portal.common.importing.writing import (
    StaleUpload,
    Timed,
    copy_stage,
    first_value,
)


def write_schools(*, context, now, staged_path, importer) -> dict:
    scope = context.scope
    with connection.cursor() as c:
        cur = Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            return {"new": 0, "changed": 0, "queued": []}
        if scope.kind != "country":
            row = first_value(cur, """SELECT t.rownum FROM upload_stage t LEFT JOIN schools_school s ON s.code = t.code
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
