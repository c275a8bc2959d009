# ruff: noqa: S608 - the trigger SQL is assembled from the constants of this module only.
"""The database side of the period locks (issue 19): one statement trigger per records table and operation,
reading reporting_reportinglock (kept by reporting.services). Per statement, not per row: a bulk write of
millions of rows costs one join of its transition table with the (small) lock table, and nothing at all while
no lock exists for the domain.

A table without `school_year` (staff, sites) is locked for the current school year (Asia/Ho_Chi_Minh; August
belongs to the new year, as edu_portal.common.models.current_school_year). A write under a province's
exception passes and counts its rows on the submission (`changed_after_approval`): the figures need approving
again. edu_portal.common.period_locks turns the error into the user's message.
"""
from __future__ import annotations

from edu_portal.common.period_locks import BYPASS_SETTING, LOCKED_MARKER

# table: (domain, has school_year)
TABLES = {
    "students_enrollment": ("enrollment", True),
    "students_academicresult": ("results", True),
    "students_physicalrecord": ("physical", True),
    "teachers_staffmember": ("staff", False),
    "facilities_site": ("facilities", False),
    "facilities_sitefacilities": ("facilities", True),
    "facilities_equipmentholding": ("facilities", True),
}

CURRENT_YEAR = ("(CASE WHEN extract(month FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh') >= 8"
                " THEN extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')"
                " ELSE extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh') - 1 END)::int")


def _check(rows: str) -> str:
    # The locks the statement's rows touch, with how many rows each; `rows` yields school_id, school_year.
    return f"""
        FOR hit IN
            SELECT l.*, sc.code AS school_code, count(*) AS n
            FROM {rows} r JOIN reporting_reportinglock l ON l.school_id = r.school_id AND l.school_year = r.school_year
            JOIN schools_school sc ON sc.id = l.school_id
            WHERE l.domain = TG_ARGV[0]
            GROUP BY l.id, sc.code
        LOOP
            IF hit.exception_until IS NOT NULL AND hit.exception_until > now() THEN
                UPDATE reporting_submission SET changed_after_approval = changed_after_approval + hit.n
                 WHERE id = hit.submission_id;
            ELSE
                RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = '{LOCKED_MARKER}',
                    DETAIL = json_build_object('school_code', hit.school_code, 'school_year', hit.school_year,
                        'domain', hit.domain, 'period_kind', hit.period_kind, 'approved_by', hit.approved_by,
                        'approved_at', to_char(hit.approved_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                               'YYYY-MM-DD"T"HH24:MI'))::text;
            END IF;
        END LOOP;"""


# An update that changes only bookkeeping (the registry's verification answers, updated_at) is not the
# school's edit of its figures: the verification goes on after approval (the frozen figures do not move).
STRIP = """
CREATE OR REPLACE FUNCTION reporting_content(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(j)
    WHERE key <> 'updated_at' AND key !~ '^verification_'
$$;"""


def _function(name: str, year: str) -> str:
    # INSERT reads new_rows, DELETE old_rows, UPDATE both (a row moved out of a locked school or year is a
    # change of the locked figures too).
    changed = ("(SELECT x.* FROM new_rows n JOIN old_rows o ON o.id = n.id,"
               " LATERAL (VALUES (n.school_id, {yn}), (o.school_id, {yo})) x(school_id, school_year)"
               " WHERE reporting_content(to_jsonb(n)) IS DISTINCT FROM reporting_content(to_jsonb(o)))")
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE hit record;
BEGIN
    -- Nothing to do while no report waits for a decision and none is approved (most of the year).
    IF current_setting('{BYPASS_SETTING}', true) = 'on'
       OR NOT (EXISTS (SELECT 1 FROM reporting_reportinglock WHERE domain = TG_ARGV[0])
               OR EXISTS (SELECT 1 FROM reporting_submission WHERE status = 'submitted')) THEN
        RETURN NULL;
    END IF;
    -- An approval locks its schools' rows (FOR UPDATE) before it reads their figures: a write takes them FOR
    -- SHARE first, so it either finishes before the approval reads (and is in the frozen figures) or waits for
    -- the approval's commit and then finds its lock (this statement's checks below run after the wait).
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM schools_school WHERE id IN (SELECT DISTINCT school_id FROM new_rows) ORDER BY id FOR SHARE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM schools_school WHERE id IN (SELECT DISTINCT school_id FROM old_rows) ORDER BY id FOR SHARE;
    END IF;
    IF TG_OP = 'INSERT' THEN {_check(f"(SELECT school_id, {year.format(r='n')} AS school_year FROM new_rows n)")}
    ELSIF TG_OP = 'DELETE' THEN {_check(f"(SELECT school_id, {year.format(r='o')} AS school_year FROM old_rows o)")}
    ELSE {_check(changed.format(yn=year.format(r='n'), yo=year.format(r='o')))}
    END IF;
    RETURN NULL;
