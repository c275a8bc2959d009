from django.db import migrations, models

# Issue 15: a deletion says why (records entered by mistake only); older tombstones have no reason.


class Migration(migrations.Migration):
    dependencies = [("common", "0001_deletedrecord")]

    operations = [
        migrations.AddField(
            model_name="deletedrecord", name="reason",
            field=models.CharField(blank=True, db_default="", default="", max_length=500, verbose_name="lý do xoá"),
        ),
    ]
