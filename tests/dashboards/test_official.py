"""Official figures beside live ones on the dashboards and in the statistics API (issue 19): a period chosen on the
page (?period=) or asked of the API shows the figures frozen at approval, the live ones, their difference and the
coverage; published figures never move when the school edits later under an exception; bad periods are refused
in the reader's language; scope as everywhere; the exports carry the official columns."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from dashboards.services import stats_refresh_all, stats_refresh_schools
from edu_portal.common.models import current_school_year
from edu_portal.common.prepared import statement_text
from reporting import services
from reporting.models import OfficialFigures
from tests.api.conftest import api, make_token  # noqa: F401 - fixtures
from tests.exports import export_rows
from tests.factories import SchoolFactory, make_staff, make_student

pytestmark = pytest.mark.django_db


def _open(kind: str):
    today = timezone.localdate()
    return services.period_create(scope=Scope.country(), school_year=current_school_year(), kind=kind,
                                  opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=5),
                                  expires_on=today + dt.timedelta(days=30))


@pytest.fixture
def published(school_a, school_b, school_other_province, ministry_user, province_user):
    """Hà Nội: school A (5 pupils) and B (3) approved, a third school C (4) not submitted; the ministry accepted
    Hà Nội. Province 79's school (2 pupils) submitted only. Period "start" (enrollment, staff, facilities)."""
    school_c = SchoolFactory(province_id="01", name="Trường Chưa Nộp")
    for school, n in ((school_a, 5), (school_b, 3), (school_c, 4), (school_other_province, 2)):
        make_staff(school)
        make_staff(school)
        for _ in range(n):
            make_student(school)
    stats_refresh_all()
    period = _open("start")
    for school in (school_a, school_b, school_other_province):
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk, school_b.pk])
    services.province_accept(scope=Scope.country(), user=ministry_user, period_id=period.pk, province_code="01")
    return period


def _edit_after_approval(period, school, province_user, pupils: int = 2) -> None:
    """The province grants an exception and the school adds pupils; the statistics are refreshed."""
    services.exception_grant(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                             school_id=school.pk, hours=2, reason="Bổ sung học sinh chuyển đến")
    for _ in range(pupils):
        make_student(school)
    stats_refresh_schools(school_ids=[school.pk])


def _texts(queries) -> list[str]:
    """The statements a capture saw, a prepared one's as its text (edu_portal.common.prepared)."""
    return [statement_text(q["sql"]) for q in queries.captured_queries]


def _page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _cell(html: str, testid: str) -> str:
    marker = f'data-testid="{testid}">'
    start = html.index(marker) + len(marker)
    return html[start:html.index("<", start)]


def test_province_page_official_beside_live_and_they_never_move(client, published, province_user, ministry_user,
                                                                 school_a):
    client.force_login(province_user)
    url = "/dashboards/provinces/01/"
    html = _page(client, url)
    assert 'data-testid="period-picker"' in html and "Đầu năm học" in html  # the picker offers the year's period
    assert 'data-testid="official"' not in html  # live only until a period is chosen

    html = _page(client, url, period=published.pk)
    assert "Số liệu chính thức (đã duyệt, kỳ Đầu năm học" in html and "Số liệu trực tiếp" in html
    assert (_cell(html, "official-pupils"), _cell(html, "live-pupils"), _cell(html, "diff-pupils")) == ("8", "12", "4")
    coverage = _cell(html, "official-coverage")
    assert "2/3" in coverage and "chưa đầy đủ" in coverage  # school C is not approved: the official total is partial
    assert 'data-testid="table-official"' in html

    _edit_after_approval(published, school_a, province_user)
    html = _page(client, url, period=published.pk)
    assert (_cell(html, "official-pupils"), _cell(html, "live-pupils"), _cell(html, "diff-pupils")) == ("8", "14", "6")

    # The ministry's national page and the API: published figures unchanged, live ones changed.
    client.force_login(ministry_user)
    html = _page(client, "/dashboards/", period=published.pk)
    assert (_cell(html, "official-pupils"), _cell(html, "live-pupils")) == ("8", "16")
    assert "2/4" in _cell(html, "official-coverage")


