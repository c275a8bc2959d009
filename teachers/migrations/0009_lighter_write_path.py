"""A lighter write path (issue 20): the staff table's indexes that no query uses go.

Dropped: the varchar_pattern_ops twins of `staff_code`, `verification_status` and `employment_status`
(codes are matched whole; no LIKE reads them), the plain `school_id` index (staff_school_vi_name starts
with the school) and the `employment_status` index (every query asks for the employed, nearly all rows).
The kept `verification_status` index and `staff_code`'s unique constraint are renamed / re-declared in
place (no rebuild).
"""
import django.db.models.deletion
from django.db import migrations, models

DROP = """
DROP INDEX IF EXISTS teachers_staffmember_staff_code_4b1ccf0e_like;
DROP INDEX IF EXISTS teachers_staffmember_verification_status_8ef1311e_like;
DROP INDEX IF EXISTS teachers_staffmember_employment_status_d1643de2_like;
DROP INDEX IF EXISTS teachers_staffmember_employment_status_d1643de2;
DROP INDEX IF EXISTS teachers_staffmember_school_id_6e28a687;
ALTER INDEX IF EXISTS teachers_staffmember_verification_status_8ef1311e RENAME TO staff_verification_status;
"""
RESTORE = """
ALTER INDEX IF EXISTS staff_verification_status RENAME TO teachers_staffmember_verification_status_8ef1311e;
CREATE INDEX IF NOT EXISTS teachers_staffmember_school_id_6e28a687 ON teachers_staffmember (school_id);
CREATE INDEX IF NOT EXISTS teachers_staffmember_employment_status_d1643de2 ON teachers_staffmember (employment_status);
CREATE INDEX IF NOT EXISTS teachers_staffmember_employment_status_d1643de2_like
    ON teachers_staffmember (employment_status varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS teachers_staffmember_verification_status_8ef1311e_like
    ON teachers_staffmember (verification_status varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS teachers_staffmember_staff_code_4b1ccf0e_like
    ON teachers_staffmember (staff_code varchar_pattern_ops);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("teachers", "0008_name_canonical"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(DROP, RESTORE)],
            state_operations=[
                migrations.AlterField(
                    model_name="staffmember", name="employment_status",
                    field=models.CharField(choices=[("working", "Đang công tác"), ("on_leave", "Nghỉ dài hạn"),
                                                    ("transferred", "Đã chuyển công tác"),
                                                    ("retired", "Đã nghỉ hưu"), ("resigned", "Đã thôi việc")],
                                           default="working", max_length=20, verbose_name="tình trạng")),
                migrations.AlterField(
                    model_name="staffmember", name="school",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="staff", to="schools.school", verbose_name="trường")),
                migrations.AlterField(
                    model_name="staffmember", name="staff_code",
                    field=models.CharField(max_length=20, verbose_name="mã cán bộ")),
                migrations.AddConstraint(
                    model_name="staffmember",
                    constraint=models.UniqueConstraint(fields=("staff_code",),
                                                       name="teachers_staffmember_staff_code_key")),
                migrations.AlterField(
                    model_name="staffmember", name="verification_status",
                    field=models.CharField(choices=[("unverified", "Chưa xác thực"), ("queued", "Đang chờ xác thực"),
                                                    ("verified", "Đã xác thực"), ("mismatch", "Sai lệch thông tin"),
                                                    ("not_found", "Không có trong CSDL dân cư"),
                                                    ("invalid_id", "Số định danh không hợp lệ"),
                                                    ("error", "Lỗi, sẽ thử lại")],
                                           default="unverified", max_length=12, verbose_name="trạng thái xác thực")),
                migrations.AddIndex(
                    model_name="staffmember",
                    index=models.Index(fields=["verification_status"], name="staff_verification_status")),
            ],
        ),
    ]
