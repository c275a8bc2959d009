from django.db import migrations, models

# Pupils a transfer brought to the school this year ("chuyển đến", enrollments with started_on; issue 15):
# "chuyển đi" is the existing enrol_transferred_out. The figures fill in at the next refresh.


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0006_leaver_statuses")]

    operations = [
        migrations.AddField(model_name="schoolstats", name="enrol_transferred_in",
                            field=models.IntegerField(default=0)),
    ]
