"""The name search walks the directory of names (students.search): the GIN index of the words of names'
heads (student_name_head_words, migration 0016) is read by nothing any more, and every write paid for it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0020_dup_block_covering'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='student',
            name='student_name_head_words',
        ),
    ]
