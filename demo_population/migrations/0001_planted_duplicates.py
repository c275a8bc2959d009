# The truth of the duplicates seed_demo plants (issue 16): pupil pairs that are the same child, kept
# aside for measuring the duplicate finder.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='PlantedDuplicate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pupil_a', models.BigIntegerField(verbose_name='hồ sơ gốc (id học sinh)')),
                ('pupil_b', models.BigIntegerField(verbose_name='hồ sơ nhập trùng (id học sinh)')),
                ('kind', models.CharField(choices=[('no_id_number', 'Nhập lại không có số định danh'), ('id_number_typo', 'Số định danh sai một chữ số'), ('name_no_diacritics', 'Họ tên gõ không dấu'), ('name_tone_placement', 'Họ tên bỏ dấu thanh kiểu khác (Hoà/Hòa)'), ('day_month_swapped', 'Ngày sinh đảo ngày và tháng')], max_length=24, verbose_name='kiểu sai khác')),
            ],
            options={
                'verbose_name': 'cặp hồ sơ trùng cài sẵn',
                'verbose_name_plural': 'cặp hồ sơ trùng cài sẵn',
                'constraints': [models.UniqueConstraint(fields=('pupil_a', 'pupil_b'), name='one_planted_pair')],
            },
        ),
    ]
