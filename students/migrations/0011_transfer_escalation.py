"""A transfer request left unanswered is escalated to the sending school's province, once, by the daily
task students.transfers_escalate: the moment is kept on the request."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("students", "0010_transfers")]

    operations = [
        migrations.AddField(
            model_name="transferrequest",
            name="escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thời điểm chuyển lên Sở"),
        ),
    ]
