# The trail's page lists the showings of full ID numbers apart from the changes (audit.selectors.LOGS):
# newest first, they are a few rows among many writes, found through a small partial index. Built
# concurrently: the trail is large and written by every door, and must not be locked while it builds.
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('audit', '0007_batched_inserts'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'default_permissions': ('view',), 'ordering': ['-id'], 'verbose_name': 'nhật ký thay đổi',
                     'verbose_name_plural': 'nhật ký thay đổi'},
        ),
        AddIndexConcurrently(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('action__in', ['view_id', 'export_id'])), fields=['-id'],
                               name='audit_views_newest'),
        ),
    ]
