"""Doors (web, API), showings of full ID numbers, the ministry's search and a record's history."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from api.services import api_token_create
from audit.models import AuditEvent
from schools.selectors import scope_parse
from students.models import Student
from tests.api.conftest import ApiClient
from tests.factories import UserFactory, make_staff, make_student, real_identity

pytestmark = pytest.mark.django_db


def test_a_web_request_records_door_web_and_the_user(client, school_a):
    admin = UserFactory(username="t_superuser", role=Role.MINISTRY, is_staff=True, is_superuser=True)
    pupil = make_student(school_a)
    client.force_login(admin)
    response = client.post(f"/admin/students/student/{pupil.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Student.objects.filter(pk=pupil.pk).exists()
    [event] = AuditEvent.objects.filter(model="students.student", record_id=pupil.pk, action="delete")
    assert (event.door, event.actor, event.actor_id) == ("web", "t_superuser", admin.pk)
    assert event.request_id and event.request_id == response["X-Request-ID"]
    # The cascade to the enrollment went through the same door.
    assert AuditEvent.objects.filter(model="students.enrollment", action="delete", door="web").count() == 1


def test_an_api_write_records_door_api_the_user_and_the_token(province_user, school_a):
    token, secret = api_token_create(user=province_user, name="audit", scope=scope_parse("province:01"),
                                     can_write=True)
    client = ApiClient(secret)
    identity = real_identity(serial=888_001)
    status, body = client.post("/students/", {
        "pupil_code": "HSAUDIT01", "full_name": identity["full_name"], "gender": identity["gender"],
        "date_of_birth": identity["date_of_birth"].isoformat(),  # no ID number: the user may not type one
        "school": school_a.pk, "grade": 3, "class_name": "3A"})
    assert status == 201, body
    status, _ = client.patch(f"/students/{body['id']}/", {"ethnicity": "Tày"})
    assert status == 200
    [created] = AuditEvent.objects.filter(model="students.student", record_id=body["id"], action="insert")
    [event] = AuditEvent.objects.filter(model="students.student", record_id=body["id"], action="update")
    for e in (created, event):
        assert (e.door, e.actor, e.actor_id, e.token_id) == ("api", "t_hanoi", province_user.pk, token.pk)
    assert event.changed_fields == ["ethnicity"] and event.after == {"ethnicity": "Tày"}


def test_a_request_that_only_reads_costs_no_audit_query(client, school_a, province_user):
    pupil = make_student(school_a)
    client.force_login(province_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/students/{pupil.pk}/").status_code == 200
    assert not [q for q in queries if "set_config" in q["sql"]]


def test_viewing_an_unmasked_id_number_is_recorded_and_a_masked_one_is_not(client, school_a, school_user,
                                                                           province_user):
    pupil, teacher = make_student(school_a), make_staff(school_a)
    client.force_login(province_user)  # may not see full numbers: masked, nothing to record
    assert client.get(f"/students/{pupil.pk}/").status_code == 200
    assert client.get("/students/").status_code == 200
    assert not AuditEvent.objects.filter(action="view_id").exists()

    client.force_login(school_user)  # may see them
    response = client.get(f"/students/{pupil.pk}/")
    assert pupil.id_number in response.content.decode()
    [event] = AuditEvent.objects.filter(action="view_id", model="students.student")
    assert (event.record_id, event.record_ids, event.actor, event.door) == (pupil.pk, [pupil.pk], "t_school_a", "web")
    client.get(f"/staff/{teacher.pk}/")
    assert AuditEvent.objects.filter(action="view_id", model="teachers.staffmember", record_id=teacher.pk).exists()

    others = [make_student(school_a) for _ in range(2)]
    client.get("/students/")
    listed = AuditEvent.objects.filter(action="view_id", model="students.student", record_id=None).get()
    assert sorted(listed.record_ids) == sorted([pupil.pk] + [o.pk for o in others])


def test_only_the_ministry_may_open_the_trail(client, province_user, school_user, ministry_user):
    for user in (province_user, school_user):
        client.force_login(user)
        assert client.get(reverse("audit:events")).status_code == 403
        assert client.get(reverse("audit:events") + "?format=csv").status_code == 403
    client.logout()
    assert client.get(reverse("audit:events")).status_code == 302
    client.force_login(ministry_user)
    assert client.get(reverse("audit:events")).status_code == 200


def test_the_ministry_searches_by_user_record_and_time(client, ministry_user, school_a, school_user):
    pupil, other = make_student(school_a), make_student(school_a)
    client.force_login(school_user)
    client.get(f"/students/{pupil.pk}/")
    client.force_login(ministry_user)
    url = reverse("audit:events")

    # Showing a full ID number is not a change: it is listed on the trail's other tab.
    assert not client.get(url, {"user": "T_SCHOOL_A"}).context["events"]
    by_user = client.get(url, {"user": "T_SCHOOL_A", "log": "views"}).context["events"]
    assert [(v.event.action, v.event.record_id) for v in by_user] == [("view_id", pupil.pk)]

    by_record = client.get(url, {"model": "students.student", "record": pupil.pk}).context["events"]
    assert {v.event.action for v in by_record} == {"insert"}
    seen = client.get(url, {"model": "students.student", "record": pupil.pk, "log": "views"}).context["events"]
    assert {v.event.action for v in seen} == {"view_id"}
    assert all(pupil.pk in ([v.event.record_id] + (v.event.record_ids or [])) for v in by_record + seen)
    assert other.pk not in {v.event.record_id for v in by_record}

    later = (timezone.localtime() + timezone.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")  # portal time
    assert not client.get(url, {"since": later}).context["events"]
    assert client.get(url, {"until": later, "door": "shell", "action": "insert"}).context["events"]

    response = client.get(url, {"model": "students.student", "record": pupil.pk, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r["action"] for r in rows} == {"insert"}
    inserted = next(r for r in rows if r["action"] == "insert")
    # ID numbers in the trail are masked, in the page and the CSV alike.
    assert pupil.id_number not in inserted["after"] and pupil.id_number[:3] in inserted["after"]


def test_a_records_page_shows_its_history(client, school_a, school_user):
    pupil = make_student(school_a, ethnicity="Kinh")
    Student.objects.filter(pk=pupil.pk).update(ethnicity="Tày")
    client.force_login(school_user)
    html = client.get(f"/students/{pupil.pk}/").content.decode()
    assert 'data-testid="record-history"' in html
    # The pupil's row and the enrollment written with it, then the change of ethnicity.
    assert html.count('data-action="insert"') == 2 and html.count('data-action="update"') == 1
    assert "Kinh" in html and "Tày" in html and "Ghi danh" in html
    html = client.get(f"/schools/{school_a.pk}/").content.decode()
    assert 'data-testid="record-history"' in html and 'data-action="insert"' in html


def test_api_responses_with_full_id_numbers_are_recorded(school_a, school_user):
    pupil = make_student(school_a)
    _, secret = api_token_create(user=school_user, name="sms", scope=scope_parse(f"school:{school_a.code}"))
    client = ApiClient(secret)
    assert client.get(f"/students/{pupil.pk}/")[0] == 200
    assert client.get("/students/")[0] == 200
    events = AuditEvent.objects.filter(action="view_id", door="api", model="students.student")
    assert events.count() == 2 and all(pupil.pk in e.record_ids for e in events)


def test_api_responses_with_masked_id_numbers_are_not_recorded(school_a, province_user):
    pupil = make_student(school_a)
    _, secret = api_token_create(user=province_user, name="stats", scope=scope_parse("province:01"))
    assert ApiClient(secret).get(f"/students/{pupil.pk}/")[0] == 200
    assert not AuditEvent.objects.filter(action__in=["view_id", "export_id"]).exists()


def test_searching_a_user_finds_reads_with_tokens_they_issued_to_others(client, ministry_user, school_a):
    """A token issued for someone else is used by whoever holds its secret: its issuer's search shows it."""
    owner = UserFactory(username="t_owner", role=Role.SCHOOL, school=school_a, may_view_id_numbers=True)
    issuer = UserFactory(username="t_issuer", role=Role.MINISTRY, may_view_id_numbers=True)
    make_student(school_a)
    token, secret = api_token_create(user=owner, name="sms", scope=scope_parse(f"school:{school_a.code}"),
                                     created_by=issuer)
    assert ApiClient(secret).get("/students/")[0] == 200
    client.force_login(ministry_user)
    events = client.get(reverse("audit:events"), {"user": "t_issuer", "log": "views"}).context["events"]
    assert [(v.event.action, v.event.token_id) for v in events] == [("view_id", token.pk)]
