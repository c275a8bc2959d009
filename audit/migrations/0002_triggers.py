"""The audit triggers: every write to the audited tables, whatever the door, lands in the trail.

STATEMENT-level triggers with transition tables (REFERENCING OLD TABLE / NEW TABLE): one trigger
call per statement, one set-based INSERT ... SELECT into audit_auditevent for all its rows. A
COPY-based upload of 50,000 pupils costs one extra INSERT of 50,000 rows, not 50,000 trigger calls.

- insert: `after` holds the new row; delete: `before` holds the old row;
- update: old and new rows joined on id; `before`/`after` hold only the changed fields and
  `changed_fields` names them. Rows where nothing changed (apart from the ignored columns, e.g.
  updated_at, which upserts rewrite on every match) are not recorded;
- who and through which door: the session settings edu_portal.* (audit/context.py). When they
  are empty (manage.py shell without the app's context, psql), the door is "shell" and the actor
  is the database role.
- accounts_user: password hashes are never copied (shown as "***"); last_login is ignored.

The demo seeder (demo_population/load.py) sets `session_replication_role = replica` when it may
(superuser), which skips these triggers: that is intended, the demo load is generated data and
would otherwise fill the trail with millions of "insert" rows. Without that right the seeder's
COPY is audited like any other write (door "shell").

Append-only: BEFORE UPDATE/DELETE/TRUNCATE statement triggers on audit_auditevent raise. Test
databases (named test_*) accept TRUNCATE, because Django's test runner empties every table
between transactional tests. In production ALSO revoke the rights from the application's role,
so that not even a dropped trigger opens the trail to rewriting:
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM <app_role>;
(the role then only needs INSERT and SELECT on it, and USAGE on its sequence).
"""
from django.db import migrations

# (table, model label, columns ignored when comparing, columns whose values are never copied)
AUDITED = [
    ("schools_school", "schools.school", "{updated_at}", "{}"),
    ("teachers_staffmember", "teachers.staffmember", "{updated_at}", "{}"),
    ("students_student", "students.student", "{updated_at}", "{}"),
    ("students_enrollment", "students.enrollment", "{updated_at}", "{}"),
    ("students_academicresult", "students.academicresult", "{updated_at}", "{}"),
    ("students_physicalrecord", "students.physicalrecord", "{updated_at}", "{}"),
    ("accounts_user", "accounts.user", "{last_login}", "{password}"),
]

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_redact(row_data jsonb, secret text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(secret) = 0 OR row_data IS NULL THEN row_data
                ELSE row_data || coalesce((SELECT jsonb_object_agg(k, '"***"'::jsonb)
                                            FROM unnest(secret) k WHERE row_data ? k), '{}'::jsonb) END
$$;

-- Who is writing: the session settings pushed by audit/context.py, or the database role.
CREATE OR REPLACE FUNCTION audit_actor(OUT actor_id bigint, OUT actor text, OUT door text,
                                       OUT request_id text, OUT token_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('edu_portal.actor_id', true), '')::bigint,
           left(coalesce(nullif(current_setting('edu_portal.actor', true), ''), 'db:' || session_user), 150),
           coalesce(nullif(current_setting('edu_portal.door', true), ''), 'shell'),
           left(coalesce(current_setting('edu_portal.request_id', true), ''), 128),
           nullif(current_setting('edu_portal.token_id', true), '')::bigint
$$;

-- TG_ARGV: [0] model label, [1] columns ignored when comparing, [2] columns never copied.
CREATE OR REPLACE FUNCTION audit_capture_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    secret text[] := TG_ARGV[2]::text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'insert',
           TG_ARGV[0], (r.j ->> 'id')::bigint, NULL, audit_redact(r.j, secret), '{}'
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n) r;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_capture_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    secret text[] := TG_ARGV[2]::text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'delete',
           TG_ARGV[0], (r.j ->> 'id')::bigint, audit_redact(r.j, secret), NULL, '{}'
    FROM (SELECT to_jsonb(o) AS j FROM old_rows o) r;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_capture_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who record;
    ignored text[] := TG_ARGV[1]::text[];
    secret text[] := TG_ARGV[2]::text[];
BEGIN
    SELECT * INTO who FROM audit_actor();
    WITH pairs AS (
        SELECT to_jsonb(o) - ignored AS oj, to_jsonb(n) - ignored AS nj
        FROM old_rows o JOIN new_rows n ON n.id = o.id
    ), diffs AS (
        SELECT (nj ->> 'id')::bigint AS id, oj, nj,
               ARRAY(SELECT e.key FROM jsonb_each(nj) e WHERE e.value IS DISTINCT FROM oj -> e.key
                     ORDER BY e.key) AS fields
        FROM pairs
    )
    INSERT INTO audit_auditevent (occurred_at, actor_id, actor, door, token_id, request_id, action, model,
                                  record_id, before, after, changed_fields)
    SELECT statement_timestamp(), who.actor_id, who.actor, who.door, who.token_id, who.request_id, 'update',
           TG_ARGV[0], d.id,
           audit_redact((SELECT jsonb_object_agg(k, d.oj -> k) FROM unnest(d.fields) k), secret),
           audit_redact((SELECT jsonb_object_agg(k, d.nj -> k) FROM unnest(d.fields) k), secret),
           d.fields
    FROM diffs d
    WHERE cardinality(d.fields) > 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Django's test runner empties every table of a test database between transactional tests.
    IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS audit_capture_update();
DROP FUNCTION IF EXISTS audit_capture_delete();
DROP FUNCTION IF EXISTS audit_capture_insert();
DROP FUNCTION IF EXISTS audit_actor();
DROP FUNCTION IF EXISTS audit_redact(jsonb, text[]);
"""


def _triggers(table: str, label: str, ignored: str, secret: str) -> str:
    args = f"'{label}', '{ignored}', '{secret}'"
    return f"""
CREATE TRIGGER audit_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_insert({args});
CREATE TRIGGER audit_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_update({args});
CREATE TRIGGER audit_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_capture_delete({args});
"""


def _drop_triggers(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS audit_{op} ON {table};\n" for op in ("insert", "update", "delete"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("schools", "__first__"),
        ("teachers", "__first__"),
        ("students", "__first__"),
        ("accounts", "__first__"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL("".join(_triggers(*row) for row in AUDITED),
                          "".join(_drop_triggers(row[0]) for row in AUDITED)),
    ]
