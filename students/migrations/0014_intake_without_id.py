from django.db import migrations, models

# Intake without an ID number (issue 16): a pupil enrolled without số định danh carries why (a choice,
# and a note for "other"); existing rows start with no reason (the to-do list asks for the number).


class Migration(migrations.Migration):
    dependencies = [("students", "0013_duplicates")]

    operations = [
        migrations.AddField(
            model_name="student", name="id_number_missing_reason",
            field=models.CharField(blank=True, choices=[
                ("not_issued", "Chưa có số định danh (trẻ mới sinh / chưa làm thủ tục)"),
                ("pending", "Đang chờ cấp"), ("foreigner", "Người nước ngoài"), ("other", "Lý do khác")],
                db_default="", default="", max_length=12, verbose_name="lý do chưa có số định danh"),
        ),
        migrations.AddField(
            model_name="student", name="id_number_missing_note",
            field=models.CharField(blank=True, db_default="", default="", max_length=200,
                                   verbose_name="ghi chú lý do chưa có số định danh"),
        ),
    ]
