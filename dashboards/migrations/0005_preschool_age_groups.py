from django.db import migrations, models

# Preschool children by nhà trẻ / mẫu giáo group (dashboards.metrics, students.preschool); the
# figures fill in at the next refresh of the statistics.
AGE_GROUPS = ("nt_3_12", "nt_13_24", "nt_25_36", "mg_3_4", "mg_4_5", "mg_5_6")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_teacher_standard")]

    operations = [
        migrations.AddField(model_name="schoolstats", name=f"pupils_age_{group}", field=models.IntegerField(default=0))
        for group in AGE_GROUPS
    ]
