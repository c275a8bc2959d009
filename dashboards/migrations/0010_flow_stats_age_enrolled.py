# The pupil's age and every enrolled pupil in the flow rows (issue 17): the numerators of GER, NER
# and the intake rate. The rows are derived: emptied here and recomputed by the next refresh (beat
# runs one at start; `seed_demo` and `stats_refresh` too).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0009_flow_stats'),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM dashboards_flowstats", reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveConstraint(
            model_name='flowstats',
            name='one_flow_row_per_school_year_grade_gender',
        ),
        migrations.AddField(
            model_name='flowstats',
            name='age',
            field=models.SmallIntegerField(default=0, verbose_name='tuổi'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='flowstats',
            name='enrolled',
            field=models.IntegerField(default=0, verbose_name='học sinh nhập học'),
        ),
        migrations.AddConstraint(
            model_name='flowstats',
            constraint=models.UniqueConstraint(fields=('school', 'school_year', 'grade', 'gender', 'age'),
                                               name='one_flow_row_per_school_year_grade_gender_age'),
        ),
    ]
