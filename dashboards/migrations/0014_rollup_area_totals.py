"""The rollup's rows over every level and ownership (level = ownership = ''), by province and by commune
(issue 17: a province page's table of its communes reads one row each), summed from the rows by level and
ownership that are there. The refreshes rebuild them from then on (dashboards.rollup)."""
from django.db import migrations


def fill(apps, schema_editor):
    rollup = apps.get_model("dashboards", "StatsRollup")
    skip = {"id", "schools", "rows"}
    metrics = [f.column for f in rollup._meta.concrete_fields
               if f.get_internal_type() == "IntegerField" and f.column not in skip]
    fields = ("COALESCE((SELECT jsonb_object_agg(k, n) FROM (SELECT k, SUM(v::int) AS n FROM unnest(array_agg(s.{c})"
              " FILTER (WHERE s.{c} <> '{{}}'::jsonb)) AS j, jsonb_each_text(j) AS kv(k, v) GROUP BY k) x), '{{}}'::jsonb)")
    for area, keys, same in (("s.commune_id = ''", "s.school_year, s.province_id", "r.commune_id = ''"),
                             ("s.commune_id <> ''", "s.school_year, s.province_id, s.commune_id",
                              "r.commune_id = s.commune_id")):
        commune = "" if keys.endswith("commune_id") else ", ''"
        schema_editor.execute(
            "INSERT INTO dashboards_statsrollup (school_year, province_id, commune_id, level, ownership, schools,"
            f" \"rows\", synced, computed_at_min, computed_at_max, pupil_mismatch_fields, staff_mismatch_fields,"
            f" {', '.join(metrics)})"
            f" SELECT {keys}{commune}, '', '', SUM(s.schools), SUM(s.rows),"
            " (SELECT COALESCE(array_agg(t ORDER BY t), '{}') FROM dashboards_statsrollup r, unnest(r.synced) t"
            f" WHERE r.school_year = s.school_year AND r.province_id = s.province_id AND {same} AND r.level <> ''),"
            f" MIN(s.computed_at_min), MAX(s.computed_at_max), {fields.format(c='pupil_mismatch_fields')},"
            f" {fields.format(c='staff_mismatch_fields')}, {', '.join(f'SUM(s.{m})' for m in metrics)}"
            f" FROM dashboards_statsrollup s WHERE {area} AND s.level <> '' GROUP BY {keys}")


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM dashboards_statsrollup WHERE level = ''")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0013_facilities_metrics")]
    operations = [migrations.RunPython(fill, empty)]
