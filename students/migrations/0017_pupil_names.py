"""The directory of pupils' names for the name search at national size (students.models.PupilName,
students.search); 0018 adds the triggers that keep it and fills it."""

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

class Migration(migrations.Migration):

    dependencies = [
        ('students', '0016_name_search_walk'),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.CreateModel(
            name='PupilName',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area', models.CharField(blank=True, max_length=2, verbose_name='tỉnh (trống: cả nước)')),
                ('full_name', models.CharField(max_length=100, verbose_name='họ và tên')),
                ('given', models.GeneratedField(db_persist=True, expression=models.Func(models.F('full_name'), models.Value(' '), models.Value(-1), function='split_part', output_field=models.CharField()), output_field=models.CharField(max_length=100))),
                ('middle', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Trim(django.db.models.functions.text.Substr(models.F('full_name'), django.db.models.expressions.CombinedExpression(django.db.models.functions.text.Length(models.Func(models.F('full_name'), models.Value(' '), models.Value(1), function='split_part', output_field=models.CharField())), '+', models.Value(1)), django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.functions.text.Length(models.F('full_name')), '-', django.db.models.functions.text.Length(models.Func(models.F('full_name'), models.Value(' '), models.Value(1), function='split_part', output_field=models.CharField()))), '-', django.db.models.functions.text.Length(models.Func(models.F('full_name'), models.Value(' '), models.Value(-1), function='split_part', output_field=models.CharField()))), models.Value(0)))), output_field=models.CharField(max_length=100))),
                ('family', models.GeneratedField(db_persist=True, expression=models.Func(models.F('full_name'), models.Value(' '), models.Value(1), function='split_part', output_field=models.CharField()), output_field=models.CharField(max_length=100))),
                ('folded', models.GeneratedField(db_persist=True, expression=models.Func(models.F('full_name'), function='vn_name_search', output_field=models.TextField()), output_field=models.TextField())),
            ],
            options={
                'verbose_name': 'tên học sinh (danh mục tìm kiếm)',
                'indexes': [models.Index(models.F('area'), django.db.models.functions.comparison.Collate(models.F('given'), 'vi-x-icu'), django.db.models.functions.comparison.Collate(models.F('middle'), 'vi-x-icu'), django.db.models.functions.comparison.Collate(models.F('family'), 'vi-x-icu'), include=('folded', 'full_name'), name='pupil_name_order'), GinIndex(models.F('area'), OpClass(models.F('folded'), name='gin_trgm_ops'), name='pupil_name_trgm')],
                'constraints': [models.UniqueConstraint(fields=('area', 'full_name'), name='pupil_name_key')],
            },
        ),
    ]
