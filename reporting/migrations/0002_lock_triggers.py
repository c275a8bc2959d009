"""The period locks' statement triggers on the records' tables (reporting.locks)."""
from django.db import migrations

from reporting.locks import install_sql, uninstall_sql


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("students", "0026_enrollment_carried"),
        ("teachers", "0008_name_canonical"),
        ("facilities", "0003_schoolstanding"),
    ]

    operations = [migrations.RunSQL(install_sql(), uninstall_sql())]
