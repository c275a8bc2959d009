from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("students", "0009_leavers")]

    operations = []
