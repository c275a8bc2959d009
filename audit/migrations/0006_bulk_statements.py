"""Bulk statements of the system are audited as one event each (issue 17).

The turn of the school year writes an enrollment for every pupil of the country (24 million) in a few
statements; the per-row capture of 0003 would copy each into the trail as JSON again (about 36 µs a
row: a quarter of an hour, and gigabytes of trail, for rows already journalled row by row in
students_yearenddecision with who and when). When the session setting `edu_portal.audit_bulk` names
such a journal (audit.context.bulk_statements, set LOCAL to the transaction by the code that writes),
each statement leaves one event: the action, the table, how many rows, their first and last id, and the
journal. Nothing a user or an API client does can set it. Other writes are captured as in 0003.
"""
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_capture_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    secret text[] := TG_ARGV[2]::text[];
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
    WITH r AS MATERIALIZED (SELECT n.id, to_jsonb(n) AS j FROM new_rows n)
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'insert',
           TG_ARGV[0], r.id, NULL, audit_redact(r.j, secret), '{}'
    FROM r;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_capture_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    secret text[] := TG_ARGV[2]::text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    IF nullif(current_setting('edu_portal.audit_bulk', true), '') IS NOT NULL THEN
        -- A bulk statement of the system (the turn of the school year: audit/context.py bulk_statements):
        -- one event for the statement, naming its journal; the rows are in that journal.
        INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                      record_id, before, after, changed_fields)
        SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'delete',
               TG_ARGV[0], NULL, NULL,
               jsonb_build_object('bulk', current_setting('edu_portal.audit_bulk', true), 'rows', count(*),
                                  'first_id', min(x.id), 'last_id', max(x.id)), '{}'
        FROM old_rows x HAVING count(*) > 0;
        RETURN NULL;
    END IF;
    WITH r AS MATERIALIZED (SELECT o.id, to_jsonb(o) AS j FROM old_rows o)
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'delete',
           TG_ARGV[0], r.id, audit_redact(r.j, secret), NULL, '{}'
    FROM r;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_capture_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    ignored text[] := TG_ARGV[1]::text[];
    secret text[] := TG_ARGV[2]::text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    IF nullif(current_setting('edu_portal.audit_bulk', true), '') IS NOT NULL THEN
        -- A bulk statement of the system (the turn of the school year: audit/context.py bulk_statements):
        -- one event for the statement, naming its journal; the rows are in that journal.
        INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                      record_id, before, after, changed_fields)
        SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'update',
               TG_ARGV[0], NULL, NULL,
               jsonb_build_object('bulk', current_setting('edu_portal.audit_bulk', true), 'rows', count(*),
                                  'first_id', min(x.id), 'last_id', max(x.id)), '{}'
        FROM new_rows x HAVING count(*) > 0;
        RETURN NULL;
    END IF;
    WITH pairs AS MATERIALIZED (
        SELECT n.id, to_jsonb(o) - ignored AS oj, to_jsonb(n) - ignored AS nj
        FROM old_rows o JOIN new_rows n ON n.id = o.id
    )
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'update',
           TG_ARGV[0], p.id, audit_redact(d.before, secret), audit_redact(d.after, secret), d.fields
    FROM pairs p
    CROSS JOIN LATERAL (
        SELECT array_agg(e.key ORDER BY e.key) AS fields, jsonb_object_agg(e.key, p.oj -> e.key) AS before,
               jsonb_object_agg(e.key, e.value) AS after
        FROM jsonb_each(p.nj) e
        WHERE e.value IS DISTINCT FROM p.oj -> e.key
    ) d
    WHERE p.oj <> p.nj AND d.fields IS NOT NULL;
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_ignore_verification_bookkeeping")]

    # Reversing keeps these bodies: without the setting they record exactly what 0003's did.
    operations = [migrations.RunSQL(FUNCTIONS, migrations.RunSQL.noop)]
