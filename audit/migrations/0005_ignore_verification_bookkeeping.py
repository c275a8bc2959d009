"""Pupils and staff: a verification retry that only moves `verification_checked_at` and
`verification_attempts` is bookkeeping, not a change of the person's data, and is not recorded
(a national run retries millions of records). Status, error and mismatch changes still are."""
from django.db import migrations

IGNORED = "{updated_at,verification_checked_at,verification_attempts}"
TABLES = [("teachers_staffmember", "teachers.staffmember"), ("students_student", "students.student")]


def _update_trigger(table: str, label: str, ignored: str) -> str:
    return (f"DROP TRIGGER IF EXISTS audit_update ON {table};\n"
            f"CREATE TRIGGER audit_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION audit_capture_update('{label}', '{ignored}', '{{}}');\n")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_partial_gin")]

    operations = [
        migrations.RunSQL("".join(_update_trigger(t, label, IGNORED) for t, label in TABLES),
                          "".join(_update_trigger(t, label, "{updated_at}") for t, label in TABLES)),
    ]
