"""Enrollments carried by the rollover are flagged on the row (issue 17: no journal row per carried pupil).

Adding a boolean column with a default is a change of the catalogue only in PostgreSQL 11 and later (no
rewrite of 70 million rows). The enrollments an earlier rollover carried are found through their pending
decisions (summer / no_result, commit not undone) and flagged, so that a later commit still replaces them.
"""
from django.db import migrations, models

FLAG_CARRIED = """
UPDATE students_enrollment n SET carried = true
FROM students_yearenddecision d JOIN students_yearend y ON y.id = d.year_end_id
WHERE d.next_enrollment_id = n.id AND y.undone_at IS NULL AND d.outcome IN ('summer', 'no_result')
  AND n.provisional
"""


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0025_enrollment_school_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='enrollment',
            name='carried',
            field=models.BooleanField(db_default=False, default=False,
                                      verbose_name='xếp lớp tạm khi chuyển năm học (chưa xét lên lớp)'),
        ),
        migrations.RunSQL(FLAG_CARRIED, migrations.RunSQL.noop),
    ]
