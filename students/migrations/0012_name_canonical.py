"""Names in one canonical form (edu_portal.common.identity.canonical_name), searched without diacritics.

Creates the unaccent extension and two IMMUTABLE SQL functions: vn_name_canonical (the canonical form,
the same rules as the Python function; tests check they agree) and vn_name_search (the folded form the
search index holds, edu_portal.common.search); rewrites the stored names that are not canonical, and
replaces the trigram index on full_name by one on vn_name_search(full_name).

National database (24 million pupils): the UPDATE passes only candidate names to the function and
writes only those that change. The index is built inside the migration's transaction, locking writes
meanwhile; on the national database build it beforehand with CREATE INDEX CONCURRENTLY (the same
statement as below, with CONCURRENTLY), then migrate: IF NOT EXISTS leaves it as it is.
"""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from edu_portal.common.identity import NAME_CANONICAL_SQL, name_canonical_update_sql
from edu_portal.common.search import NAME_SEARCH_SQL, name_search_index


class Migration(migrations.Migration):

    dependencies = [("students", "0011_transfer_escalation")]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL([NAME_CANONICAL_SQL, NAME_SEARCH_SQL], migrations.RunSQL.noop),
        migrations.RunSQL(name_canonical_update_sql("students_student"), migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS student_name_search_trgm ON students_student "
            "USING gin (vn_name_search(full_name) gin_trgm_ops)",
            "DROP INDEX IF EXISTS student_name_search_trgm",
            state_operations=[migrations.AddIndex(
                model_name="student", index=name_search_index("full_name", name="student_name_search_trgm"))],
        ),
        migrations.RemoveIndex(model_name="student", name="student_name_trgm"),
    ]
