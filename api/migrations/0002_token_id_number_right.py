"""Tokens carry their own right to see full ID numbers, capped at the issuer's.

Until now a token showed full numbers whenever its owner might see them, whoever had issued it:
a ministry user could issue a token in the name of a user with the right, keep the secret and
read full numbers as that user. Existing tokens keep the right only where the owner and the
issuer (when another user issued it) both hold it today.
"""
from django.db import migrations, models


def cap_existing(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("user", "created_by").iterator():
        issuer_ok = token.created_by is None or token.created_by.may_view_id_numbers
        if token.user.may_view_id_numbers and issuer_ok:
            ApiToken.objects.filter(pk=token.pk).update(can_view_id_numbers=True)


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='can_view_id_numbers',
            field=models.BooleanField(default=False, verbose_name='được xem đầy đủ số định danh'),
        ),
        migrations.RunPython(cap_existing, migrations.RunPython.noop),
    ]
