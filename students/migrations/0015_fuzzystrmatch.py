from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

# fuzzystrmatch's levenshtein tells a pupil's ID number mistyped by one keystroke from another
# person's number (students.duplicates, issue 16). It is a trusted extension: the app's owner may
# create it without superuser rights.


class Migration(migrations.Migration):
    dependencies = [("students", "0014_intake_without_id")]

    operations = [CreateExtension("fuzzystrmatch")]
