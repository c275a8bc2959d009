from django.db import migrations, models

# Pupils who left as deceased or moved abroad (students.EnrollmentStatus, issue 15's leavers): one
# column per status, as for the other leavers; the figures fill in at the next refresh.


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0005_preschool_age_groups")]

    operations = [
        migrations.AddField(model_name="schoolstats", name=f"enrol_{status}", field=models.IntegerField(default=0))
        for status in ("deceased", "moved_abroad")
    ]
