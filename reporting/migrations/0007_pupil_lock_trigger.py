"""The period lock on what the figures read from a pupil's own record (reporting.locks.pupil_install_sql)."""
from django.db import migrations

from reporting.locks import pupil_install_sql, pupil_uninstall_sql


class Migration(migrations.Migration):
    dependencies = [("reporting", "0006_schoolchange"), ("students", "0026_enrollment_carried")]

    operations = [migrations.RunSQL(pupil_install_sql(), pupil_uninstall_sql())]
