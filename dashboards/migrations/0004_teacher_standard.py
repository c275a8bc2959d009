"""The teachers' standard split by the roadmap of Nghị định 71/2020 (dashboards/metrics.py): teachers on
the roadmap, exempt from it, and below the standard. The figures fill at the next refresh."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_results_by_scale")]

    operations = [
        migrations.AddField(
            model_name="schoolstats",
            name="teachers_below",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="schoolstats",
            name="teachers_exempt",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="schoolstats",
            name="teachers_roadmap",
            field=models.IntegerField(default=0),
        ),
    ]
