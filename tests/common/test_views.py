"""Scope on every page: the shared checks run for schools, staff and pupils alike."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_student
from tests.records import KINDS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=KINDS, ids=lambda k: k.name)
def kind(request):
    return request.param


def test_anonymous_users_are_sent_to_login(client, kind, school_a):
    record = kind.make_in(school_a)
    for url in (kind.list_url, kind.detail_url.format(pk=record.pk)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_school_admin_cannot_open_another_schools_records(client, kind, school_a, school_b, school_user):
    other = kind.make_in(school_b)
    own = kind.make_in(school_a)
    client.force_login(school_user)
    assert client.get(kind.detail_url.format(pk=other.pk)).status_code == 404
    assert client.get(kind.detail_url.format(pk=own.pk)).status_code == 200


def test_school_admin_list_shows_only_own_school(client, kind, school_a, school_b, school_user):
    own, other = kind.make_in(school_a), kind.make_in(school_b)
    client.force_login(school_user)
    rows = list(client.get(kind.list_url).context["page"])
    assert own in rows and other not in rows


def test_province_user_sees_only_their_province(client, kind, school_a, school_other_province, province_user):
    own, other = kind.make_in(school_a), kind.make_in(school_other_province)
    client.force_login(province_user)
    rows = list(client.get(kind.list_url + "?per_page=100").context["page"])
    assert own in rows and other not in rows
    assert client.get(kind.detail_url.format(pk=other.pk)).status_code == 404
    # A filter naming another province cannot widen the scope.
    rows = list(client.get(kind.list_url + "?province=79").context["page"])
    assert rows == []


def test_ministry_sees_every_province(client, kind, school_a, school_other_province, ministry_user):
    own, other = kind.make_in(school_a), kind.make_in(school_other_province)
    client.force_login(ministry_user)
    rows = list(client.get(kind.list_url + "?per_page=100").context["page"])
    assert own in rows and other in rows


@pytest.mark.parametrize("kind_name", ["staff", "students"])
def test_list_pages_run_a_fixed_number_of_queries(client, kind_name, school_a, school_b, ministry_user):
    kind = next(k for k in KINDS if k.name == kind_name)
    client.force_login(ministry_user)
    for _ in range(3):
        kind.make_in(school_a)
    with CaptureQueriesContext(connection) as few:
        client.get(kind.list_url + "?per_page=100")
    for _ in range(12):
        kind.make_in(school_b)
    with CaptureQueriesContext(connection) as many:
        response = client.get(kind.list_url + "?per_page=100")
    assert response.status_code == 200 and len(response.context["page"]) == 15
    assert len(many) == len(few) <= 8


def test_id_numbers_are_masked_for_roles_that_may_not_see_them(client, school_a, province_user, school_user):
    pupil = make_student(school_a)
    client.force_login(province_user)
    page = client.get(f"/students/{pupil.pk}/").content.decode()
    masked = pupil.id_number[:3] + "*******" + pupil.id_number[-2:]
    assert masked in page and pupil.id_number not in page
    list_page = client.get("/students/").content.decode()
    assert masked in list_page and pupil.id_number not in list_page
    client.force_login(school_user)  # granted the right to see them
    assert pupil.id_number in client.get(f"/students/{pupil.pk}/").content.decode()


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
