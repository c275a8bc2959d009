from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_results_by_scale")]

    operations = []
