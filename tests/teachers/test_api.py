"""/api/v1/staff/: the training field and pedagogy certificate are accepted and returned; the standard is
derived (qualification_standard, and meets_qualification_standard kept for existing clients)."""
import pytest

from tests.api.conftest import api, make_token  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_training_and_certificate_through_the_api(api, province_user, school_a):  # noqa: F811
    client = api(province_user, "province:01", write=True)
    status, body = client.post("/staff/", {
        "staff_code": "CBAPI02", "full_name": "Lê Văn Bình", "date_of_birth": "1985-04-02", "gender": "M",
        "qualification": "bachelor", "position": "teacher", "school": school_a.pk, "training_field": "other",
        "pedagogy_certificate": False})
    assert status == 201, body
    assert (body["training_field"], body["pedagogy_certificate"], body["qualification_standard"],
            body["meets_qualification_standard"]) == ("other", False, "roadmap", False)

    status, body = client.patch(f"/staff/{body['id']}/", {"pedagogy_certificate": True})
    assert status == 200, body
    assert (body["qualification_standard"], body["meets_qualification_standard"]) == ("meets", True)

    status, body = client.patch(f"/staff/{body['id']}/", {"qualification_standard": "meets"})
    assert status == 400  # derived, never typed

    status, listed = client.get("/staff/", {"qualification_standard": "meets"})
    assert status == 200 and [r["staff_code"] for r in listed["results"]] == ["CBAPI02"]
    row = listed["results"][0]
    assert (row["training_field"], row["pedagogy_certificate"], row["qualification_standard"]) == (
        "other", True, "meets")
    assert client.get("/staff/", {"qualification_standard": "roadmap"})[1]["results"] == []


def test_a_bad_training_field_is_a_field_error(api, province_user, school_a):  # noqa: F811
    client = api(province_user, "province:01", write=True)
    status, body = client.post("/staff/", {
        "staff_code": "CBAPI03", "full_name": "Lê Văn Bình", "date_of_birth": "1985-04-02", "gender": "M",
        "qualification": "bachelor", "position": "teacher", "school": school_a.pk, "training_field": "law"})
    assert status == 400 and "training_field" in body["error"]["details"], body