def test_api_official_beside_live_never_moves(api, published, province_user, ministry_user, school_a):  # noqa: F811
    ministry = api(ministry_user, "country")
    status, body = ministry.get("/stats/overview/", {"period": published.pk})
    assert status == 200, body
    assert body["period"]["id"] == published.pk and body["period"]["school_year"] == current_school_year()
    assert body["period"]["kind"] == "start" and "facilities" in body["period"]["domains"]
    assert (body["students"], body["official"]["students"], body["difference"]["students"]) == (14, 8, 6)
    assert body["coverage"] == {"schools": 4, "approved": 2, "accepted": 2}
    assert sum(r["official"]["students"] or 0 for r in body["by_level"]) == 8

    status, body = ministry.get("/stats/provinces/", {"period": published.pk})
    rows = {r["key"]: r for r in body["results"]}
    assert rows["01"]["official"]["students"] == 8 and rows["01"]["coverage"] == {"schools": 3, "approved": 2,
                                                                                "accepted": 2}
    assert rows["79"]["official"]["students"] is None and rows["79"]["coverage"]["approved"] == 0  # submitted only

    _edit_after_approval(published, school_a, province_user, pupils=3)
    status, body = ministry.get("/stats/overview/", {"period": published.pk})
    assert (body["students"], body["official"]["students"], body["difference"]["students"]) == (17, 8, 9)
    status, body = ministry.get("/stats/schools/", {"period": published.pk, "province": "01"})
    by_school = {r["key"]: r for r in body["results"]}
    assert by_school[str(school_a.pk)]["official"]["students"] == 5 and by_school[str(school_a.pk)]["students"] == 8
    # Without a period the answer is as it always was: no official part.
    status, body = ministry.get("/stats/overview/")
    assert "official" not in body and "period" not in body and body["students"] == 17


def test_api_scope_and_bad_periods(api, client, published, province_user_y, province_user, school_a):  # noqa: F811
    saigon = api(province_user_y, "province:79")
    status, body = saigon.get("/stats/provinces/", {"period": published.pk})
    assert status == 200 and [r["key"] for r in body["results"]] == ["79"]
    assert body["total"]["official"]["students"] is None and body["total"]["coverage"]["approved"] == 0
    assert saigon.get("/stats/provinces/01/communes/", {"period": published.pk})[0] == 404
    hanoi = api(province_user, "province:01")
    status, body = hanoi.get("/stats/provinces/01/communes/", {"period": published.pk})
    assert status == 200 and body["total"]["official"]["students"] == 8

    for bad in ("abc", "999999", "0", "-3"):
        status, body = hanoi.get("/stats/overview/", {"period": bad})
        assert status == 400 and body["error"]["code"] == "invalid_period", (bad, body)
        assert "Không có kỳ báo cáo" in body["error"]["message"]
    status, body = hanoi.get("/stats/overview/", {"period": published.pk, "school_year": current_school_year() - 1})
    assert status == 400 and body["error"]["code"] == "period_year_mismatch"
    assert f"{current_school_year()}-{current_school_year() + 1}" in body["error"]["message"]
    for endpoint in ("/stats/flows/", "/stats/coverage/"):  # not frozen at approval
        status, body = hanoi.get(endpoint, {"period": published.pk})
        assert status == 400 and body["error"]["code"] == "period_not_supported"

    # In the reader's language (the portal's language switch).
    client.force_login(province_user)
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/stats/overview/", {"period": "999999"})
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("There is no reporting period")
    response = client.get("/api/v1/stats/overview/", {"period": published.pk})
    assert response.json()["period"]["label"].startswith("Start of the school year")


def test_pages_with_a_bad_period_stay_live_and_say_why(client, published, province_user):
    client.force_login(province_user)
    html = _page(client, "/dashboards/provinces/01/", period="999999")
    assert "Không có kỳ báo cáo 999999" in _cell(html, "period-error")
    assert 'data-testid="official"' not in html
    today = timezone.localdate()
    last_year = services.period_create(scope=Scope.country(), school_year=current_school_year() - 1, kind="end",
                                       opens_on=today, closes_on=today, expires_on=today)
    html = _page(client, "/dashboards/provinces/01/", period=last_year.pk)
    assert "thuộc năm học" in _cell(html, "period-error") and 'data-testid="official"' not in html


