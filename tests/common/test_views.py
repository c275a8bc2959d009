"""Pages of the portal as a whole: search, the home page, health, language. The scope, detail, query-count
and masking checks of each kind's pages are shared (tests/base.py) and run in tests/<app>/test_views.py."""
import pytest

from tests.factories import make_student

pytestmark = pytest.mark.django_db


def test_search_by_name_code_and_id_number(client, school_a, school_user):
    pupil = make_student(school_a)
    client.force_login(school_user)  # may see (and so search by) ID numbers
    for q in (pupil.full_name.split()[-1], pupil.pupil_code, pupil.id_number):
        rows = list(client.get("/students/", {"q": q, "per_page": 100}).context["page"])
        assert pupil in rows, q


def test_who_may_not_see_id_numbers_cannot_find_a_person_by_one(client, school_a, ministry_user):
    pupil = make_student(school_a)
    client.force_login(ministry_user)  # ministry analysts see masked numbers
    assert list(client.get("/students/", {"q": pupil.id_number}).context["page"]) == []
    assert pupil in list(client.get("/students/", {"q": pupil.pupil_code}).context["page"])


def test_home_page_shows_the_users_scope(client, school_user, province_user):
    client.force_login(province_user)
    assert "Thành phố Hà Nội" in client.get("/").content.decode()
    client.force_login(school_user)
    assert school_user.school.name in client.get("/").content.decode()


def test_healthz_reports_database_and_redis(client):
    data = client.get("/healthz").json()
    assert data["database"] == "ok" and data["redis"] == "ok"


def test_vietnamese_is_the_default_whatever_the_browser_says(client, ministry_user):
    client.force_login(ministry_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi" and "Học sinh" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"
