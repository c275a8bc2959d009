from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("students", "0007_preschool_age_group")]

    operations = [
        # Thông tư 27/2020, Điều 10: "Hoàn thành xuất sắc", primary's top level.
        migrations.AlterField(
            model_name="academicresult",
            name="learning_rating",
            field=models.CharField(choices=[("tot", "Tốt"), ("kha", "Khá"), ("dat", "Đạt"), ("chua_dat", "Chưa đạt"),
                                            ("hoan_thanh_xuat_sac", "Hoàn thành xuất sắc"),
                                            ("hoan_thanh_tot", "Hoàn thành tốt"), ("hoan_thanh", "Hoàn thành"),
                                            ("chua_hoan_thanh", "Chưa hoàn thành")],
                                   max_length=20, verbose_name="kết quả học tập"),
        ),
    ]
