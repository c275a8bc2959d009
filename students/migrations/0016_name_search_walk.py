"""Name search at national size (students.search): an index that walks the list's order holding each
name's folded form (index-only), and a text-search index on the words of the name's head (family and
middle names). Built inside the migration's transaction: minutes on the national database, writes wait."""
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models import F

from edu_portal.common.names import vietnamese_order
from edu_portal.common.search import NAME_HEAD_SEARCH_SQL, name_head_words, name_search


class Migration(migrations.Migration):
    dependencies = [("students", "0015_fuzzystrmatch")]

    operations = [
        migrations.RunSQL(NAME_HEAD_SEARCH_SQL, migrations.RunSQL.noop),
        migrations.AddIndex(model_name="student", index=models.Index(
            *vietnamese_order(), F("id"), name_search(), name="student_vi_name_search",
            include=["full_name", "school"])),
        migrations.AddIndex(model_name="student", index=GinIndex(name_head_words(), name="student_name_head_words")),
    ]
