"""The teachers' training standard by Luật Giáo dục 2019 Điều 72 with the roadmap of Nghị định 71/2020.

Existing rows carry no training field: they are taken as trained as teachers (Sư phạm) without a pedagogy
certificate, which is what the old degree-level-only rule assumed of them, so no teacher's standard drops for
lack of data; schools correct it by uploading the new columns. Their status is then derived in one set-based
UPDATE (1.7 million rows: one pass, no per-row Python) from the same rule the portal uses
(teachers.standards.qualification_standard_sql, built from the rule's own tables).

Adding the columns with a constant default is instant on PostgreSQL 11+ (no table rewrite).
"""
from django.db import migrations, models
from django.utils import timezone

from teachers.standards import qualification_standard_sql


def standards_derive(apps, schema_editor):
    standard = qualification_standard_sql(on=timezone.localdate(), level="sc.level", staff="m0")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE teachers_staffmember m
                SET qualification_standard = x.standard, meets_qualification_standard = x.standard = 'meets'
                FROM (SELECT m0.id, {standard} AS standard
                      FROM teachers_staffmember m0 JOIN schools_school sc ON sc.id = m0.school_id) x
                WHERE m.id = x.id""")  # noqa: S608 - literals from the rule's tables only


class Migration(migrations.Migration):
    dependencies = [("teachers", "0005_vietnamese_name_order"), ("schools", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="pedagogy_certificate",
            field=models.BooleanField(default=False, verbose_name="chứng chỉ bồi dưỡng nghiệp vụ sư phạm"),
        ),
        migrations.AddField(
            model_name="staffmember",
            name="qualification_standard",
            field=models.CharField(choices=[
                ("meets", "Đạt chuẩn"),
                ("roadmap", "Chưa đạt chuẩn, thuộc lộ trình nâng chuẩn (Nghị định 71/2020)"),
                ("exempt", "Không thuộc diện nâng chuẩn (Nghị định 71/2020)"),
                ("below", "Chưa đạt chuẩn"),
                ("not_teacher", "Không phải giáo viên")],
                default="below", max_length=20, verbose_name="chuẩn trình độ đào tạo"),
        ),
        migrations.AddField(
            model_name="staffmember",
            name="training_field",
            field=models.CharField(choices=[("teacher_training", "Sư phạm"), ("other", "Ngoài sư phạm")],
                                   default="teacher_training", max_length=20, verbose_name="chuyên ngành đào tạo"),
        ),
        migrations.RunPython(standards_derive, migrations.RunPython.noop, elidable=True),
    ]
