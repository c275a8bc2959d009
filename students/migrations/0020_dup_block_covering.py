"""The duplicate block index (student_dup_block) holds the name and the ID number (INCLUDE), so that an
upload's check tests each candidate from the index alone. Rebuilt inside the migration: a few minutes on
the national database; writes to the pupils wait meanwhile."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0002_ethnic_group'),
        ('schools', '0001_initial'),
        ('students', '0019_year_end'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='student',
            name='student_dup_block',
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(models.F('date_of_birth'), models.F('gender'), models.Func(models.F('full_name'), function='student_given_key', output_field=models.TextField()), include=('full_name', 'id_number'), name='student_dup_block'),
        ),
    ]
