"""/api/v1/transfers/: request, list, release, decline, cancel, through tokens as a client holds them."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from students.models import Enrollment, Student, TransferRequest
from students.tasks import transfers_escalate
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db


def test_request_list_release_moves_the_pupil(api, school_a, school_b, school_user, school_user_b):
    pupil = make_student(school_a)
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    status, body = receiving.post("/transfers/", {"pupil_code": pupil.pupil_code,
                                                  "date_of_birth": pupil.date_of_birth.isoformat(),
                                                  "grade": 3, "class_name": "3C"})
    assert status == 201, body
    # What identifies the pupil, nothing more.
    assert body["pupil"] == {"full_name": pupil.full_name, "date_of_birth": pupil.date_of_birth.isoformat()}
    assert body["from_school"]["name"] == school_a.name and body["status"] == "pending"
    assert pupil.id_number not in str(body) and "verification" not in str(body)
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, listed = sending.get("/transfers/", {"status": "pending"})
    assert status == 200 and [t["id"] for t in listed["results"]] == [body["id"]]
    status, released = sending.post(f"/transfers/{body['id']}/release/", {})
    assert status == 200 and released["status"] == "released", released
    assert Student.objects.get(pk=pupil.pk).school == school_b
    assert Enrollment.objects.filter(student=pupil).count() == 2
    # School A stays the sending side of the request (it still lists it): a second answer is refused.
    status, again = sending.post(f"/transfers/{body['id']}/release/", {})
    assert status == 409 and again["error"]["code"] == "not_pending"


def test_uniform_not_found_and_bad_input(api, school_a, school_b, school_user_b):
    pupil = make_student(school_a)
    client = api(school_user_b, f"school:{school_b.code}", write=True)
    answers = []
    for data in ({"pupil_code": "KHONGCO", "date_of_birth": pupil.date_of_birth.isoformat()},
                 {"pupil_code": pupil.pupil_code, "date_of_birth": "2001-01-01"}):
        status, body = client.post("/transfers/", {**data, "grade": 3, "class_name": "3C"})
        answers.append((status, body))
    assert answers[0] == answers[1] and answers[0][0] == 404
    status, body = client.post("/transfers/", {"pupil_code": pupil.pupil_code, "grade": 3, "class_name": "3C"})
    assert status == 400 and "date_of_birth" in body["error"]["details"]
    status, body = client.post("/transfers/", {"pupil_code": pupil.pupil_code, "grade": 13, "class_name": "3C",
                                               "date_of_birth": pupil.date_of_birth.isoformat()})
    assert status == 400 and "grade" in body["error"]["details"]
    status, body = client.get("/transfers/", {"status": "nope"})
    assert status == 400 and "status" in body["error"]["details"]
    assert not TransferRequest.objects.exists()


def test_id_number_needs_the_right_and_read_only_tokens_cannot_ask(api, school_a, school_b, school_user_b):
    pupil = make_student(school_a)
    status, body = api(school_user_b, f"school:{school_b.code}", write=False).post(
        "/transfers/", {"pupil_code": pupil.pupil_code, "date_of_birth": pupil.date_of_birth.isoformat(),
                        "grade": 3, "class_name": "3C"})
    assert status == 403 and "error" in body
    # A clerk without the right to see full ID numbers may not look a pupil up by one.
    blind = UserFactory(username="t_blind_b", role=Role.SCHOOL, school=school_b, may_view_id_numbers=False)
    status, body = api(blind, f"school:{school_b.code}", write=True).post(
        "/transfers/", {"id_number": pupil.id_number, "date_of_birth": pupil.date_of_birth.isoformat(),
                        "grade": 3, "class_name": "3C"})
    assert status == 403 and body["error"]["code"] == "id_number_not_allowed"


def test_decline_with_a_reason_and_the_receiving_side_cannot_answer(api, school_a, school_b, school_user,
                                                                    school_user_b):
    pupil = make_student(school_a)
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    _, body = receiving.post("/transfers/", {"pupil_code": pupil.pupil_code,
                                             "date_of_birth": pupil.date_of_birth.isoformat(),
                                             "grade": 3, "class_name": "3C"})
    status, refused = receiving.post(f"/transfers/{body['id']}/release/", {})
    assert status == 403 and "error" in refused
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, error = sending.post(f"/transfers/{body['id']}/decline/", {})
    assert status == 400 and "reason" in error["error"]["details"]
    status, declined = sending.post(f"/transfers/{body['id']}/decline/", {"reason": "Hồ sơ chưa đủ"})
    assert status == 200 and (declined["status"], declined["reason"]) == ("declined", "Hồ sơ chưa đủ")
    status, seen = receiving.get(f"/transfers/{body['id']}/")
    assert status == 200 and seen["reason"] == "Hồ sơ chưa đủ"
    assert Student.objects.get(pk=pupil.pk).school == school_a


def test_the_receiving_school_cancels_and_the_sending_school_cannot(api, school_a, school_b, school_user,
                                                                    school_user_b):
    pupil = make_student(school_a)
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    _, body = receiving.post("/transfers/", {"pupil_code": pupil.pupil_code,
                                             "date_of_birth": pupil.date_of_birth.isoformat(),
                                             "grade": 3, "class_name": "3C"})
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, refused = sending.post(f"/transfers/{body['id']}/cancel/", {})
    assert status == 403 and refused["error"]["code"] == "forbidden"
    status, cancelled = receiving.post(f"/transfers/{body['id']}/cancel/", {})
    assert status == 200 and cancelled["status"] == "cancelled", cancelled
    status, again = receiving.post(f"/transfers/{body['id']}/cancel/", {})
    assert status == 409 and again["error"]["code"] == "not_pending"


def test_a_pupil_in_transit_is_not_edited_nor_deleted_through_the_api(api, school_a, school_b, school_user,
                                                                       school_user_b):
    pupil = make_student(school_a)
    api(school_user_b, f"school:{school_b.code}", write=True).post(
        "/transfers/", {"pupil_code": pupil.pupil_code, "date_of_birth": pupil.date_of_birth.isoformat(),
                        "grade": 3, "class_name": "3C"})
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, body = sending.patch(f"/students/{pupil.pk}/", {"ethnicity": "Tày"})
    assert status == 409 and body["error"]["code"] == "in_transit", body
    assert "đang trong thủ tục chuyển trường" in body["error"]["message"]
    status, body = sending.delete(f"/students/{pupil.pk}/")
    assert status == 409 and body["error"]["code"] == "in_transit"
    status, body = sending.post(f"/students/{pupil.pk}/withdraw/", {"status": "completed",
                                                                    "left_on": timezone.localdate().isoformat()})
    assert status == 409 and body["error"]["code"] == "in_transit"
    assert Student.objects.get(pk=pupil.pk).ethnicity == pupil.ethnicity


def test_an_overdue_request_shows_when_it_was_escalated(api, school_a, school_b, school_user_b, settings):
    pupil = make_student(school_a)
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    _, body = receiving.post("/transfers/", {"pupil_code": pupil.pupil_code,
                                             "date_of_birth": pupil.date_of_birth.isoformat(),
                                             "grade": 3, "class_name": "3C"})
    assert body["escalated_at"] is None and body["overdue"] is False
    TransferRequest.objects.filter(pk=body["id"]).update(created_at=timezone.now() - dt.timedelta(days=30))
    transfers_escalate()
    status, seen = receiving.get(f"/transfers/{body['id']}/")
    assert status == 200 and seen["overdue"] is True and seen["escalated_at"] is not None


def test_the_detail_shows_the_history_and_the_feeds_carry_the_move(api, school_a, school_b, school_user,
                                                                    school_user_b):
    """A client syncing pupils with updated_since: the receiving school sees the pupil as changed, with the
    history in the detail; the sending school no longer lists them and learns of the move from
    transferred-out/."""
    import datetime as dt

    from django.utils import timezone

    pupil, staying = make_student(school_a), make_student(school_a)
    Student.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    receiving = api(school_user_b, f"school:{school_b.code}", write=True)
    sending = api(school_user, f"school:{school_a.code}", write=True)
    status, asked = receiving.post("/transfers/", {"pupil_code": pupil.pupil_code, "grade": 3, "class_name": "3C",
                                                   "date_of_birth": pupil.date_of_birth.isoformat()})
    assert status == 201
    assert sending.post(f"/transfers/{asked['id']}/release/", {})[0] == 200
    today = timezone.localdate().isoformat()

    status, body = receiving.get("/students/", {"updated_since": since})
    assert status == 200 and [r["id"] for r in body["results"]] == [pupil.pk]
    status, detail = receiving.get(f"/students/{pupil.pk}/")
    history = [{k: e[k] for k in ("school", "grade", "class_name", "status", "started_on", "left_on")}
               for e in detail["enrollments"]]
    assert history == [
        {"school": school_b.pk, "grade": 3, "class_name": "3C", "status": "studying", "started_on": today,
         "left_on": None},
        {"school": school_a.pk, "grade": 3, "class_name": "3A", "status": "transferred_out", "started_on": None,
         "left_on": today}]

    status, body = sending.get("/students/", {"updated_since": since})
    assert status == 200 and body["results"] == []
    status, body = sending.get("/students/transferred-out/", {"updated_since": since})
    assert status == 200 and [(r["id"], r["pupil_code"], r["school"], r["left_on"]) for r in body["results"]] == [
        (pupil.pk, pupil.pupil_code, school_a.pk, today)]
    # The receiving school has nobody transferred out; a later sync gets nothing more.
    assert receiving.get("/students/transferred-out/")[1]["results"] == []
    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert sending.get("/students/transferred-out/", {"updated_since": later})[1]["results"] == []
    assert staying.school_id == school_a.pk
