from django.db import migrations, models

from students.preschool import age_group_sql

# Set-based: one UPDATE over the preschool enrollments, fast at national size. The rule is the one
# the uploads and services use (students.preschool); a child of grade-1 age stays blank.
FILL = (f"UPDATE students_enrollment e SET age_group = "  # noqa: S608
        f"{age_group_sql(grade='e.grade', date_of_birth='s.date_of_birth', school_year='e.school_year')} "
        "FROM students_student s WHERE s.id = e.student_id AND e.grade = 0")


class Migration(migrations.Migration):
    dependencies = [("students", "0006_vietnamese_name_order")]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="age_group",
            field=models.CharField(blank=True, choices=[("nt_3_12", "Nhà trẻ 3–12 tháng"),
                                                        ("nt_13_24", "Nhà trẻ 13–24 tháng"),
                                                        ("nt_25_36", "Nhà trẻ 25–36 tháng"),
                                                        ("mg_3_4", "Mẫu giáo 3–4 tuổi"),
                                                        ("mg_4_5", "Mẫu giáo 4–5 tuổi"),
                                                        ("mg_5_6", "Mẫu giáo 5–6 tuổi")],
                                   db_default="", default="", max_length=8, verbose_name="nhóm tuổi"),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
