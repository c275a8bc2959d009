"""The triggers that keep the directory of pupils' names (students.models.PupilName) and its first
fill from the pupils already there (a few minutes on the national database; writes to the pupils wait
meanwhile). Apart from 0017 because its unique constraint, the triggers' ON CONFLICT target, is only
created at the end of that migration."""
from django.db import migrations

# Every (area, name) of the pupils in `rows` (a pupil's province and the whole country, ""), added
# where missing. Sorted, so that concurrent writers take the index's locks in one order.
_NAMES_OF = """
    INSERT INTO students_pupilname (area, full_name)
    SELECT DISTINCT v.area, n.full_name
    FROM {rows} JOIN schools_school s ON s.id = n.school_id
    CROSS JOIN LATERAL (VALUES (s.province_id::varchar), (''::varchar)) AS v(area)
    ORDER BY 1, 2
    ON CONFLICT (area, full_name) DO NOTHING;
"""

TRIGGERS = f"""
CREATE OR REPLACE FUNCTION pupil_names_fill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN {_NAMES_OF.format(rows="students_student n")} END $$;

CREATE OR REPLACE FUNCTION pupil_names_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_NAMES_OF.format(rows="new_rows n")} RETURN NULL; END $$;

CREATE OR REPLACE FUNCTION pupil_names_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_NAMES_OF.format(rows="(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id "
                              "WHERE n.full_name <> o.full_name OR n.school_id <> o.school_id) n")}
RETURN NULL; END $$;

-- A school that moves to another province takes its pupils' names there.
CREATE OR REPLACE FUNCTION pupil_names_on_school_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_NAMES_OF.format(rows="(SELECT p.* FROM new_rows sn JOIN old_rows so ON so.id = sn.id "
                              "JOIN students_student p ON p.school_id = sn.id "
                              "WHERE sn.province_id <> so.province_id) n")}
RETURN NULL; END $$;

CREATE TRIGGER pupil_names_insert AFTER INSERT ON students_student REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil_names_on_insert();
CREATE TRIGGER pupil_names_update AFTER UPDATE ON students_student REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pupil_names_on_update();
CREATE TRIGGER pupil_names_school_update AFTER UPDATE ON schools_school REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pupil_names_on_school_update();
SELECT pupil_names_fill();
"""

UNDO = """
DROP TRIGGER IF EXISTS pupil_names_insert ON students_student;
DROP TRIGGER IF EXISTS pupil_names_update ON students_student;
DROP TRIGGER IF EXISTS pupil_names_school_update ON schools_school;
DROP FUNCTION IF EXISTS pupil_names_on_insert(), pupil_names_on_update(), pupil_names_on_school_update(),
    pupil_names_fill();
"""



class Migration(migrations.Migration):
    dependencies = [("students", "0017_pupil_names"), ("schools", "0001_initial")]

    operations = [migrations.RunSQL(TRIGGERS, UNDO)]
