"""The statistics endpoints: authentication, scope (never a count from outside), filters, ETag, CSV."""
import pytest
from rest_framework.test import APIClient

from accounts.scope import Scope
from api.services import api_token_create
from dashboards.raw import raw_figures
from dashboards.services import stats_refresh_all
from verification.models import VerificationStatus


@pytest.fixture
def refreshed(world):
    stats_refresh_all()
    return world


def token_client(user, scope) -> APIClient:
    _, secret = api_token_create(user=user, name="test", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def ministry_api(ministry_user):
    return token_client(ministry_user, Scope.country())


@pytest.fixture
def hanoi_api(province_user):
    return token_client(province_user, Scope("province", province_code="01"))


def test_authentication_required(db):
    for url in ["/api/v1/stats/overview/", "/api/v1/stats/provinces/", "/api/v1/stats/provinces/01/communes/",
                "/api/v1/stats/schools/"]:
        response = APIClient().get(url)
        assert response.status_code == 401
        assert response.json()["error"]["code"]


def test_overview_matches_raw(refreshed, ministry_api):
    data = ministry_api.get("/api/v1/stats/overview/").json()
    raw = raw_figures(scope=Scope.country())[None]
    assert data["schools"] == raw["schools"]
    assert data["students"] == raw["pupils"]
    assert data["staff"] == raw["staff"]
    assert data["verification"] == {v: raw[f"pupils_ver_{v}"] + raw[f"staff_ver_{v}"]
                                    for v in VerificationStatus.values}
    assert {i["name"] for i in data["indicators"]} >= {"pupils_per_teacher", "nutrition", "mismatch_reasons"}
    assert data["computed_at"]


def test_province_token_never_sees_other_provinces(refreshed, hanoi_api):
    overview = hanoi_api.get("/api/v1/stats/overview/").json()
    assert overview["students"] == raw_figures(scope=Scope("province", province_code="01"))[None]["pupils"]
    provinces = hanoi_api.get("/api/v1/stats/provinces/").json()
    assert [r["key"] for r in provinces["results"]] == ["01"]
    other = hanoi_api.get("/api/v1/stats/overview/", {"province": "79"}).json()
    assert other["schools"] == other["students"] == other["staff"] == 0
    assert hanoi_api.get("/api/v1/stats/provinces/79/communes/").status_code == 404
    schools = hanoi_api.get("/api/v1/stats/schools/").json()
    assert {r["key"] for r in schools["results"]} == {str(refreshed[0].pk), str(refreshed[1].pk)}


def test_communes_and_schools(refreshed, ministry_api):
    communes = ministry_api.get("/api/v1/stats/provinces/79/communes/").json()
    raw = raw_figures(scope=Scope.country(), filters={"province": "79"}, group="commune")
    assert {r["key"]: r["students"] for r in communes["results"]} == {k: v.get("pupils", 0) for k, v in raw.items()}
    assert all(r["computed_at"] for r in communes["results"])  # each unit's figures say when they were computed
    page = ministry_api.get("/api/v1/stats/schools/", {"page_size": 2, "page": 2}).json()
    assert page["count"] == len(refreshed) and len(page["results"]) == 2 and page["next_page"] == 3
    last = ministry_api.get("/api/v1/stats/schools/", {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next_page"] is None


def test_bad_input_is_a_4xx_in_the_error_shape(school_a, ministry_api):
    stats_refresh_all()
    for params in [{"bogus": "1"}, {"level": "x"}, {"school_year": "abc"}, {"page_size": "-1"}, {"page": "zero"},
                   {"page_size": "999999"}, {"commune": "\x00"}]:
        response = ministry_api.get("/api/v1/stats/schools/", params)
        assert response.status_code == 400, params
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_etag_and_last_modified(refreshed, ministry_api):
    first = ministry_api.get("/api/v1/stats/provinces/", {"level": "primary"})
    assert first["ETag"] and first["Last-Modified"]
    again = ministry_api.get("/api/v1/stats/provinces/", {"level": "primary"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    stats_refresh_all()
    changed = ministry_api.get("/api/v1/stats/provinces/", {"level": "primary"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_csv(refreshed, ministry_api):
    response = ministry_api.get("/api/v1/stats/provinces/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    header = lines[0].split(",")
    assert {"key", "name", "students", "staff", "verification_verified"} <= set(header)
    assert len(lines) == 1 + 3  # header + the three provinces with schools
    overview = ministry_api.get("/api/v1/stats/overview/", {"format": "csv"}).content.decode().splitlines()
    assert overview[1].startswith("total,")


def test_session_users_share_the_page_scope(client, province_user, refreshed):
    client.force_login(province_user)
    data = client.get("/api/v1/stats/provinces/").json()
    assert [r["key"] for r in data["results"]] == ["01"]


def test_errors_stay_json_when_csv_is_asked_for(refreshed, ministry_api):
    response = ministry_api.get("/api/v1/stats/provinces/", {"format": "csv", "level": "x"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "invalid_filter"


def test_a_blank_filter_is_refused_not_read_as_all(refreshed, ministry_api):
    # The schema's values are an enum; "?level=" was read as every level (schemathesis: negative data accepted).
    response = ministry_api.get("/api/v1/stats/overview/", {"level": "", "ownership": "public"})
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"level"}


def test_odd_codes_are_not_found(school_a, ministry_api):
    for url in ["/api/v1/stats/provinces/0%001/communes/", "/api/v1/stats/provinces/abc/communes/",
                "/api/v1/stats/provinces/99/communes/"]:
        assert ministry_api.get(url).status_code == 404, url


def test_overview_gives_each_result_scale_its_own_indicator(multi_level, ministry_api):
    stats_refresh_all()
    data = ministry_api.get("/api/v1/stats/overview/").json()
    indicators = {i["name"]: i for i in data["indicators"]}
    assert indicators["learning_ratings_primary"]["scale"] == "primary"
    assert indicators["conduct_ratings_secondary"]["scale"] == "secondary"
    assert indicators["nutrition"]["scale"] is None
    assert [(r["label"], r["count"], r["pct"]) for r in indicators["learning_ratings_primary"]["rows"]] == [
        ("Hoàn thành xuất sắc", 1, 25.0), ("Hoàn thành tốt", 1, 25.0), ("Hoàn thành", 2, 50.0),
        ("Chưa hoàn thành", 0, 0.0)]
    assert [(r["label"], r["pct"]) for r in indicators["learning_ratings_secondary"]["rows"]][:2] == [
        ("Tốt", 50.0), ("Khá", 50.0)]


def test_pupils_without_id_number_per_area(school_a, school_b, ministry_api):
    """Issue 16: the statistics API reports pupils studying without a number, and their share."""
    from tests.factories import make_student

    make_student(school_a)
    make_student(school_a, id_number=None, id_number_missing_reason="pending")
    make_student(school_b)
    stats_refresh_all()
    overview = ministry_api.get("/api/v1/stats/overview/").json()
    assert (overview["pupils_without_id"], overview["pupils_without_id_pct"]) == (1, 33.33)
    schools = {r["key"]: r for r in ministry_api.get("/api/v1/stats/schools/").json()["results"]}
    assert (schools[str(school_a.pk)]["pupils_without_id"], schools[str(school_a.pk)]["pupils_without_id_pct"]) \
        == (1, 50.0)
    assert schools[str(school_b.pk)]["pupils_without_id"] == 0
