from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_teacher_standard")]

    operations = []
