from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("students", "0008_learning_ratings")]

    operations = []