def test_export_carries_the_official_columns(client, published, province_user):
    client.force_login(province_user)
    response = client.get("/dashboards/provinces/01/", {"period": published.pk, "export": "csv", "table": "by_level"})
    rows = export_rows(response)
    header = rows[0]
    assert "Trường đã duyệt" in header and "Học sinh (chính thức)" in header and "Học sinh: chênh lệch" in header
    total = dict(zip(header, rows[-1], strict=True))
    assert (total["Học sinh (chính thức)"], total["Học sinh"], total["Trường đã duyệt"]) == ("8", "12", "2")
    response = client.get("/dashboards/provinces/01/", {"period": published.pk, "export": "csv", "table": "official"})
    text = response.content.decode("utf-8-sig")
    assert "Số liệu chính thức (đã duyệt, kỳ Đầu năm học" in text and "Số liệu trực tiếp" in text
    without = client.get("/dashboards/provinces/01/", {"export": "csv", "table": "by_level"}).content.decode("utf-8-sig")
    assert "(chính thức)" not in without


def test_school_page_and_english(client, published, school_user, school_a):
    client.force_login(school_user)
    html = _page(client, f"/dashboards/schools/{school_a.pk}/", period=published.pk)
    assert (_cell(html, "official-pupils"), _cell(html, "live-pupils")) == ("5", "5")
    assert "1/1" in _cell(html, "official-coverage")
    client.cookies["django_language"] = "en"
    html = _page(client, f"/dashboards/schools/{school_a.pk}/", period=published.pk)
    assert "Official (approved, period Start of the school year" in html and "Live figures" in html


def test_facilities_pages_need_a_period_that_collected_facilities(client, published, province_user, ministry_user):
    client.force_login(province_user)
    html = _page(client, "/dashboards/facilities/provinces/01/", period=published.pk)
    assert 'data-testid="official"' in html and 'data-testid="table-official"' in html
    semester = _open("semester_1")  # enrollment and results only
    html = _page(client, "/dashboards/facilities/provinces/01/", period=semester.pk)
    assert "không thu thập số liệu cơ sở vật chất" in _cell(html, "period-error")
    response = client.get("/api/v1/stats/facilities/", {"period": semester.pk})
    assert response.status_code == 400 and response.json()["error"]["code"] == "period_without_domain"
    body = client.get("/api/v1/stats/facilities/", {"period": published.pk}).json()
    assert body["period"]["id"] == published.pk and body["coverage"]["approved"] == 2


def test_official_sums_are_one_query_and_level_is_frozen(published, school_a, django_assert_num_queries):
    from reporting.selectors import official_sums

    row = OfficialFigures.objects.get(school_id=school_a.pk)
    assert row.figures["level"] == school_a.level
    with django_assert_num_queries(1):
        total, groups = official_sums(scope=Scope.country(), period=published.pk, school_year=published.school_year,
                                      filters={}, groups=("province", "level", "ownership"), metrics=["pupils"])
    assert total["pupils"] == 8 and total["approved"] == 2 and total["accepted"] == 2
    assert groups["province"]["01"]["pupils"] == 8 and "79" not in groups["province"]
    # A school's level changed after approval: its official figures stay under the level it was approved with.
    type(school_a).objects.filter(pk=school_a.pk).update(level="lower_secondary" if school_a.level != "lower_secondary"
                                                         else "primary")
    _, after = official_sums(scope=Scope.country(), period=published.pk, school_year=published.school_year,
                             filters={}, groups=("level",), metrics=["pupils"])
    assert after["level"][school_a.level]["pupils"] >= 5


def test_cached_official_answers_follow_approvals_acceptances_and_new_periods(api, client, published,  # noqa: F811
                                                                             ministry_user, school_other_province):
    ministry = api(ministry_user, "country")
    body = ministry.get("/stats/overview/", {"period": published.pk})[1]
    assert (body["official"]["students"], body["coverage"]["approved"], body["coverage"]["accepted"]) == (8, 2, 2)
    services.submissions_approve(scope=Scope.country(), user=ministry_user, period_id=published.pk,
                                 school_ids=[school_other_province.pk])
    body = ministry.get("/stats/overview/", {"period": published.pk})[1]
    assert (body["official"]["students"], body["coverage"]["approved"], body["coverage"]["accepted"]) == (10, 3, 2)
    services.province_accept(scope=Scope.country(), user=ministry_user, period_id=published.pk, province_code="79")
    body = ministry.get("/stats/overview/", {"period": published.pk})[1]
    assert body["coverage"]["accepted"] == 3

    client.force_login(ministry_user)
    assert "Cuối học kỳ I" not in _page(client, "/dashboards/")
    _open("semester_1")
    assert "Cuối học kỳ I" in _page(client, "/dashboards/")  # the picker offers the new period at once


