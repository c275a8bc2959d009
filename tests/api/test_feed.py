"""The change feed, complete (issue 20): deletes and key changes by natural key, snapshots that pin a pull while
writes go on, partitions pulled in parallel. Real PostgreSQL, real tokens, DRF through Django's test client."""
import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils.dateparse import parse_datetime

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.identity import mask_id_number
from schools.services import school_delete
from students.duplicates import student_merge
from students.models import Student
from students.services import student_delete, student_transfer, student_update
from teachers.services import staff_delete
from tests.api.conftest import ApiClient
from tests.factories import SchoolFactory, UserFactory, make_staff, make_student

COUNTRY = Scope.country(can_view_id_numbers=True)


def pull(client, url, params) -> list[dict]:
    """Every page of a feed, following `next` as a client does."""
    # A `next` link carries its own query (Django's test client would drop it for `params`).
    rows, params = [], ({"page_size": "3", **params} if "?" not in url else None)
    while url:
        status, body = client.get(url, params)
        assert status == 200, body
        rows += body["results"]
        url, params = body["next"] and body["next"].split("/api/v1", 1)[1], None
    return rows


def snapshot(client) -> tuple[str, str]:
    status, body = client.post("/snapshots/", {})
    assert status == 201, body
    return body["snapshot"], body["as_of"]


def test_deletes_and_key_changes_carry_natural_keys_within_scope(api, school_a, school_b, school_other_province):
    full = api(UserFactory(role=Role.PROVINCE, province_id="01", may_view_id_numbers=True), "province:01")
    masked = api(UserFactory(role=Role.PROVINCE, province_id="01", may_view_id_numbers=False), "province:01")
    other = api(UserFactory(role=Role.PROVINCE, province_id="79", may_view_id_numbers=True), "province:79")
    pupil, staff = make_student(school_a), make_staff(school_b)
    empty_school = SchoolFactory(province_id="01")
    keep = make_student(school_a, id_number=None)
    remove = make_student(school_b, full_name=keep.full_name, date_of_birth=keep.date_of_birth,
                          gender=keep.gender)
    pupil_id, remove_id = pupil.pk, remove.pk  # delete() forgets them
    student_delete(scope=COUNTRY, student=pupil, reason="Nhập nhầm")
    staff_delete(scope=COUNTRY, staff=staff, reason="Nhập nhầm")
    school_delete(scope=COUNTRY, school=empty_school)
    student_merge(scope=COUNTRY, user=UserFactory(role=Role.MINISTRY), keep=keep, remove=remove)
    make_student(school_other_province)  # and one deletion elsewhere, which Hà Nội must not hear of
    student_delete(scope=COUNTRY, student=Student.objects.get(school=school_other_province), reason="Nhập nhầm")

    deleted = {row["id"]: row for row in pull(full, "/students/deleted/", {})}
    assert deleted[pupil_id]["natural_key"] == {"school_code": school_a.code, "pupil_code": pupil.pupil_code,
                                                "id_number": pupil.id_number}
    assert deleted[remove_id]["natural_key"]["pupil_code"] == remove.pupil_code
    assert set(deleted) == {pupil_id, remove_id}
    hidden = {row["id"]: row for row in pull(masked, "/students/deleted/", {})}
    assert hidden[pupil_id]["natural_key"]["id_number"] == mask_id_number(pupil.id_number) != pupil.id_number
    assert pull(full, "/staff/deleted/", {})[0]["natural_key"] == {
        "school_code": school_b.code, "staff_code": staff.staff_code, "id_number": staff.id_number}
    assert pull(full, "/schools/deleted/", {})[0]["natural_key"] == {"school_code": empty_school.code}

    [change] = pull(full, "/students/key-changes/", {})
    assert change["reason"] == "merge"
    assert change["old"] == {"id": remove_id, "school_code": school_b.code, "pupil_code": remove.pupil_code,
                             "id_number": remove.id_number}
    # The kept record took the removed one's ID number (it had none) and its latest enrollment's school.
    kept = Student.objects.select_related("school").get(pk=keep.pk)
    assert change["new"] == {"id": keep.pk, "school_code": kept.school.code, "pupil_code": keep.pupil_code,
                             "id_number": remove.id_number} and kept.id_number == remove.id_number
    [seen] = pull(masked, "/students/key-changes/", {})
    assert seen["old"]["id_number"] == seen["new"]["id_number"] == mask_id_number(remove.id_number)
    # Another province hears of its own deletion only, and of no key change.
    assert [row["natural_key"]["school_code"] for row in pull(other, "/students/deleted/", {})] == [
        school_other_province.code]
    assert pull(other, "/students/key-changes/", {}) == []
    assert pull(full, "/staff/key-changes/", {}) == pull(full, "/schools/key-changes/", {}) == []


