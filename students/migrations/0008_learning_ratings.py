from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("students", "0007_preschool_age_group")]

    operations = []
