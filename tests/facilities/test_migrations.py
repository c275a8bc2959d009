"""What facilities' migrations set in the database beyond the models (facilities/migrations)."""
from django.db import connection


def test_the_standings_are_vacuumed_after_one_percent_of_their_rows_change(db):
    """0007: a province's standing list is counted by an index-only scan, which reads the table for every page
    a refresh rewrote since the last vacuum; PostgreSQL's default waits for a fifth of the table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'facilities_schoolstanding'::regclass")
        options = set(cursor.fetchone()[0] or ())
    assert {"autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_insert_scale_factor=0.01",
            "autovacuum_analyze_scale_factor=0.02"} <= options
