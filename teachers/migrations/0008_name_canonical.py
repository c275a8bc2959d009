"""Staff names in the canonical form and searched without diacritics, as students 0012 does for pupils
(see its note on the national database). The functions are created here too (CREATE OR REPLACE), so
that the two apps do not depend on each other's migrations."""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from edu_portal.common.identity import NAME_CANONICAL_SQL, name_canonical_update_sql
from edu_portal.common.search import NAME_SEARCH_SQL, name_search_index


class Migration(migrations.Migration):

    dependencies = [("teachers", "0007_staff_reassignments")]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL([NAME_CANONICAL_SQL, NAME_SEARCH_SQL], migrations.RunSQL.noop),
        migrations.RunSQL(name_canonical_update_sql("teachers_staffmember"), migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS staffmember_name_search_trgm ON teachers_staffmember "
            "USING gin (vn_name_search(full_name) gin_trgm_ops)",
            "DROP INDEX IF EXISTS staffmember_name_search_trgm",
            state_operations=[migrations.AddIndex(
                model_name="staffmember",
                index=name_search_index("full_name", name="staffmember_name_search_trgm"))],
        ),
        migrations.RemoveIndex(model_name="staffmember", name="staffmember_name_trgm"),
    ]
