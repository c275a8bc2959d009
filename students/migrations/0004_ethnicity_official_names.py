"""Existing spellings of an ethnic group ("Khmer", "H'Mông", "Ê Đê") become its official name
(Quyết định 121-TCTK/PPCĐ), so that statistics count each group once. Values naming no group are
left as they are: nobody can tell which group was meant, and the record's next edit asks for it."""
from django.db import migrations

from geo.ethnicity import official_names_rewrite


def to_official_names(apps, schema_editor):
    official_names_rewrite(schema_editor.connection, table="students_student")


class Migration(migrations.Migration):

    dependencies = [
        ("students", "0003_held_id_number"),
        ("geo", "0002_ethnic_group"),
    ]

    operations = [
        migrations.RunPython(to_official_names, migrations.RunPython.noop, elidable=True),
    ]
