"""The audit trail records every write to sites, their facilities rows and equipment holdings (the same
statement-level triggers as audit/migrations/0002_triggers.py installs on the other records); and the
equipment catalogue is seeded (facilities/catalogue.py: a representative subset of the minimum lists)."""
from django.db import migrations

from facilities.catalogue import catalogue_load

TABLES = [("facilities_site", "facilities.site"), ("facilities_sitefacilities", "facilities.sitefacilities"),
          ("facilities_equipmentholding", "facilities.equipmentholding")]


def _triggers(table: str, label: str) -> str:
    args = f"'{label}', '{{updated_at}}', '{{}}'"
    return f"""
CREATE TRIGGER audit_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_insert({args});
CREATE TRIGGER audit_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_update({args});
CREATE TRIGGER audit_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_delete({args});
"""


def _drop(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS audit_{op} ON {table};\n" for op in ("insert", "update", "delete"))


def seed_catalogue(apps, schema_editor):
    catalogue_load(apps.get_model("facilities", "EquipmentItem"))


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("audit", "0006_bulk_statements"),
    ]

    operations = [
        migrations.RunSQL("".join(_triggers(t, label) for t, label in TABLES),
                          "".join(_drop(t) for t, _label in TABLES)),
        migrations.RunPython(seed_catalogue, migrations.RunPython.noop),
    ]
