"""The indexes of the tables every upload writes (issue 20): each one is paid on every row written, so each
serves a query; none is a LIKE twin of another (codes are matched whole) or a prefix of another."""
import pytest
from django.db import IntegrityError, connection, transaction

from students.models import Student
from tests.factories import make_student

pytestmark = pytest.mark.django_db

TABLES = ("students_student", "students_enrollment", "teachers_staffmember")


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(TABLES)])
        return dict(cursor.fetchall())


def test_no_index_of_the_written_tables_is_a_pattern_ops_twin_or_a_lone_school_or_province_index():
    indexes = _indexes()
    assert not [name for name, definition in indexes.items() if "pattern_ops" in definition]
    single = {name: definition.split(" USING btree ")[1] for name, definition in indexes.items()
              if " USING btree (" in definition and "," not in definition.split(" USING btree ")[1]}
    assert "(school_id)" not in single.values()
    assert "(birth_province_id)" not in single.values() and "(employment_status)" not in single.values()
    # What stays: the codes' uniqueness, the verification sweep's status, the transferred-out feed.
    assert {"students_student_pupil_code_key", "teachers_staffmember_staff_code_key", "student_verification_status",
            "staff_verification_status", "enrollment_transferred_out"} <= set(indexes)
    assert "WHERE ((status)::text = 'transferred_out'::text)" in indexes["enrollment_transferred_out"]


def test_a_pupil_code_stays_unique(school_a):
    pupil = make_student(school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.create(pupil_code=pupil.pupil_code, full_name="Nguyễn Văn Khác", date_of_birth="2016-01-01",
                               gender="M", school=school_a)
