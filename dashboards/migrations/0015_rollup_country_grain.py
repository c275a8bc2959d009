"""The country's rollup rows (province_id = commune_id = ''): by level × ownership, summed from the rows by
province, and over every level and ownership, summed from those; and every row's synchronisations less those
that can no longer count (dashboards.rollup.SYNCED_SINCE). The refreshes rebuild both from then on."""
from django.db import migrations

# rollup.SYNCED_SINCE when this was written (CONNECTED_WINDOW: 30 days): a migration keeps its own copy.
SINCE = "now() - interval '31 days'"


def fill(apps, schema_editor):
    rollup = apps.get_model("dashboards", "StatsRollup")
    skip = {"id", "schools", "rows"}
    metrics = [f.column for f in rollup._meta.concrete_fields
               if f.get_internal_type() == "IntegerField" and f.column not in skip]
    # Sorted arrays: a row keeps what is not older than SINCE.
    schema_editor.execute(f"UPDATE dashboards_statsrollup SET synced = ARRAY(SELECT t FROM unnest(synced) t"
                          f" WHERE t >= {SINCE} ORDER BY t) WHERE synced[1] < {SINCE}")
    fields = ("COALESCE((SELECT jsonb_object_agg(k, n) FROM (SELECT k, SUM(v::int) AS n FROM unnest(array_agg(s.{c})"
              " FILTER (WHERE s.{c} <> '{{}}'::jsonb)) AS j, jsonb_each_text(j) AS kv(k, v) GROUP BY k) x), '{{}}'::jsonb)")
    for source, keys, select, same in (
            ("s.province_id <> '' AND s.commune_id = '' AND s.level <> ''", "s.school_year, s.level, s.ownership",
             "s.school_year, '', '', s.level, s.ownership",
             "r.province_id <> '' AND r.commune_id = '' AND r.level = s.level AND r.ownership = s.ownership"),
            ("s.province_id = '' AND s.commune_id = '' AND s.level <> ''", "s.school_year",
             "s.school_year, '', '', '', ''", "r.province_id = '' AND r.commune_id = '' AND r.level <> ''")):
        schema_editor.execute(
            "INSERT INTO dashboards_statsrollup (school_year, province_id, commune_id, level, ownership, schools,"
            f" \"rows\", synced, computed_at_min, computed_at_max, pupil_mismatch_fields, staff_mismatch_fields,"
            f" {', '.join(metrics)})"
            f" SELECT {select}, SUM(s.schools), SUM(s.rows),"
            " (SELECT COALESCE(array_agg(t ORDER BY t), '{}') FROM dashboards_statsrollup r, unnest(r.synced) t"
            f" WHERE r.school_year = s.school_year AND {same}),"
            f" MIN(s.computed_at_min), MAX(s.computed_at_max), {fields.format(c='pupil_mismatch_fields')},"
            f" {fields.format(c='staff_mismatch_fields')}, {', '.join(f'SUM(s.{m})' for m in metrics)}"
            f" FROM dashboards_statsrollup s WHERE {source} GROUP BY {keys}")


def empty(apps, schema_editor):
    # The synchronisations left out are not put back: none of them could count again.
    schema_editor.execute("DELETE FROM dashboards_statsrollup WHERE province_id = ''")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0014_rollup_area_totals")]
    operations = [migrations.RunPython(fill, empty)]
