"""The dashboards' downloads go through the portal's one export helper (edu_portal.common.exports): named with the
area, the filters and the date, the "as of" line first, a BOM, numbers as numbers in Excel."""
import re

import pytest
from django.urls import reverse

from dashboards.services import stats_refresh_all
from tests.exports import read_export
from tests.factories import make_staff, make_student

pytestmark = pytest.mark.django_db


def test_a_province_table_is_named_and_headed_by_its_area_and_filters(client, ministry_user, school_a):
    make_student(school_a)
    make_staff(school_a)
    stats_refresh_all()
    client.force_login(ministry_user)
    url = reverse("dashboards:province", args=["01"])
    response = client.get(url, {"export": "csv", "table": "units", "level": "primary"})
    name = re.fullmatch(r'attachment; filename="(.+)"', response["Content-Disposition"]).group(1)
    assert name.isascii() and name.endswith(".csv") and "ha-noi_" in name and "_tieu-hoc_" in name, name
    assert re.search(r"_\d{4}-\d\d-\d\d\.csv$", name) and name != "units.csv"
    as_of, rows = read_export(response)
    assert "Hà Nội" in as_of and "Cấp học: Tiểu học" in as_of and "giờ Việt Nam" in as_of
    book = client.get(url, {"export": "xlsx", "table": "units"})
    as_of, rows = read_export(book)
    header, first = rows[0], rows[1]
    assert isinstance(first[header.index("Học sinh")], int) and first[header.index("Học sinh")] >= 1
