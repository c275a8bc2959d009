"""Set-based writes of validated upload rows of sites, their facilities and equipment (see
edu_portal/common/importing/writing.py): COPY into the stage, what validation found in the database checked
again under the transaction, then one INSERT ... ON CONFLICT per file. The audit triggers record the rows
(facilities/migrations/0002)."""
from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from edu_portal.common.importing.writing import StaleUpload, Timed, copy_stage, first_value

from .models import MAX_DISTANCE_KM, great_circle_km


def _out_of_scope(cur, scope) -> int | None:
    """A staged row of a school the importer no longer covers (validation checked it; a school may have
    moved province since)."""
    if scope.kind == "country":
        return None
    if scope.kind == "province":
        return first_value(cur, """SELECT t.rownum FROM upload_stage t JOIN schools_school sc ON sc.id = t.school_id
                                   WHERE sc.province_id <> %s LIMIT 1""", [scope.province_code])
    return first_value(cur, "SELECT rownum FROM upload_stage WHERE school_id <> %s LIMIT 1", [scope.school_id])


@contextmanager
def _staged(context, staged_path, importer):
    """The writer's cursor with the file's rows in upload_stage, each still in the uploader's scope; None for a
    file with no row to write."""
    with connection.cursor() as c:
        cur = Timed(c.cursor)
        if not copy_stage(cur, importer, staged_path):
            yield None
            return
        row = _out_of_scope(cur, context.scope)
        if row:
            raise StaleUpload(f"dòng {row}: trường nằm ngoài phạm vi")
        yield cur


NOTHING = {"new": 0, "changed": 0, "queued": []}


def _counts(rows) -> dict:
    new = sum(1 for _, inserted in rows if inserted)
    return {"new": new, "changed": len(rows) - new, "queued": [], "school_ids": sorted({pk for pk, _ in rows})}


SITE_VALUES = ("name", "commune_id", "address", "latitude", "longitude", "distance_km")


def write_sites(*, context, now, staged_path, importer) -> dict:
    with _staged(context, staged_path, importer) as cur:
        if cur is None:
            return dict(NOTHING)
        # One main site per school, and a site's kind never changes (services.site_create, site_update).
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t JOIN facilities_site s ON s.school_id = t.school_id
                                  WHERE (s.code = t.code AND s.kind <> t.kind)
                                     OR (t.kind = 'main' AND s.kind = 'main' AND s.code <> t.code) LIMIT 1""", [])
        if row:
            raise StaleUpload(f"dòng {row}: điểm trường chính đã thay đổi")
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t WHERE t.kind = 'satellite' AND NOT EXISTS (
                                      SELECT 1 FROM facilities_site s WHERE s.school_id = t.school_id AND s.kind = 'main')
                                  AND NOT EXISTS (SELECT 1 FROM upload_stage m
                                                  WHERE m.school_id = t.school_id AND m.kind = 'main') LIMIT 1""", [])
        if row:
            raise StaleUpload(f"dòng {row}: trường chưa có điểm trường chính")
        listed = ", ".join(SITE_VALUES)
        cur.execute(
            f"""INSERT INTO facilities_site (created_at, updated_at, school_id, code, kind, active, {listed})
                SELECT %s, %s, t.school_id, t.code, t.kind, true, {', '.join(f't.{f}' for f in SITE_VALUES)}
                FROM upload_stage t
                ON CONFLICT (school_id, code) DO UPDATE SET updated_at = EXCLUDED.updated_at,
                    {', '.join(f'{f} = EXCLUDED.{f}' for f in SITE_VALUES)}
                WHERE ({', '.join(f'facilities_site.{f}' for f in SITE_VALUES)})
                      IS DISTINCT FROM ({', '.join(f'EXCLUDED.{f}' for f in SITE_VALUES)})
                RETURNING school_id, (xmax = 0)""", [now, now])  # noqa: S608 - fixed names
        rows = cur.fetchall()
        _satellites_measured_again(cur, now)
    return _counts(rows)


