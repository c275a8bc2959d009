"""The school picker's search (/schools/pick/, schools.selectors.school_search) and the place pickers of the
list pages: scoped, by name, never a name from outside the user's scope."""
import pytest

from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _names(client, **params) -> list[str]:
    response = client.get("/schools/pick/", params)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [r["name"] for r in response.json()["results"]]


def test_the_search_finds_by_name_or_code_within_the_scope(client, province_user, school_a, school_b,
                                                           school_other_province):
    client.force_login(province_user)
    assert _names(client, q="Tiểu học") == sorted([school_a.name, school_b.name])
    assert _names(client, q="tieu hoc a") == [school_a.name]  # without diacritics too
    assert _names(client, q=school_b.code) == [school_b.name]
    # Another province's school: not found by name, by code, nor by asking for its province.
    assert _names(client, q="Sài Gòn") == []
    assert _names(client, q=school_other_province.code) == []
    assert _names(client, q="Tiểu học", province="79") == []


def test_a_school_user_finds_only_its_school(client, school_user, school_a, school_b):
    client.force_login(school_user)
    assert _names(client, q="Tiểu học") == [school_a.name]


def test_the_search_is_narrowed_by_the_commune_and_limited(client, ministry_user, school_a):
    for _ in range(25):
        SchoolFactory(province_id="01", commune_id=school_a.commune_id)
    client.force_login(ministry_user)
    assert len(_names(client, q="Trường")) == 20
    elsewhere = SchoolFactory(province_id="79", name="Trường Tiểu học Xa")
    assert _names(client, q="Xa", commune=school_a.commune_id) == []
    assert _names(client, q="Xa") == [elsewhere.name]


@pytest.mark.parametrize("params", [{"q": "x" * 5000}, {"province": "'; drop"}, {"commune": "\x00"}, {}])
def test_odd_input_finds_nothing_rather_than_failing(client, ministry_user, params):
    client.force_login(ministry_user)
    assert client.get("/schools/pick/", params).status_code == 200


def test_the_pupil_lists_school_picker_searches_and_keeps_the_chosen_school(client, province_user, school_a):
    client.force_login(province_user)
    html = client.get("/students/", {"school": school_a.pk}).content.decode()
    assert 'data-search="/schools/pick/"' in html
    assert f'<option value="{school_a.pk}" selected>{school_a.name}</option>' in html


def test_no_picker_lists_a_school_outside_the_scope(client, province_user, school_other_province):
    client.force_login(province_user)
    for url in ("/students/", "/staff/", "/uploads/", "/schools/"):
        html = client.get(url, {"school": school_other_province.pk, "province": "79"}).content.decode()
        assert school_other_province.name not in html, url


def test_a_school_user_has_no_place_pickers(client, school_user):
    client.force_login(school_user)
    html = client.get("/students/").content.decode()
    assert 'name="school"' not in html or 'type="hidden" name="school"' in html
    assert "data-search=" not in html