@override_settings(API_SNAPSHOT_MARGIN_SECONDS=0)
def test_a_pull_under_a_snapshot_then_the_delta_ends_with_exactly_the_servers_data(
        api, ministry_user, school_a, school_b, school_other_province):
    schools = [school_a, school_b, school_other_province]
    pupils = [make_student(schools[i % 3]) for i in range(12)]
    client = api(UserFactory(role=Role.MINISTRY, may_view_id_numbers=True), "country")
    token, as_of = snapshot(client)

    # The full load pages school by school; between its pages the data moves.
    status, first = client.get("/students/", {"snapshot": token, "page_size": "3"})
    seen = [row["id"] for row in first["results"]]
    first_school = Student.objects.get(pk=seen[0]).school
    later_school = next(s for s in schools if s.pk > first_school.pk)
    moved = next(p for p in pupils if p.pk in seen)  # already loaded, moves to a school not paged yet
    student_transfer(scope=COUNTRY, student=Student.objects.get(pk=moved.pk), to_school=later_school, grade=3,
                     class_name="3B")
    unseen = [p for p in pupils if p.pk not in seen and p.school_id != first_school.pk]
    student_update(scope=COUNTRY, student=Student.objects.get(pk=unseen[0].pk), full_name="Lê Văn Đổi")
    student_delete(scope=COUNTRY, student=Student.objects.get(pk=unseen[1].pk), reason="Nhập nhầm")
    keep, remove = make_student(school_a, id_number=None), Student.objects.get(pk=unseen[2].pk)
    student_merge(scope=COUNTRY, user=ministry_user, keep=keep, remove=remove)
    created = make_student(school_b)

    rest = pull(client, first["next"].split("/api/v1", 1)[1], {}) if first["next"] else []
    loaded = first["results"] + rest
    ids = [row["id"] for row in loaded]
    assert len(ids) == len(set(ids)), "a record served twice in one pull"
    # As of the snapshot: what changed since is left to the delta (the moved pupil was loaded before it moved).
    assert set(ids) == {p.pk for p in pupils} - {unseen[0].pk, unseen[1].pk, unseen[2].pk}
    mirror = {row["id"]: row for row in loaded}

    # The nightly delta: from the first snapshot's as_of, under a new snapshot; deletes first, then records.
    token2, as_of2 = snapshot(client)
    delta = {"updated_since": as_of, "snapshot": token2}
    gone = pull(client, "/students/deleted/", delta)
    assert {row["id"] for row in gone} == {unseen[1].pk, unseen[2].pk}
    for row in gone:
        mirror.pop(row["id"], None)
    [change] = pull(client, "/students/key-changes/", delta)
    assert (change["old"]["id"], change["new"]["id"]) == (unseen[2].pk, keep.pk)
    for row in pull(client, "/students/", delta):
        mirror[row["id"]] = row
    server = {row["id"]: row for row in pull(client, "/students/", {})}
    assert mirror == server
    assert created.pk in mirror and mirror[unseen[0].pk]["full_name"] == "Lê Văn Đổi"
    # Nothing is lost or repeated at the seam: the next delta from as_of2 is empty.
    later = {"updated_since": as_of2, "snapshot": snapshot(client)[0]}
    assert pull(client, "/students/", later) == pull(client, "/students/deleted/", later) == []


@pytest.mark.django_db(transaction=True)
@override_settings(API_SNAPSHOT_MARGIN_SECONDS=0)
def test_a_write_that_commits_after_the_snapshot_is_in_the_delta_even_stamped_before(make_token, school_a):
    """The classic race: a transaction stamps its row (SQL now(): its start), a snapshot is taken, then the
    transaction commits. The snapshot's as_of must not pass the stamp, or no delta would ever serve the row."""
    pupil = make_student(school_a)
    client_token = make_token(UserFactory(role=Role.MINISTRY), "country")
    client = ApiClient(client_token)
    other = connection.copy()  # a second session, as another web process or worker would be
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("UPDATE students_student SET full_name = 'Tên Viết Chậm', updated_at = now()"
                           " WHERE id = %s RETURNING updated_at", [pupil.pk])
            stamp = cursor.fetchone()[0]
            token, as_of = snapshot(client)
            assert parse_datetime(as_of) <= stamp
            mirror = {row["id"]: row for row in pull(client, "/students/", {"snapshot": token})}
            assert mirror[pupil.pk]["full_name"] != "Tên Viết Chậm"  # not committed yet
            cursor.execute("COMMIT")
    finally:
        other.close()
    token2, _ = snapshot(client)
    for row in pull(client, "/students/", {"updated_since": as_of, "snapshot": token2}):
        mirror[row["id"]] = row
    assert mirror[pupil.pk]["full_name"] == "Tên Viết Chậm"


