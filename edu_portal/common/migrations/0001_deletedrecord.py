"""The tombstone model moves from the api app to the platform; its table stays `api_deletedrecord`.

State only: api's 0001 created the table, and api's 0003 forgets the model without dropping it.
"""
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("api", "0002_token_id_number_right"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeletedRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("kind", models.CharField(choices=[("school", "Trường"), ("staff", "Cán bộ, giáo viên"),
                                                           ("student", "Học sinh")], max_length=10)),
                        ("record_id", models.BigIntegerField()),
                        ("code", models.CharField(max_length=20, verbose_name="mã")),
                        ("school_id", models.BigIntegerField(null=True)),
                        ("province_id", models.CharField(max_length=2)),
                        ("deleted_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name": "bản ghi đã xoá",
                        "verbose_name_plural": "bản ghi đã xoá",
                        "db_table": "api_deletedrecord",
                        "indexes": [models.Index(fields=["kind", "deleted_at", "id"],
                                                 name="api_deleted_kind_cf7319_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
