from django.db import migrations, models

# Leavers (issue 15): a pupil who leaves keeps the enrollment, closed with a status, a date and a
# reason; earlier leavers keep an empty date (it was never recorded).


class Migration(migrations.Migration):
    dependencies = [("students", "0008_learning_ratings")]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="leave_reason",
            field=models.CharField(blank=True, db_default="", default="", max_length=200, verbose_name="lý do"),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="left_on",
            field=models.DateField(blank=True, null=True, verbose_name="ngày rời trường"),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="status",
            field=models.CharField(
                choices=[("studying", "Đang học"), ("transferred_out", "Đã chuyển trường"), ("dropped_out", "Bỏ học"),
                         ("completed", "Hoàn thành chương trình"), ("deceased", "Đã mất"),
                         ("moved_abroad", "Chuyển ra nước ngoài")],
                default="studying", max_length=20, verbose_name="tình trạng"),
        ),
    ]
