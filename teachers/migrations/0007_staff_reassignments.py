"""Staff reassignments between schools (điều chuyển công tác): the request a receiving school makes, and the
staff member's postings (quá trình công tác), so that the sending school keeps its history.

Every existing staff member gets one open posting at their school, its start unknown (NULL: the portal
did not record it), in one INSERT ... SELECT (1.6 million rows: one set-based statement, no per-row Python).
The audit triggers are installed after that backfill, so it does not write 1.6 million "insert" events
(as the demo seeder skips them for generated data); every later write to both tables is audited."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSITIONS = [("teacher", "Giáo viên"), ("principal", "Hiệu trưởng"), ("vice_principal", "Phó hiệu trưởng"),
             ("other", "Nhân viên")]

BACKFILL = """
INSERT INTO teachers_staffposting (staff_id, school_id, position, started_on, ended_on, end_reason, created_at)
SELECT id, school_id, position, NULL, NULL, '', now() FROM teachers_staffmember
"""


def audit_triggers(table: str, label: str) -> str:
    # As students/migrations/0010_transfers.py (audit/migrations/0002_triggers.py installs the same on the
    # other records' tables; the capture functions take the model label and the columns).
    return f"""
CREATE TRIGGER audit_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_insert('{label}', '{{}}', '{{}}');
CREATE TRIGGER audit_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_update('{label}', '{{}}', '{{}}');
CREATE TRIGGER audit_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_delete('{label}', '{{}}', '{{}}');
"""


def drop_audit_triggers(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS audit_{op} ON {table};\n" for op in ("insert", "update", "delete"))


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("teachers", "0006_training_standard"),
        ("audit", "0005_ignore_verification_bookkeeping"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffPosting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.CharField(choices=POSITIONS, max_length=20, verbose_name="chức vụ")),
                ("started_on", models.DateField(blank=True, null=True, verbose_name="ngày bắt đầu")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="ngày kết thúc")),
                ("end_reason", models.CharField(blank=True, choices=[("reassigned", "Điều chuyển công tác")],
                                                db_default="", default="", max_length=20,
                                                verbose_name="lý do kết thúc")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="thời điểm ghi")),
                ("school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="staff_postings",
                                             to="schools.school", verbose_name="trường")),
                ("staff", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="postings",
                                            to="teachers.staffmember", verbose_name="cán bộ")),
            ],
            options={
                "verbose_name": "quá trình công tác",
                "verbose_name_plural": "quá trình công tác",
                "ordering": ["staff", "-id"],
                "indexes": [models.Index(fields=["school", "ended_on"], name="posting_school_ended")],
                "constraints": [models.UniqueConstraint(condition=models.Q(("ended_on__isnull", True)),
                                                        fields=("staff",), name="one_open_posting_per_staff")],
            },
        ),
        migrations.CreateModel(
            name="StaffReassignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.CharField(choices=POSITIONS, max_length=20,
                                              verbose_name="chức vụ ở trường tiếp nhận")),
                ("status", models.CharField(choices=[("pending", "Chờ trường cũ đồng ý"),
                                                     ("released", "Đã điều chuyển"), ("declined", "Bị từ chối"),
                                                     ("cancelled", "Đã huỷ")],
                                            default="pending", max_length=10, verbose_name="tình trạng")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="thời điểm quyết định")),
                ("reason", models.CharField(blank=True, max_length=500, verbose_name="lý do")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="thời điểm đề nghị")),
                ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="người quyết định")),
                ("from_school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="reassignments_out", to="schools.school",
                                                  verbose_name="trường chuyển đi")),
                ("requested_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="+", to=settings.AUTH_USER_MODEL,
                                                   verbose_name="người đề nghị")),
                ("staff", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reassignments",
                                            to="teachers.staffmember", verbose_name="cán bộ")),
                ("to_school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="reassignments_in", to="schools.school",
                                                verbose_name="trường tiếp nhận")),
            ],
            options={
                "verbose_name": "đề nghị điều chuyển công tác",
                "verbose_name_plural": "đề nghị điều chuyển công tác",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["from_school", "status"], name="reassignment_from_status"),
                            models.Index(fields=["to_school", "status"], name="reassignment_to_status")],
                "constraints": [models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("staff",),
                                                        name="one_open_reassignment_per_staff")],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(audit_triggers("teachers_staffposting", "teachers.staffposting")
                          + audit_triggers("teachers_staffreassignment", "teachers.staffreassignment"),
                          drop_audit_triggers("teachers_staffposting")
                          + drop_audit_triggers("teachers_staffreassignment")),
    ]
