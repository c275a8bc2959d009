"""The facilities dashboard pages and API (issue 18): every level, scoped, each table exportable, definitions
beside the figures, a province's schools by their standing."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from geo.models import Province
from schools.models import School
from tests.dashboards.facilities_data import GOOD_NAME, YEARS
from tests.exports import export_rows

pytestmark = pytest.mark.django_db

AREA_TABLES = ("fac_units", "fac_by_level", "fac_by_ownership", "fac_counts", "fac_trend", "fac_definitions")


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return export_rows(response)


def test_the_ministry_drills_down_from_the_country_to_a_school(client, ministry_user, facilities_world):
    client.force_login(ministry_user)
    url = reverse("dashboards:facilities")
    html = client.get(url).content.decode()
    for name in AREA_TABLES:
        assert f'data-testid="table-{name}"' in html, name
    assert "Tỉ lệ phòng học kiên cố (%)" in html and "Thông tư 13/2020" in html  # the definitions beside them
    assert reverse("dashboards:facilities_province", args=["01"]) in html
    for name in AREA_TABLES:
        rows = _csv(client.get(url, {"export": "csv", "table": name}))
        assert len(rows) > 1, name
        book = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx", "table": name}).content))
        assert book.active.max_row == len(rows) + 1, name  # and the "as of" row
    provinces = _csv(client.get(url, {"export": "csv", "table": "fac_units"}))
    names = dict(Province.objects.values_list("code", "name"))
    assert [r[0] for r in provinces[1:]] == [names["01"], names["48"], names["79"], "Tổng"]
    trend = _csv(client.get(url, {"export": "csv", "table": "fac_trend"}))
    assert len(trend) == 1 + len(YEARS)

    school = School.objects.get(name=GOOD_NAME)
    province = client.get(reverse("dashboards:facilities_province", args=["01"])).content.decode()
    assert reverse("dashboards:facilities_commune", args=[school.commune_id]) in province
    commune = client.get(reverse("dashboards:facilities_commune", args=[school.commune_id]))
    assert reverse("dashboards:facilities_school", args=[school.pk]) in commune.content.decode()
    page = client.get(reverse("dashboards:facilities_school", args=[school.pk]))
    assert page.status_code == 200
    assert 'data-testid="table-fac_school_standard"' in page.content.decode()
    assert "Đạt mức độ 1" in page.content.decode()


def test_a_province_lists_its_schools_by_standing_and_what_they_lack(client, province_user, facilities_world):
    client.force_login(province_user)
    assert client.get(reverse("dashboards:facilities")).url.startswith(
        reverse("dashboards:facilities_province", args=["01"]))
    url = reverse("dashboards:facilities_province", args=["01"])
    met = _csv(client.get(url, {"export": "csv", "table": "fac_standard_met"}))
    assert GOOD_NAME in [r[0] for r in met[1:]]
    unmet = _csv(client.get(url, {"export": "csv", "table": "fac_standard_unmet"}))
    lacks = unmet[0].index("Tiêu chí mức độ 1 chưa đạt (số còn thiếu)")
    assert lacks == 2  # next to the name and the standing: on a phone the columns after them are a scroll away
    assert len(unmet) > 1 and all(r[lacks] for r in unmet[1:])  # each lacks a named criterion
    others = set(School.objects.exclude(province_id="01").values_list("name", flat=True))
    assert not others & {r[0] for r in met[1:] + unmet[1:]}
    # Another province, its commune or school: not found.
    other = School.objects.filter(province_id="79").first()
    assert client.get(reverse("dashboards:facilities_province", args=["79"])).status_code == 404
    assert client.get(reverse("dashboards:facilities_commune", args=[other.commune_id])).status_code == 404
    assert client.get(reverse("dashboards:facilities_school", args=[other.pk])).status_code == 404


def test_a_school_sees_its_own_page_only(client, school_user, school_b, facilities_world):
    client.force_login(school_user)
    response = client.get(reverse("dashboards:facilities"), {"school_year": YEARS[0]})
    assert response.url == reverse("dashboards:facilities_school", args=[school_user.school_id]) + \
        f"?school_year={YEARS[0]}"
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("dashboards:facilities_school", args=[school_b.pk])).status_code == 404
    assert client.get(reverse("dashboards:facilities_province", args=["01"])).status_code == 404


def test_the_api_gives_the_pages_figures_within_the_scope(client, ministry_user, province_user, facilities_world):
    from dashboards.selectors_facilities import facilities_summary
    from tests.dashboards.test_facilities import PROVINCE_01

    client.force_login(province_user)
    body = client.get("/api/v1/stats/facilities/").json()
    expected = facilities_summary(scope=PROVINCE_01, filters={}).total
    for key in ("fac_sites", "fac_classrooms", "solid_pct", "equipment_pct", "standard_1_pct"):
        assert body[key] == expected[key], key
    assert {d["key"] for d in body["definitions"]} >= {"classrooms_per_class", "standard_2_pct"}
    trends = client.get("/api/v1/stats/facilities/trends/", {"province": "01"}).json()
    assert [r["school_year"] for r in trends["results"]] == list(YEARS)
    assert client.get("/api/v1/stats/facilities/trends/", {"province": "79"}).status_code == 404
    assert client.get("/api/v1/stats/facilities/", {"level": ""}).status_code == 400

    schema = client.get(reverse("api:schema"))
    assert b"/api/v1/stats/facilities/" in schema.content and b"/api/v1/stats/facilities/trends/" in schema.content


def test_a_school_page_outside_the_scope_is_not_found(client, province_user, school_a, school_other_province,
                                                     facilities_world):
    client.force_login(province_user)
    page = reverse("dashboards:facilities_school", args=[school_a.pk])
    assert school_a.province_id == province_user.province_id
    assert client.get(page).status_code == 200
    assert client.get(reverse("dashboards:facilities_school", args=[school_other_province.pk])).status_code == 404
    assert client.get(reverse("dashboards:facilities_school", args=[school_other_province.pk + 10_000])
                      ).status_code == 404
    assert client.get(page, {"school_year": "1900"}).status_code == 400  # a year not on record