def test_the_pickers_periods_stay_cached_through_approvals(api, client, published, ministry_user,  # noqa: F811
                                                          school_other_province):
    """The periods' list is cached under its own version (dashboards.official.periods_changed): an approval moves
    the official figures, not the list, so the pages do not read the list again after it; a new period does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def read_list(queries) -> list[str]:  # the source's read of a year's periods (the ORM's quoted names)
        return [q["sql"] for q in queries.captured_queries if '"reporting_reportingperiod"."school_year" =' in q["sql"]]

    ministry = api(ministry_user, "country")
    client.force_login(ministry_user)
    _page(client, "/dashboards/", period=published.pk)
    services.submissions_approve(scope=Scope.country(), user=ministry_user, period_id=published.pk,
                                 school_ids=[school_other_province.pk])
    with CaptureQueriesContext(connection) as queries:
        _page(client, "/dashboards/", period=published.pk)
        body = ministry.get("/stats/overview/", {"period": published.pk})[1]
    assert body["coverage"]["approved"] == 3  # the figures moved
    assert not read_list(queries)  # the list did not
    _open("semester_1")
    with CaptureQueriesContext(connection) as queries:
        assert "Cuối học kỳ I" in _page(client, "/dashboards/")
    assert read_list(queries)


def test_trends_give_the_official_figures_of_the_periods_year(api, published, ministry_user, province_user_y):  # noqa: F811
    status, body = api(ministry_user, "country").get("/stats/trends/", {"period": published.pk, "province": "01"})
    assert status == 200 and body["period"]["id"] == published.pk
    (year,) = [r for r in body["results"] if r["school_year"] == published.school_year]
    assert (year["students"], year["official"]["students"], year["difference"]["students"]) == (12, 8, 4)
    assert year["coverage"] == {"schools": 3, "approved": 2, "accepted": 2}
    assert all("official" not in r for r in body["results"] if r["school_year"] != published.school_year)
    status, body = api(province_user_y, "province:79").get("/stats/trends/", {"period": published.pk})
    (year,) = [r for r in body["results"] if r["school_year"] == published.school_year]
    assert year["coverage"]["approved"] == 0 and year["official"]["students"] is None
    status, body = api(ministry_user, "country").get("/stats/facilities/trends/", {"period": published.pk})
    assert status == 200
    (year,) = [r for r in body["results"] if r["school_year"] == published.school_year]
    assert year["coverage"]["approved"] == 2 and "standard_1_pct" in year["official"]


def test_the_warmed_official_figures_are_those_the_pages_and_the_api_read(api, client, published,  # noqa: F811
                                                                          ministry_user, province_user):
    """After an approval or acceptance a worker computes the official sums of the national page, the API's
    overview and provinces, and the provinces' pages: those readers then never read the frozen rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards.official import official_version_bump
    from reporting.tasks import official_warm

    official_version_bump()  # nothing cached
    official_warm(published.pk, ["01"])
    ministry = api(ministry_user, "country")
    client.force_login(ministry_user)
    with CaptureQueriesContext(connection) as queries:
        assert ministry.get("/stats/overview/", {"period": published.pk})[0] == 200
        assert ministry.get("/stats/provinces/", {"period": published.pk})[0] == 200
        _page(client, "/dashboards/", period=published.pk)
        _page(client, "/dashboards/provinces/01/", period=published.pk)
        client.force_login(province_user)
        _page(client, "/dashboards/provinces/01/", period=published.pk)
    assert not [q for q in _texts(queries) if "reporting_officialfigures" in q]
    # Not warmed: read from the official rollup (reporting.official_rollup), not from the frozen rows.
    with CaptureQueriesContext(connection) as queries:
        _page(client, "/dashboards/provinces/01/", period=published.pk, level="primary")
    assert [q for q in _texts(queries) if "reporting_officialrollup" in q]
    assert not [q for q in _texts(queries) if "reporting_officialfigures" in q]
