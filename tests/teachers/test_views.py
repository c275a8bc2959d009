"""Staff pages and endpoints: the shared list, detail, scope, query-count and ID-number masking checks
(tests/base.py)."""
from tests.base import IdNumberTests, Kind, KindViewTests
from tests.factories import make_staff


class TestStaffViews(IdNumberTests, KindViewTests):
    kind = Kind(name="staff", list_page="teachers:list", detail_page="teachers:detail",
                list_endpoint="api:staff-list", detail_endpoint="api:staff-detail",
                make_in=make_staff)
