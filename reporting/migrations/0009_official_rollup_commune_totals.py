"""Each commune's row of the official rollup over every level and ownership (level = ownership = ''), summed from
its rows by level and ownership, as reporting.official_rollup now writes them at every approval: a province's
official page reads its communes' rows as they are. The columns of this migration's time."""

from django.db import migrations

_NOT_METRICS = {"id", "period", "province_id", "commune_id", "level", "ownership", "approved"}


def add_totals(apps, schema_editor):
    rollup = apps.get_model("reporting", "OfficialRollup")
    metrics = [f.column for f in rollup._meta.concrete_fields if f.name not in _NOT_METRICS]
    columns = ", ".join(metrics)
    sums = ", ".join(f"sum({m})" for m in metrics)
    # Rows written by the approvals between 0008 and this one (with this code) are written again: the same sums.
    drop_totals(apps, schema_editor)
    schema_editor.execute(
        "INSERT INTO reporting_officialrollup (period_id, province_id, commune_id, level, ownership, approved,"  # noqa: S608 - the model's own columns
        f" {columns}) SELECT period_id, province_id, commune_id, '', '', sum(approved), {sums}"
        " FROM reporting_officialrollup WHERE commune_id <> '' AND level <> ''"
        " GROUP BY period_id, province_id, commune_id ORDER BY period_id, province_id, commune_id")


def drop_totals(apps, schema_editor):
    schema_editor.execute("DELETE FROM reporting_officialrollup WHERE commune_id <> '' AND level = ''")


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0008_official_rollup'),
    ]

    operations = [
        migrations.RunPython(add_totals, drop_totals, elidable=False),
    ]
