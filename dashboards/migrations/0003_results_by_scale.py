"""Results by rating scale: the pupil's grade chooses Circular 27/2020 (grades 1-5) or 22/2021 (6-12).

Primary's top level "Hoàn thành xuất sắc" gets its learning columns; conduct, whose values "tot" and
"dat" are on both scales, gets one column per scale and rating in place of the mixed ones. The new
columns are filled by the next statistics refresh.
"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_nutrition_severe_grade_and_stunting")]

    operations = [
        migrations.RemoveField(model_name="schoolstats", name="conduct_0_tot"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_0_kha"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_0_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_0_chua_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_0_can_co_gang"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_1_tot"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_1_kha"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_1_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_1_chua_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_1_can_co_gang"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_2_tot"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_2_kha"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_2_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_2_chua_dat"),
        migrations.RemoveField(model_name="schoolstats", name="conduct_2_can_co_gang"),
        migrations.AddField(model_name="schoolstats", name="learning_0_hoan_thanh_xuat_sac", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="learning_1_hoan_thanh_xuat_sac", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="learning_2_hoan_thanh_xuat_sac", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_primary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_primary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_primary_can_co_gang", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_secondary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_secondary_kha", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_secondary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_0_secondary_chua_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_primary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_primary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_primary_can_co_gang", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_secondary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_secondary_kha", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_secondary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_1_secondary_chua_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_primary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_primary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_primary_can_co_gang", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_secondary_tot", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_secondary_kha", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_secondary_dat", field=models.IntegerField(default=0)),
        migrations.AddField(model_name="schoolstats", name="conduct_2_secondary_chua_dat", field=models.IntegerField(default=0)),
    ]
