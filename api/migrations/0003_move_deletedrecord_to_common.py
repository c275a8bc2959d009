"""The tombstone model moved to edu_portal.common (the platform), so that the records apps' delete
services write it without importing the api app. State only: the table and its rows stay."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_token_id_number_right"),
        ("common", "0001_deletedrecord"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeletedRecord")],
            database_operations=[],
        ),
    ]
