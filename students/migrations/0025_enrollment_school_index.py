"""Enrollments lose the plain index on school_id: the (school, school_year) index serves every lookup by
school, and each index is paid on every enrollment written (24 million at the turn of the year). Only the
index goes; the foreign key stays as it is (Django would drop and re-add it, validating 24 million rows)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0001_initial'),
        ('students', '0024_rollover_parts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='enrollment',
                name='school',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                        related_name='enrollments', to='schools.school'),
            )],
            database_operations=[migrations.RunSQL(
                "DROP INDEX IF EXISTS students_enrollment_school_id_02177b40",
                "CREATE INDEX IF NOT EXISTS students_enrollment_school_id_02177b40 ON students_enrollment (school_id)")],
        ),
    ]
