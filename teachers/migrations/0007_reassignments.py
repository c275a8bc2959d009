from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("teachers", "0006_training_standard")]

    operations = []
