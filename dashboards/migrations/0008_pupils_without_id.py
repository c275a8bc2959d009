from django.db import migrations, models

# Pupils studying without a số định danh cá nhân (intake without a number, issue 16). The figures fill
# in at the next refresh.


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0007_transfers_counted")]

    operations = [
        migrations.AddField(model_name="schoolstats", name="pupils_without_id",
                            field=models.IntegerField(default=0)),
    ]