@override_settings(API_SNAPSHOT_MARGIN_SECONDS=0)
def test_partitions_pulled_in_parallel_make_up_the_whole(api, school_a, school_b, school_other_province):
    schools = [school_a, school_b, school_other_province]
    for i in range(10):
        make_student(schools[i % 3]), make_staff(schools[i % 3])
    for pupil in Student.objects.order_by("id")[:3]:
        student_delete(scope=COUNTRY, student=pupil, reason="Nhập nhầm")
    school_delete(scope=COUNTRY, school=SchoolFactory(province_id="01"))
    client = api(UserFactory(role=Role.MINISTRY), "country")
    token, _ = snapshot(client)
    for url in ("/students/", "/staff/", "/schools/", "/students/deleted/", "/schools/deleted/",
                "/students/key-changes/", "/students/transferred-out/"):
        whole = pull(client, url, {"snapshot": token})
        parts = [pull(client, url, {"snapshot": token, "partition": str(k), "partitions": "3"}) for k in range(3)]
        union = [row["id"] for part in parts for row in part]
        assert len(union) == len(set(union)) and set(union) == {row["id"] for row in whole}, url
        if url in ("/students/", "/staff/", "/students/deleted/"):
            assert len(whole) >= 3 and sum(1 for part in parts if part) >= 2, url  # really divided


@pytest.mark.parametrize(("params", "field"), [
    ({"snapshot": "not-a-token"}, "snapshot"),
    ({"partition": "1"}, "partitions"),
    ({"partitions": "4"}, "partition"),
    ({"partition": "4", "partitions": "4"}, "partition"),
    ({"partition": "-1", "partitions": "4"}, "partition"),
    ({"partition": "0", "partitions": "0"}, "partitions"),
    ({"partition": "0", "partitions": "100000"}, "partitions"),
])
@pytest.mark.parametrize("url", ["/students/", "/staff/deleted/", "/schools/key-changes/",
                                 "/students/transferred-out/"])
def test_bad_snapshot_or_partition_is_a_400(params, field, url, api, ministry_user):
    status, body = api(ministry_user, "country").get(url, params)
    assert status == 400 and field in body["error"]["details"], body


def test_errors_in_the_readers_language_and_expired_tokens(make_token, ministry_user):
    headers = {"Authorization": f"Token {make_token(ministry_user, 'country')}"}
    client, english = Client(), Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reader's choice (PortalLocaleMiddleware)
    body = client.get("/api/v1/students/", {"snapshot": "x"}, headers=headers).json()
    assert "Mã ảnh chụp không hợp lệ" in body["error"]["message"]
    body = english.get("/api/v1/students/", {"snapshot": "x"}, headers=headers).json()
    assert "Invalid snapshot token" in body["error"]["message"]
    token = client.post("/api/v1/snapshots/", headers=headers).json()["snapshot"]
    assert client.get("/api/v1/students/", {"snapshot": token}, headers=headers).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get("/api/v1/students/", {"snapshot": tampered}, headers=headers).status_code == 400
    with override_settings(API_SNAPSHOT_MAX_AGE_SECONDS=-1):  # every token older than its age
        response = english.get("/api/v1/students/", {"snapshot": token}, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "snapshot_expired"
    assert "expired" in response.json()["error"]["message"]
    assert client.post("/api/v1/snapshots/").status_code == 401


def test_a_snapshot_leaves_out_what_changed_after_it(api, ministry_user, school_a):
    """With the default margin: a record written now is in no snapshot made now, but in the delta after."""
    client = api(ministry_user, "country")
    pupil = make_student(school_a)
    token, as_of = snapshot(client)
    assert parse_datetime(as_of) < pupil.updated_at - dt.timedelta(seconds=4)
    assert pull(client, "/students/", {"snapshot": token}) == []
    assert [row["id"] for row in pull(client, "/students/", {"updated_since": as_of})] == [pupil.pk]
