"""The enrolment ratios on /dashboards/trends/ and /api/v1/stats/coverage/ (issue 17): the selector's
figures with their definitions and source, a year without population said so, none for a school."""
import pytest
from django.urls import reverse

from accounts.scope import SCHOOL, Scope
from dashboards.selectors_coverage import coverage_summary
from dashboards.services import stats_refresh_all
from edu_portal.common.models import school_year_label
from geo.models import Commune
from tests.dashboards.test_api import token_client
from tests.dashboards.test_coverage import random_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    missing = random_records(21)
    stats_refresh_all()
    return missing


def test_the_ministry_sees_each_levels_ratios_with_definitions_and_the_year_without_population(
        client, ministry_user, records):
    client.force_login(ministry_user)
    html = client.get(reverse("dashboards:trends")).content.decode()
    for name in ("coverage_primary", "coverage_lower_secondary", "coverage_upper_secondary", "coverage_intake",
                 "coverage_units"):
        assert f'data-testid="table-{name}"' in html, name
    assert "Tỉ lệ nhập học chung (%)" in html and "thống kê dân số theo độ tuổi, xã" in html
    assert 'data-testid="population-missing"' in html and school_year_label(records) in html
    assert "manage.py" not in html
    csv_rows = client.get(reverse("dashboards:trends"), {"export": "csv", "table": "coverage_primary"}) \
        .content.decode("utf-8-sig").splitlines()
    summary = coverage_summary.uncached(scope=Scope.country(), filters={}, unit="province")
    assert len(csv_rows) == 2 + len(summary.trend)  # the "as of" line, the header


def test_a_schools_page_says_there_is_no_ratio_for_a_school(client, school_user, records):
    client.force_login(school_user)
    html = client.get(reverse("dashboards:trends")).content.decode()
    assert 'data-testid="coverage-note"' in html and "không có dân số riêng" in html
    assert 'data-testid="table-coverage_primary"' not in html


def test_the_api_gives_the_pages_figures_scoped_by_the_token(ministry_user, province_user, school_user, records):
    body = token_client(ministry_user, Scope.country()).get("/api/v1/stats/coverage/").json()
    summary = coverage_summary.uncached(scope=Scope.country(), filters={}, unit="province")
    assert body["available"] and body["group"] == "province" and body["population_missing"] == [records]
    assert [(t["school_year"], t["primary"]["ger"], t["primary"]["ner"]) for t in body["trend"]] == [
        (y, summary.trend[y]["primary"]["ger"], summary.trend[y]["primary"]["ner"]) for y in sorted(summary.trend)]
    assert {d["key"] for d in body["definitions"]} == {"ger", "ner", "gir", "gpi"}
    assert all("Cơ sở dữ liệu quốc gia về dân cư" in d["source"] for d in body["definitions"])
    province = token_client(province_user, Scope("province", province_code="01"))
    assert province.get("/api/v1/stats/coverage/", {"province": "79"}).status_code == 404
    keys = [u["key"] for u in province.get("/api/v1/stats/coverage/").json()["units"]]
    assert keys and set(Commune.objects.filter(pk__in=keys).values_list("province_id", flat=True)) == {"01"}
    school = token_client(school_user, Scope(SCHOOL, school_id=school_user.school_id, province_code="01"))
    assert school.get("/api/v1/stats/coverage/").json()["available"] is False
