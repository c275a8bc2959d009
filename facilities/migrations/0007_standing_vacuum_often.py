"""The standings vacuumed after 1 % of their rows changed, not PostgreSQL's 20 %.

A province's standing lists are counted by an index-only scan of standing_list_order (dashboards.
selectors_facilities.facilities_standard_list), which reads the table only for pages the visibility map does
not mark all-visible. A refresh replaces the standings of the schools it touches (facilities.standings): a
province's upload rewrites a few thousand of the country's 160,000 rows, far below the default thresholds, and its
pages stayed unmarked until some later mass change. Measured at national size: Hồ Chí Minh City's count read
1,417 rows from the table and took 0.65 ms of the page's 1.3 ms statement; after a vacuum, none (issue 18).
"""
from django.db import migrations

OFTEN = ("ALTER TABLE facilities_schoolstanding SET (autovacuum_vacuum_scale_factor = 0.01,"
         " autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)")
AS_BEFORE = ("ALTER TABLE facilities_schoolstanding RESET (autovacuum_vacuum_scale_factor,"
             " autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)")


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0006_standing_list_order'),
    ]

    operations = [migrations.RunSQL(OFTEN, AS_BEFORE)]
