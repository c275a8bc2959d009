"""School pages and endpoints: the shared list, detail, scope and query-count checks (tests/base.py)."""
from tests.base import Kind, KindViewTests
from tests.factories import SchoolFactory


class TestSchoolViews(KindViewTests):
    kind = Kind(name="schools", list_page="schools:list", detail_page="schools:detail",
                list_endpoint="api:school-list", detail_endpoint="api:school-detail",
                make_in=lambda school: school, label=lambda school: school.name,
                make_more=lambda school: SchoolFactory(province_id=school.province_id, commune_id=school.commune_id))
