"""Rows inserted by an upload's commit are recorded a batch to an event (issue 20: a lighter write path).

The per-row capture of 0003 writes every new pupil and enrollment a second time, as one trail row each
with its three indexes. When the session setting `edu_portal.audit_batch` is on (set LOCAL to the
commit's transaction by the uploads engine: edu_portal.common.bulk.batched_inserts), an INSERT statement
leaves one event per BATCH_ROWS rows instead: the same actor, door, token, request and time; `record_ids`
names every record of the batch (found by record through the GIN index, as showings of ID numbers are),
and `after` holds each record's new row under its id, in PostgreSQL's text form of a row, with the column
names once: {"columns": ["id", ...], "rows": {"<id>": "(7,...)"}}. The text form because to_jsonb(row)
costs ~15-20 µs a row (a type lookup per column per row), the row's text ~3 µs. Nothing is lost:
audit.selectors.record_history gives each record its own row back, column by column (as text).
Updates and deletes are captured row by row as before (a diff is already compact); tables with columns
that are never copied (accounts_user's password) are never batched.
"""
import importlib

from django.db import migrations

BATCH_ROWS = 500

FUNCTION = r"""
CREATE OR REPLACE FUNCTION audit_capture_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    secret text[] := TG_ARGV[2]::text[];
    columns text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    IF nullif(current_setting('edu_portal.audit_bulk', true), '') IS NOT NULL THEN
        -- A bulk statement of the system (the turn of the school year: audit/context.py bulk_statements):
        -- one event for the statement, naming its journal; the rows are in that journal.
        INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                      record_id, before, after, changed_fields)
        SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'insert',
               TG_ARGV[0], NULL, NULL,
               jsonb_build_object('bulk', current_setting('edu_portal.audit_bulk', true), 'rows', count(*),
                                  'first_id', min(x.id), 'last_id', max(x.id)), '{}'
        FROM new_rows x HAVING count(*) > 0;
        RETURN NULL;
    END IF;
    IF current_setting('edu_portal.audit_batch', true) = 'on' AND cardinality(secret) = 0 THEN
        -- An upload's commit (edu_portal.common.bulk.batched_inserts): one event per %(batch)s rows, each
        -- record's row under its id in PostgreSQL's text form of a row, with the column names once.
        SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO columns
        FROM pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
        INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                      record_id, record_ids, before, after, changed_fields)
        SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'insert',
               TG_ARGV[0], NULL, array_agg(b.id ORDER BY b.id), NULL,
               jsonb_build_object('columns', to_jsonb(columns), 'rows', jsonb_object_agg(b.id::text, b.r)), '{}'
        FROM (SELECT n.id, n::text AS r, (row_number() OVER () - 1) / %(batch)s AS batch FROM new_rows n) b
        GROUP BY b.batch;
        RETURN NULL;
    END IF;
    WITH r AS MATERIALIZED (SELECT n.id, to_jsonb(n) AS j FROM new_rows n)
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'insert',
           TG_ARGV[0], r.id, NULL, audit_redact(r.j, secret), '{}'
    FROM r;
    RETURN NULL;
END $$;
""".replace("%(batch)s", str(BATCH_ROWS))


def _previous() -> str:
    # 0006's bodies: without the setting, 0007's function records exactly what 0006's did.
    return importlib.import_module("audit.migrations.0006_bulk_statements").FUNCTIONS


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_bulk_statements")]

    operations = [migrations.RunSQL(FUNCTION, _previous())]
