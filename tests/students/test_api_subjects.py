"""GET /api/v1/subjects/: the 2018 programme's subjects and the rating scale of each grade, for any token."""
import pytest
from django.test import Client

from api.services import api_token_create
from schools.selectors import scope_parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_client(school_user):
    """A read-only token of one school: reference data needs no wider scope."""
    secret = api_token_create(user=school_user, name="sms", scope=scope_parse(f"school:{school_user.school.code}"))[1]
    return Client(headers={"Authorization": f"Token {secret}"})


def _get(client, query=""):
    response = client.get(f"/api/v1/subjects/{query}")
    return response.status_code, response.json()


def _by_name(grade: dict) -> dict:
    return {s["name"]: s for s in grade["subjects"]}


def test_every_grade_with_its_subjects_and_scale(school_client):
    status, body = _get(school_client)
    assert status == 200
    assert [g["grade"] for g in body["results"]] == list(range(1, 13)) and body["count"] == 12
    grade1, grade10 = body["results"][0], body["results"][9]
    # Primary: Thông tư 27/2020, four levels including Hoàn thành xuất sắc; phẩm chất Tốt/Đạt/Cần cố gắng.
    assert grade1["scale"] == "primary" and grade1["circular"] == "Thông tư 27/2020/TT-BGDĐT"
    assert [(r["code"], r["label"]) for r in grade1["learning_ratings"]] == [
        ("hoan_thanh_xuat_sac", "Hoàn thành xuất sắc"), ("hoan_thanh_tot", "Hoàn thành tốt"),
        ("hoan_thanh", "Hoàn thành"), ("chua_hoan_thanh", "Chưa hoàn thành")]
    assert [r["label"] for r in grade1["conduct_ratings"]] == ["Tốt", "Đạt", "Cần cố gắng"]
    assert _by_name(grade1)["Toán"] == {"code": "toan", "name": "Toán", "assessment": "commented",
                                        "compulsory": True, "periodic_test": True, "grades": [1, 2, 3, 4, 5],
                                        "aliases": ["Toán học"]}
    assert _by_name(grade1)["Hoạt động trải nghiệm"]["periodic_test"] is False
    assert "Vật lí" not in _by_name(grade1)
    # Secondary: Thông tư 22/2021; Vật lí is a scored elective from grade 10, "Vật lý" its old spelling.
    assert grade10["circular"] == "Thông tư 22/2021/TT-BGDĐT"
    assert [r["code"] for r in grade10["learning_ratings"]] == ["tot", "kha", "dat", "chua_dat"]
    physics = _by_name(grade10)["Vật lí"]
    assert (physics["assessment"], physics["compulsory"], physics["aliases"]) == ("scored", False, ["Vật lý"])
    assert _by_name(grade10)["Giáo dục thể chất"]["assessment"] == "commented"


def test_one_grade(school_client):
    status, body = _get(school_client, "?grade=3")
    assert status == 200 and [g["grade"] for g in body["results"]] == [3]
    english = _by_name(body["results"][0])["Ngoại ngữ 1"]
    assert english["compulsory"] and english["periodic_test"]  # compulsory with a test from grade 3
    assert _by_name(_get(school_client, "?grade=1")[1]["results"][0])["Ngoại ngữ 1"]["compulsory"] is False


@pytest.mark.parametrize("grade", ["0", "13", "abc", "-1", "3.5", "", "1" * 5000])
def test_a_grade_outside_1_to_12_is_refused_with_a_message(school_client, grade):
    status, body = _get(school_client, f"?grade={grade}")
    assert status == 400 and "grade" in body["error"]["details"]
    assert body["error"]["message"].startswith("grade:")
    if grade:
        assert "từ 1 đến 12" in body["error"]["message"]


def test_unknown_parameters_and_missing_tokens_are_refused(school_client):
    status, body = _get(school_client, "?khoi=3")
    assert status == 400 and body["error"]["code"] == "unknown_parameter"
    assert _get(Client())[0] == 401
    assert school_client.post("/api/v1/subjects/", {}).status_code in (403, 405)


def test_the_schema_describes_it(school_client):
    schema = Client().get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/subjects/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["grade"]
    assert "200" in operation["responses"] and "400" in operation["responses"]
