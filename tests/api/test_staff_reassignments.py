"""/api/v1/staff-reassignments/: request, list, release, decline, cancel, through tokens as a client holds
them; the staff detail shows the postings (quá trình công tác)."""
import pytest

from accounts.models import Role
from teachers.models import StaffMember, StaffReassignment
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _request(client, staff, **overrides):
    return client.post("/staff-reassignments/", {"staff_code": staff.staff_code,
                                                 "date_of_birth": staff.date_of_birth.isoformat(),
                                                 "position": "teacher", **overrides})


def test_request_list_release_moves_the_member_and_the_detail_shows_the_postings(
        api, school_a, school_b, school_user, school_user_b):
    staff = make_staff(school_a, position="principal")
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    status, body = _request(receiving, staff)
    assert status == 201, body
    # What identifies the member, nothing more.
    assert body["staff"] == {"full_name": staff.full_name, "date_of_birth": staff.date_of_birth.isoformat()}
    assert (body["from_school"]["name"], body["status"], body["position"]) == (school_a.name, "pending", "teacher")
    assert staff.id_number not in str(body) and "verification" not in str(body) and "qualification" not in str(body)
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, listed = sending.get("/staff-reassignments/", {"status": "pending"})
    assert status == 200 and [r["id"] for r in listed["results"]] == [body["id"]] and listed["count"] == 1
    # An edit by the sending school while the request is open waits for the answer.
    status, refused = sending.patch(f"/staff/{staff.pk}/", {"main_subject": "Toán"})
    assert status == 409 and refused["error"]["code"] == "in_transit"
    status, released = sending.post(f"/staff-reassignments/{body['id']}/release/", {})
    assert status == 200 and released["status"] == "released", released
    assert StaffMember.objects.get(pk=staff.pk).school == school_b
    status, again = sending.post(f"/staff-reassignments/{body['id']}/release/", {})
    assert status == 409 and again["error"]["code"] == "not_pending"
    status, detail = receiving.get(f"/staff/{staff.pk}/")
    assert status == 200
    assert [(p["school"], p["position"], p["ended_on"] is None, p["end_reason"]) for p in detail["postings"]] == [
        (school_b.pk, "teacher", True, ""), (school_a.pk, "principal", False, "reassigned")]
    assert detail["postings"][1]["school_name"] == school_a.name


def test_uniform_not_found_and_bad_input(api, school_a, school_b, school_user_b):
    staff = make_staff(school_a)
    client = api(school_user_b, f"school:{school_b.code}", write=True)
    answers = [_request(client, staff, staff_code="KHONGCO"), _request(client, staff, date_of_birth="1970-01-01")]
    assert answers[0] == answers[1] and answers[0][0] == 404
    status, body = client.post("/staff-reassignments/", {"staff_code": staff.staff_code, "position": "teacher"})
    assert status == 400 and "date_of_birth" in body["error"]["details"]
    status, body = _request(client, staff, position="janitor")
    assert status == 400 and "position" in body["error"]["details"]
    status, body = client.get("/staff-reassignments/", {"status": "nope"})
    assert status == 400 and "status" in body["error"]["details"]
    status, body = client.get("/staff-reassignments/", {"school": "1"})
    assert status == 400 and "error" in body
    assert not StaffReassignment.objects.exists()


def test_read_only_tokens_cannot_ask_and_a_province_names_the_receiving_school(
        api, school_a, school_b, school_user_b, province_user):
    staff = make_staff(school_a)
    status, body = _request(api(school_user_b, f"school:{school_b.code}", write=False), staff)
    assert status == 403 and "error" in body
    province = api(province_user, "province:01", write=True)
    status, body = _request(province, staff)
    assert status == 400 and "school" in body["error"]["details"]
    status, body = _request(province, staff, school=school_b.pk)
    assert status == 201 and body["to_school"]["id"] == school_b.pk


def test_decline_with_a_reason_cancel_by_the_receiving_side(api, school_a, school_b, school_user, school_user_b):
    staff = make_staff(school_a)
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    sending = api(school_user, f"school:{school_a.code}", write=True)
    _, body = _request(receiving, staff)
    status, refused = receiving.post(f"/staff-reassignments/{body['id']}/release/", {})
    assert status == 403 and refused["error"]["code"] == "forbidden"
    status, refused = sending.post(f"/staff-reassignments/{body['id']}/cancel/", {})
    assert status == 403 and refused["error"]["code"] == "forbidden"
    status, error = sending.post(f"/staff-reassignments/{body['id']}/decline/", {})
    assert status == 400 and "reason" in error["error"]["details"]
    status, declined = sending.post(f"/staff-reassignments/{body['id']}/decline/", {"reason": "Chưa có người thay"})
    assert status == 200 and (declined["status"], declined["reason"]) == ("declined", "Chưa có người thay")
    status, seen = receiving.get(f"/staff-reassignments/{body['id']}/")
    assert status == 200 and seen["reason"] == "Chưa có người thay"

    _, second = _request(receiving, staff)
    status, cancelled = receiving.post(f"/staff-reassignments/{second['id']}/cancel/", {})
    assert status == 200 and cancelled["status"] == "cancelled"
    status, late = sending.post(f"/staff-reassignments/{second['id']}/release/", {})
    assert status == 409 and late["error"]["code"] == "not_pending"
    assert StaffMember.objects.get(pk=staff.pk).school == school_a


def test_a_request_is_not_found_outside_both_sides(api, school_a, school_b, school_other_province, school_user_b):
    staff = make_staff(school_a)
    _, body = _request(api(school_user_b, f"school:{school_b.code}", write=True), staff)
    other = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    client = api(other, f"school:{school_other_province.code}", write=True)
    for method, url in (("get", f"/staff-reassignments/{body['id']}/"),
                        ("post", f"/staff-reassignments/{body['id']}/release/"),
                        ("post", f"/staff-reassignments/{body['id']}/cancel/"),
                        ("get", "/staff-reassignments/999999999999999999999/")):
        status, answer = client.get(url) if method == "get" else client.post(url, {})
        assert status == 404 and answer["error"]["code"] == "not_found", (url, answer)
        assert staff.full_name not in str(answer)
    status, listed = client.get("/staff-reassignments/")
    assert status == 200 and listed["count"] == 0
