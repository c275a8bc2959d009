from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("teachers", "0005_vietnamese_name_order")]

    operations = []
