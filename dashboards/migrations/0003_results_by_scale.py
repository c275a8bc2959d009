from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_nutrition_severe_grade_and_stunting")]

    operations = []
