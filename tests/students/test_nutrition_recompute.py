"""manage.py nutrition_recompute: stored measurements brought under the current WHO classifier."""
import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.scope import Scope
from students.models import PhysicalRecord
from students.services import physical_record_add
from tests import queued
from tests.factories import make_student

pytestmark = pytest.mark.django_db

MEASURED = dt.date(2025, 10, 1)


def recompute(**options) -> str:
    out = StringIO()
    call_command("nutrition_recompute", stdout=out, **options)
    return out.getvalue()


def changed_count(output: str) -> int:
    return int(re.search(r"sửa (\d+)", output).group(1))


def stored(record: PhysicalRecord) -> tuple:
    record.refresh_from_db()
    return (record.bmi, record.bmi_z_score, record.nutrition_status, record.height_z_score, record.height_status,
            record.updated_at)


def add(pupil, days: int, height: str, weight: str) -> PhysicalRecord:
    return physical_record_add(scope=Scope.country(), student=pupil, measured_on=MEASURED + dt.timedelta(days=days),
                               height_cm=Decimal(height), weight_kg=Decimal(weight))


def corrupt(record: PhysicalRecord, **sets) -> None:
    """Stored as the old classifier left it (set in SQL, past every service)."""
    assignments = ", ".join(f"{column} = %s" for column in sets)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE students_physicalrecord SET {assignments} WHERE id = %s",  # noqa: S608
                    [*sets.values(), record.pk])


@pytest.fixture
def records(school_a):
    pupil = make_student(school_a)  # born 2015
    return [add(pupil, 0, "135", "29"), add(pupil, 1, "135", "48"), add(pupil, 2, "120", "21"),
            add(pupil, 3, "128", "26")]


def test_wrong_stored_figures_are_corrected_and_the_school_refreshed(records, school_a,
                                                                    django_capture_on_commit_callbacks):
    right = [stored(r)[:5] for r in records]
    assert right[0][2] == "normal" and right[1][2] == "obese"
    corrupt(records[0], nutrition_status="obese")
    corrupt(records[1], height_status="", height_z_score=None)  # measured before height-for-age existed
    corrupt(records[2], bmi=Decimal("14.0"), bmi_z_score=Decimal("-2.50"), nutrition_status="underweight")
    untouched = stored(records[3])
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        output = recompute(batch_size=3)

    assert [stored(r)[:5] for r in records] == right
    assert stored(records[3]) == untouched  # right already: not rewritten, updated_at stays
    assert changed_count(output) == 3
    assert "obese -> normal: 1" in output and "(trống) -> normal: 1" in output
    assert ("dashboards.refresh_schools", [[school_a.pk]], {}) in queued.queued_tasks()
    queued.clear()


def test_rows_already_right_are_not_rewritten(records, django_capture_on_commit_callbacks):
    before = [stored(r) for r in records]
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        output = recompute()

    assert [stored(r) for r in records] == before
    assert changed_count(output) == 0 and "Đã xem 4 số đo" in output
    assert not [t for t in queued.queued_tasks() if t[0] == "dashboards.refresh_schools"]


def test_a_record_past_nineteen_years_is_reported_and_left_as_it_is(records):
    pupil = records[0].student
    past = PhysicalRecord.objects.create(
        student=pupil, school=pupil.school, school_year=2035, measured_on=pupil.date_of_birth + dt.timedelta(days=7400),
        height_cm=Decimal("160"), weight_kg=Decimal("50"), bmi=Decimal("10.0"), bmi_z_score=Decimal("1.00"),
        nutrition_status="obese")
    corrupt(records[0], nutrition_status="obese")
    before = stored(past)

    output = recompute()

    assert stored(past) == before
    assert "1 ngoài bảng WHO" in output and str(past.pk) in output
    assert stored(records[0])[2] == "normal"  # the others are still corrected


def test_since_id_resumes_after_the_last_id(records):
    right = [stored(r)[:5] for r in records]
    for record in records:
        corrupt(record, nutrition_status="underweight", height_status="")
    first, *rest = records

    output = recompute(since_id=first.pk)

    assert changed_count(output) == len(rest)
    assert f"id cuối {records[-1].pk}" in output
    assert stored(first)[2:5:2] == ("underweight", "")
    assert [stored(r)[:5] for r in rest] == right[1:]


def test_a_second_run_changes_nothing(records):
    corrupt(records[0], nutrition_status="severe_thin", bmi_z_score=Decimal("-4.00"))
    corrupt(records[2], height_status="", height_z_score=None)

    assert changed_count(recompute(batch_size=2)) == 2
    after = [stored(r) for r in records]
    assert changed_count(recompute(batch_size=2)) == 0
    assert [stored(r) for r in records] == after