def _satellites_measured_again(cur, now) -> None:
    """Satellites not in the file whose main site the file moved: measured again from the coordinates
    (services._satellites_distance_refresh), refused beyond the farthest a satellite may be."""
    cur.execute("""SELECT s.id, s.code, s.distance_km, s.latitude, s.longitude, m.latitude, m.longitude
                   FROM upload_stage t
                   JOIN facilities_site m ON m.school_id = t.school_id AND m.code = t.code AND m.kind = 'main'
                   JOIN facilities_site s ON s.school_id = m.school_id AND s.kind = 'satellite'
                   WHERE t.kind = 'main' AND t.state = 'changed' AND m.latitude IS NOT NULL
                     AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM upload_stage u WHERE u.school_id = s.school_id AND u.code = s.code)""")
    changed = []
    for pk, code, before, lat, lon, main_lat, main_lon in cur.fetchall():
        distance = great_circle_km(lat, lon, main_lat, main_lon)
        if distance > MAX_DISTANCE_KM:
            raise StaleUpload(f"điểm trường lẻ {code} cách điểm trường chính mới {distance} km, quá {MAX_DISTANCE_KM} km")
        if distance != before:
            changed.append((distance, now, pk))
    if changed:
        cur.executemany("UPDATE facilities_site SET distance_km = %s, updated_at = %s WHERE id = %s", changed)


def write_facilities(*, context, now, staged_path, importer) -> dict:
    fields = [name for name, _ in importer.stage_columns if name not in ("site_id", "school_id", "school_year")]
    with _staged(context, staged_path, importer) as cur:
        if cur is None:
            return dict(NOTHING)
        row = first_value(cur, """SELECT t.rownum FROM upload_stage t LEFT JOIN facilities_site s ON s.id = t.site_id
                                  WHERE s.id IS NULL OR s.school_id <> t.school_id OR NOT s.active LIMIT 1""", [])
        if row:
            raise StaleUpload(f"dòng {row}: điểm trường đã thay đổi hoặc ngừng sử dụng")
        cur.execute(
            f"""INSERT INTO facilities_sitefacilities (created_at, updated_at, site_id, school_id, school_year,
                    {', '.join(fields)})
                SELECT %s, %s, t.site_id, t.school_id, t.school_year, {', '.join(f't.{f}' for f in fields)}
                FROM upload_stage t
                ON CONFLICT (site_id, school_year) DO UPDATE SET updated_at = EXCLUDED.updated_at,
                    {', '.join(f'{f} = EXCLUDED.{f}' for f in fields)}
                WHERE ({', '.join(f'facilities_sitefacilities.{f}' for f in fields)})
                      IS DISTINCT FROM ({', '.join(f'EXCLUDED.{f}' for f in fields)})
                RETURNING school_id, (xmax = 0)""", [now, now])  # noqa: S608 - fixed names
        rows = cur.fetchall()
    return _counts(rows)


def write_equipment(*, context, now, staged_path, importer) -> dict:
    with _staged(context, staged_path, importer) as cur:
        if cur is None:
            return dict(NOTHING)
        cur.execute(
            """INSERT INTO facilities_equipmentholding (created_at, updated_at, school_id, school_year, item_id,
                   quantity, working)
               SELECT %s, %s, t.school_id, t.school_year, t.item_id, t.quantity, t.working FROM upload_stage t
               ON CONFLICT (school_id, school_year, item_id) DO UPDATE SET updated_at = EXCLUDED.updated_at,
                   quantity = EXCLUDED.quantity, working = EXCLUDED.working
               WHERE (facilities_equipmentholding.quantity, facilities_equipmentholding.working)
                     IS DISTINCT FROM (EXCLUDED.quantity, EXCLUDED.working)
               RETURNING school_id, (xmax = 0)""", [now, now])
        rows = cur.fetchall()
    return _counts(rows)
