"""Existing spellings of an ethnic group ("Khmer", "H'Mông", "Ê Đê") become its official name
(Quyết định 121-TCTK/PPCĐ), so that statistics count each group once. Values naming no group are
left as they are: nobody can tell which group was meant, and the record's next edit asks for it."""
from django.db import migrations

from geo.ethnicity import ethnic_groups_read, ethnicity_key, ethnicity_lookup_build

TABLE = "teachers_staffmember"


def to_official_names(apps, schema_editor):
    lookup = ethnicity_lookup_build(ethnic_groups_read())
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT ethnicity FROM {TABLE}")  # noqa: S608 - a constant
        for (stored,) in cursor.fetchall():
            official = lookup.get(ethnicity_key(stored))
            if official and official != stored:
                cursor.execute(f"UPDATE {TABLE} SET ethnicity = %s WHERE ethnicity = %s",  # noqa: S608
                               [official, stored])


class Migration(migrations.Migration):

    dependencies = [
        ("teachers", "0003_held_id_number"),
        ("geo", "0002_ethnic_group"),
    ]

    operations = [
        migrations.RunPython(to_official_names, migrations.RunPython.noop, elidable=True),
    ]
