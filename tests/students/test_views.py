"""Pupil pages and endpoints: the shared list, detail, scope, query-count and ID-number masking checks
(tests/base.py)."""
from tests.base import IdNumberTests, Kind, KindViewTests
from tests.factories import make_student


class TestStudentViews(IdNumberTests, KindViewTests):
    kind = Kind(name="students", list_page="students:list", detail_page="students:detail",
                list_endpoint="api:student-list", detail_endpoint="api:student-detail",
                make_in=make_student)
