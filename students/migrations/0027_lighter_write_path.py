"""A lighter write path (issue 20): the pupils' and enrollments' indexes that no query uses go.

Every index is paid on every row written (an upload's commit, the rollover's 24 million enrollments).
Dropped on students_student: the varchar_pattern_ops twins of `pupil_code`, `verification_status`
and `birth_province_id` (no LIKE ever reads them: codes are matched whole), the plain `school_id`
index (student_school_vi_name starts with the school) and the `birth_province_id` index (nothing
filters pupils by birth province). The kept `verification_status` index and `pupil_code`'s unique
constraint are renamed / re-declared in place (no rebuild). On students_enrollment the `updated_at`
index becomes a partial one on the transferred-out rows, the only ones read by updated_at.
"""
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

DROP = """
DROP INDEX IF EXISTS students_student_pupil_code_a2e78ac5_like;
DROP INDEX IF EXISTS students_student_verification_status_45f82936_like;
DROP INDEX IF EXISTS students_student_birth_province_id_69a796be_like;
DROP INDEX IF EXISTS students_student_birth_province_id_69a796be;
DROP INDEX IF EXISTS students_student_school_id_be4a7ab9;
ALTER INDEX IF EXISTS students_student_verification_status_45f82936 RENAME TO student_verification_status;
"""
RESTORE = """
ALTER INDEX IF EXISTS student_verification_status RENAME TO students_student_verification_status_45f82936;
CREATE INDEX IF NOT EXISTS students_student_school_id_be4a7ab9 ON students_student (school_id);
CREATE INDEX IF NOT EXISTS students_student_birth_province_id_69a796be ON students_student (birth_province_id);
CREATE INDEX IF NOT EXISTS students_student_birth_province_id_69a796be_like
    ON students_student (birth_province_id varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS students_student_verification_status_45f82936_like
    ON students_student (verification_status varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS students_student_pupil_code_a2e78ac5_like ON students_student (pupil_code varchar_pattern_ops);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_population_count"),
        ("schools", "0001_initial"),
        ("students", "0026_enrollment_carried"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(DROP, RESTORE)],
            state_operations=[
                migrations.AlterField(
                    model_name="student", name="pupil_code",
                    field=models.CharField(max_length=20, verbose_name="mã học sinh")),
                migrations.AddConstraint(
                    model_name="student",
                    constraint=models.UniqueConstraint(fields=("pupil_code",), name="students_student_pupil_code_key")),
                migrations.AlterField(
                    model_name="student", name="verification_status",
                    field=models.CharField(choices=[("unverified", "Chưa xác thực"), ("queued", "Đang chờ xác thực"),
                                                    ("verified", "Đã xác thực"), ("mismatch", "Sai lệch thông tin"),
                                                    ("not_found", "Không có trong CSDL dân cư"),
                                                    ("invalid_id", "Số định danh không hợp lệ"),
                                                    ("error", "Lỗi, sẽ thử lại")],
                                           default="unverified", max_length=12, verbose_name="trạng thái xác thực")),
                migrations.AddIndex(
                    model_name="student",
                    index=models.Index(fields=["verification_status"], name="student_verification_status")),
                migrations.AlterField(
                    model_name="student", name="birth_province",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, to="geo.province",
                                            verbose_name="nơi sinh (tỉnh)")),
                migrations.AlterField(
                    model_name="student", name="school",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="students", to="schools.school", verbose_name="trường")),
            ],
        ),
        migrations.AlterField(
            model_name="enrollment", name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="cập nhật lúc")),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(condition=models.Q(("status", "transferred_out")), fields=["updated_at", "id"],
                               name="enrollment_transferred_out")),
    ]
