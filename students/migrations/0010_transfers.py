"""Transfers between schools: the request a receiving school makes, and several enrollments per pupil
and year (the sending school's, closed as transferred out, and the receiving school's, open)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The audit trail records every step of a transfer (audit/migrations/0002_triggers.py installs the same
# triggers on the other records' tables; the capture functions take the model label and the columns).
AUDIT_TRIGGERS = """
CREATE TRIGGER audit_insert AFTER INSERT ON students_transferrequest REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_insert('students.transferrequest', '{}', '{}');
CREATE TRIGGER audit_update AFTER UPDATE ON students_transferrequest REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_update('students.transferrequest', '{}', '{}');
CREATE TRIGGER audit_delete AFTER DELETE ON students_transferrequest REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_delete('students.transferrequest', '{}', '{}');
"""
DROP_AUDIT_TRIGGERS = "".join(f"DROP TRIGGER IF EXISTS audit_{op} ON students_transferrequest;\n"
                              for op in ("insert", "update", "delete"))


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0009_leavers"),
        ("schools", "0001_initial"),
        ("audit", "0005_ignore_verification_bookkeeping"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TransferRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("grade", models.PositiveSmallIntegerField(verbose_name="khối lớp")),
                ("class_name", models.CharField(max_length=20, verbose_name="lớp")),
                ("status", models.CharField(choices=[("pending", "Chờ trường cũ đồng ý"), ("released", "Đã chuyển"),
                                                     ("declined", "Bị từ chối"), ("cancelled", "Đã huỷ")],
                                            default="pending", max_length=10, verbose_name="tình trạng")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="thời điểm quyết định")),
                ("reason", models.CharField(blank=True, max_length=500, verbose_name="lý do")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="thời điểm đề nghị")),
                ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="người quyết định")),
                ("from_school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="transfers_out", to="schools.school",
                                                  verbose_name="trường chuyển đi")),
                ("requested_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="+", to=settings.AUTH_USER_MODEL,
                                                   verbose_name="người đề nghị")),
                ("student", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="transfer_requests", to="students.student",
                                              verbose_name="học sinh")),
                ("to_school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="transfers_in", to="schools.school",
                                                verbose_name="trường tiếp nhận")),
            ],
            options={
                "verbose_name": "đề nghị chuyển trường",
                "verbose_name_plural": "đề nghị chuyển trường",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["from_school", "status"], name="transfer_from_status"),
                            models.Index(fields=["to_school", "status"], name="transfer_to_status")],
                "constraints": [models.UniqueConstraint(condition=models.Q(("status", "pending")),
                                                        fields=("student",), name="one_open_transfer_per_pupil")],
            },
        ),
        # left_on: added by 0009_leavers (a leaver's date; a transfer's too).
        migrations.AddField(
            model_name="enrollment",
            name="started_on",
            field=models.DateField(blank=True, null=True, verbose_name="ngày bắt đầu"),
        ),
        # Added before the old one is dropped: the table is never without a rule.
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "transferred_out"), _negated=True),
                                               fields=("student", "school_year"),
                                               name="one_open_enrollment_per_year"),
        ),
        migrations.RemoveConstraint(
            model_name="enrollment",
            name="one_enrollment_per_year",
        ),
        migrations.RunSQL(AUDIT_TRIGGERS, DROP_AUDIT_TRIGGERS),
    ]
