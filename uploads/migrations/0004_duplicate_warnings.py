from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('uploads', '0003_never_guess'),
    ]

    operations = [
        migrations.AddField(
            model_name='upload',
            name='duplicate_warnings',
            field=models.JSONField(blank=True, default=list, verbose_name='có thể trùng người đã có (đầu danh sách)'),
        ),
        migrations.AddField(
            model_name='upload',
            name='duplicate_warning_count',
            field=models.PositiveIntegerField(default=0, verbose_name='số dòng có thể trùng người đã có'),
        ),
    ]
