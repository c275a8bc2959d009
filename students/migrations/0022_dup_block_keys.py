"""The duplicate block index (student_dup_block) carries, after the block's keys, the folded name and
whether the ID number is a valid 12-digit one, and INCLUDEs the school: an upload's check then tests
each of a block's ~40 candidates from the index without computing anything per candidate (the regular
expression and unaccent cost ~1 µs each, most of the check's time at national size; bench school_upload).
Rebuilt inside the migration: a few minutes on the national database; writes to pupils wait meanwhile."""

from django.db import migrations, models

# Valid = 12 digits (Thông tư 59/2021/TT-BCA, Điều 7). IMMUTABLE so that an index may hold it; a
# SQL function so that queries and the index spell it alike.
VALID_SQL = ("CREATE OR REPLACE FUNCTION student_id_valid(n text) RETURNS boolean LANGUAGE sql IMMUTABLE "
             "PARALLEL SAFE STRICT AS $$ SELECT n ~ '^[0-9]{12}$' $$")


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0002_ethnic_group'),
        ('schools', '0001_initial'),
        ('students', '0021_drop_name_head_words'),
    ]

    operations = [
        migrations.RunSQL(VALID_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name='student',
            name='student_dup_block',
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(models.F('date_of_birth'), models.F('gender'), models.Func(models.F('full_name'), function='student_given_key', output_field=models.TextField()), models.Func(models.F('full_name'), function='student_name_key', output_field=models.TextField()), models.Func(models.F('id_number'), function='student_id_valid', output_field=models.BooleanField()), include=('full_name', 'id_number', 'school'), name='student_dup_block'),
        ),
    ]
