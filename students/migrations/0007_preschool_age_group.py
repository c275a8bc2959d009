from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("students", "0006_vietnamese_name_order")]

    operations = []