END
$fn$;"""


# The transition tables a statement trigger of each operation reads (here and in reporting.changes).
TRANSITION = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
              "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}

FUNCTIONS = {True: "reporting_lock_check_year", False: "reporting_lock_check_current"}


def install_sql() -> str:
    parts = [STRIP, _function(FUNCTIONS[True], "{r}.school_year"), _function(FUNCTIONS[False], CURRENT_YEAR)]
    for table, (domain, by_year) in TABLES.items():
        for op in ("INSERT", "UPDATE", "DELETE"):
            parts.append(f"CREATE TRIGGER period_lock_{op.lower()} AFTER {op} ON {table} REFERENCING {TRANSITION[op]}"
                         f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTIONS[by_year]}('{domain}');")
    return "\n".join(parts)


# A pupil's own record (students_student) has no school year: a change of what the figures read from it (sex,
# date of birth, whether an identity number is held: dashboards.metrics) changes the figures of the schools
# that enrol the pupil this year. Other fields (names, addresses) are not figures and stay editable, and a
# pupil's past years are not reopened by today's corrections (their official figures are frozen anyway).
PUPIL_FUNCTION = "reporting_lock_check_pupil"


def pupil_install_sql() -> str:
    changed = f"""(SELECT e.school_id, e.school_year
                  FROM new_rows n JOIN old_rows o ON o.id = n.id
                  JOIN students_enrollment e ON e.student_id = n.id AND e.school_year = {CURRENT_YEAR}
                  WHERE (n.gender, n.date_of_birth, n.id_number IS NULL)
                        IS DISTINCT FROM (o.gender, o.date_of_birth, o.id_number IS NULL))"""
    return f"""
CREATE OR REPLACE FUNCTION {PUPIL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE hit record;
BEGIN
    IF current_setting('{BYPASS_SETTING}', true) = 'on'
       OR NOT (EXISTS (SELECT 1 FROM reporting_reportinglock WHERE domain = TG_ARGV[0])
               OR EXISTS (SELECT 1 FROM reporting_submission WHERE status = 'submitted')) THEN
        RETURN NULL;
    END IF;
    -- The same order against an approval in progress as the records' tables (above).
    PERFORM 1 FROM schools_school WHERE id IN (SELECT DISTINCT school_id FROM {changed} c) ORDER BY id FOR SHARE;
    {_check(changed)}
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS period_lock_update ON students_student;
CREATE TRIGGER period_lock_update AFTER UPDATE ON students_student REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {PUPIL_FUNCTION}('enrollment');"""


def pupil_uninstall_sql() -> str:
    return f"DROP TRIGGER IF EXISTS period_lock_update ON students_student; DROP FUNCTION IF EXISTS {PUPIL_FUNCTION}();"


def uninstall_sql() -> str:
    parts = [f"DROP TRIGGER IF EXISTS period_lock_{op} ON {table};"
             for table in TABLES for op in ("insert", "update", "delete")]
    parts += [f"DROP FUNCTION IF EXISTS {f}();" for f in FUNCTIONS.values()]
    parts.append("DROP FUNCTION IF EXISTS reporting_content(jsonb);")
    return "\n".join(parts)
