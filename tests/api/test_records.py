"""The record endpoints (/schools/, /staff/, /students/): each check runs for every kind. Scope, detail,
query-count and masking checks shared with the pages are in tests/base.py (run by tests/<app>/test_views.py)."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.tombstones import DeletedRecord
from students.models import Student
from students.services import student_update
from tests.factories import UserFactory, make_staff, make_student, real_identity

KINDS = {
    "schools": lambda school: school,
    "staff": make_staff,
    "students": make_student,
}


@pytest.fixture
def world(school_a, school_b, school_other_province):
    """One record of each kind in two Hà Nội schools and one Hồ Chí Minh City school."""
    records = {kind: {} for kind in KINDS}
    for school in (school_a, school_b, school_other_province):
        for kind, make in KINDS.items():
            records[kind][school.pk] = make(school)
    return records


def ids(body) -> set[int]:
    return {row["id"] for row in body["results"]}


@pytest.mark.parametrize("kind", ["staff", "students"])
def test_only_who_may_see_id_numbers_may_search_by_them(kind, world, api, province_user, school_user, school_a):
    record = world[kind][school_a.pk]
    code = record.pupil_code if kind == "students" else record.staff_code
    masked = api(province_user, "province:01")
    # Otherwise a masked client could learn whose a number is by searching for it.
    assert masked.get(f"/{kind}/", {"q": record.id_number})[1]["results"] == []
    assert ids(masked.get(f"/{kind}/", {"q": code})[1]) == {record.pk}
    if kind == "students":  # MOET pupil codes are often all digits, like the seed's: still found
        numeric = make_student(school_a, pupil_code="2654448106")
        assert ids(masked.get("/students/", {"q": "2654448106"})[1]) == {numeric.pk}
    full = api(school_user, f"school:{school_a.code}")
    assert ids(full.get(f"/{kind}/", {"q": record.id_number})[1]) == {record.pk}


@pytest.mark.parametrize(("kind", "params", "expected_schools"), [
    ("schools", {"province": "79"}, ["other"]),
    ("staff", {"school_code": "<a>"}, ["a"]),
    ("students", {"school": "<b>"}, ["b"]),
    ("students", {"province": "01", "gender": "F"}, ["a", "b"]),
])
def test_filters_are_the_pages_filtersets(kind, params, expected_schools, world, api, ministry_user, school_a,
                                          school_b, school_other_province):
    schools = {"a": school_a, "b": school_b, "other": school_other_province}
    params = {k: (str(schools[v[1]].pk) if k == "school" else schools[v[1]].code) if v.startswith("<") else v
              for k, v in params.items()}
    status, body = api(ministry_user, "country").get(f"/{kind}/", params)
    assert status == 200
    assert ids(body) == {world[kind][schools[s].pk].pk for s in expected_schools}


def test_pages_through_every_record_once(api, ministry_user, school_a):
    pupils = {make_student(school_a).pk for _ in range(5)}
    client = api(ministry_user, "country")
    seen, url, pages = [], "/students/?page_size=2", 0
    while url:
        status, body = client.get(url)
        assert status == 200 and len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"] and body["next"].split("/api/v1", 1)[1]
        pages += 1
    assert sorted(seen) == sorted(pupils) and pages == 3


def test_updated_since_returns_changes_and_the_deletion_feed_the_deletions(world, api, ministry_user, province_user,
                                                                          province_user_y, school_a, school_b):
    unchanged, changed = world["students"][school_a.pk], world["students"][school_b.pk]
    Student.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    student_update(scope=Scope.country(), student=Student.objects.get(pk=changed.pk), full_name="Trần Thị Mới")
    writer = api(ministry_user, "country", write=True)
    assert writer.delete(f"/students/{unchanged.pk}/", {"reason": "Nhập trùng"})[0] == 204

    hanoi = api(province_user, "province:01")
    status, body = hanoi.get("/students/", {"updated_since": since})
    assert status == 200 and ids(body) == {changed.pk}
    assert body["results"][0]["full_name"] == "Trần Thị Mới"
    status, body = hanoi.get("/students/deleted/", {"updated_since": since})
    assert status == 200 and body["results"] == [
        {"id": unchanged.pk, "code": unchanged.pupil_code, "deleted_at": body["results"][0]["deleted_at"],
         "reason": "Nhập trùng", "natural_key": {"school_code": school_a.code, "pupil_code": unchanged.pupil_code,
                                                 "id_number": body["results"][0]["natural_key"]["id_number"]}}]
    # The other province's token does not learn of Hà Nội's deletion.
    assert api(province_user_y, "province:79").get("/students/deleted/")[1]["results"] == []
    # A client that synced after the deletion gets nothing more.
    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert hanoi.get("/students/deleted/", {"updated_since": later})[1]["results"] == []
    assert DeletedRecord.objects.filter(kind="student", record_id=unchanged.pk).exists()


@pytest.mark.parametrize(("params", "field"), [
    ({"colour": "red"}, "colour"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "WyJ4IiwxXQ"}, "cursor"),  # valid base64 of ["x",1]
    ({"school": "abc"}, "school"),
    ({"born_after": "31/02/2015"}, "born_after"),
    ({"gender": "X"}, "gender"),
    ({"page_size": "5000"}, "page_size"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "-1"}, "page_size"),
    ({"updated_since": "yesterday"}, "updated_since"),
])
def test_bad_input_is_a_clear_400(params, field, api, ministry_user):
    status, body = api(ministry_user, "country").get("/students/", params)
    assert status == 400
    assert set(body["error"]) == {"code", "message", "details"}
    assert field in body["error"]["details"], body


def test_unknown_filters_are_listed_with_the_allowed_ones(api, ministry_user):
    status, body = api(ministry_user, "country").get("/staff/", {"colour": "red", "size": "L"})
    assert status == 400 and body["error"]["code"] == "unknown_parameter"
    assert {"colour", "size"} <= set(body["error"]["details"])
    assert "position" in body["error"]["details"]["allowed"]


@pytest.mark.parametrize("header", [None, "Token ept_wrong", "Token", "Bearer abc", "Token a b"])
def test_without_a_valid_token_401(header, world):
    from django.test import Client

    response = Client().get("/api/v1/students/", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")


def test_errors_for_method_missing_address_and_read_only_token(api, province_user, school_a):
    client = api(province_user, "province:01")
    status, body = client.post("/students/", {"pupil_code": "X"})
    assert status == 403 and body["error"]["code"] == "permission_denied"
    status, body = client.get("/nothing-here/")
    assert status == 404 and body["error"]["code"] == "not_found"
    writer = api(province_user, "province:01", write=True)
    status, body = writer._json(writer.client.put("/api/v1/students/1/", {}, content_type="application/json",
                                                  headers=writer.headers))
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert writer.delete(f"/schools/{school_a.pk}/")[0] == 405


def test_session_users_read_but_do_not_write(client, province_user, school_a, school_other_province):
    mine, other = make_student(school_a), make_student(school_other_province)
    client.force_login(province_user)
    response = client.get("/api/v1/students/")
    assert response.status_code == 200 and {r["id"] for r in response.json()["results"]} == {mine.pk}
    assert client.get(f"/api/v1/students/{other.pk}/").status_code == 404


# --- writes: the upload's rules, through the services --------------------------------------

def pupil_payload(school, **overrides):
    identity = real_identity(serial=777_001)
    data = {"pupil_code": "HSAPI0001", "full_name": identity["full_name"],
            "date_of_birth": identity["date_of_birth"].isoformat(), "gender": identity["gender"],
            "id_number": identity["id_number"], "school": school.pk, "grade": 3, "class_name": "3A"}
    data.update(overrides)
    return data


@pytest.fixture
def officer(db):
    """A provincial officer with the right to see (and so to type) full ID numbers."""
    return UserFactory(username="t_hanoi_id", role="province", province_id="01", may_view_id_numbers=True)


def test_write_token_creates_and_updates_a_pupil(api, officer, school_a):
    client = api(officer, "province:01", write=True)
    status, body = client.post("/students/", pupil_payload(school_a))
    assert status == 201, body
    assert body["school"] == school_a.pk and body["enrollments"][0]["grade"] == 3
    assert body["id_number"] == pupil_payload(school_a)["id_number"]
    assert body["verification_status"] == "queued"
    status, body = client.patch(f"/students/{body['id']}/", {"ethnicity": "  Tày "})
    assert status == 200 and body["ethnicity"] == "Tày"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id_number": "12345"}, "id_number"),
    ({"id_number": "001215000001"}, "id_number"),  # digit 4 = 2 says a boy; the pupil is a girl
    ({"gender": "X"}, "gender"),
    ({"date_of_birth": "2015-02-31"}, "date_of_birth"),
    ({"grade": 13}, "grade"),
    ({"pupil_code": ""}, "pupil_code"),
    ({"birth_province": "99"}, "birth_province"),
])
def test_invalid_pupil_is_refused_with_field_errors(overrides, field, api, officer, school_a):
    status, body = api(officer, "province:01", write=True).post("/students/",
                                                                pupil_payload(school_a, **overrides))
    assert status == 400 and field in body["error"]["details"], body
    assert not Student.objects.filter(pupil_code="HSAPI0001").exists()


def test_writes_cannot_reach_another_scope(api, province_user, school_other_province):
    other = make_student(school_other_province)
    client = api(province_user, "province:01", write=True)
    status, body = client.post("/students/", pupil_payload(school_other_province))
    assert status == 400 and "school" in body["error"]["details"]
    assert client.patch(f"/students/{other.pk}/", {"full_name": "Ai Đó"})[0] == 404
    assert client.delete(f"/students/{other.pk}/")[0] == 404
    assert Student.objects.filter(pk=other.pk, full_name=other.full_name).exists()


def test_staff_and_schools_writes(api, province_user, school_a):
    client = api(province_user, "province:01", write=True)
    status, body = client.post("/staff/", {
        "staff_code": "CBAPI01", "full_name": "Lê Văn Bình", "date_of_birth": "1985-04-02", "gender": "M",
        "qualification": "bachelor", "position": "teacher", "school": school_a.pk})
    assert status == 201 and body["meets_qualification_standard"] is True, body
    status, body = client.patch(f"/schools/{school_a.pk}/", {"name": "Trường Tiểu học A mới"})
    assert status == 200 and body["name"] == "Trường Tiểu học A mới"
    status, body = client.post("/schools/", {"code": "SCHAPI1", "name": "Trường Sài Gòn", "level": "primary",
                                             "ownership": "public", "province": "79", "commune": "26734"})
    assert status in (400, 404) and "SCHAPI1" not in str(body)


def test_a_user_without_may_view_may_not_type_numbers_but_writes_the_rest(api, school_a):
    user = UserFactory(role="province", province_id="01", may_view_id_numbers=False)
    client = api(user, "province:01", write=True)
    payload = pupil_payload(school_a)
    status, body = client.post("/students/", payload)
    assert status == 403 and body["error"]["code"] == "id_number_not_allowed"
    assert payload["id_number"] not in str(body) and not Student.objects.filter(pupil_code="HSAPI0001").exists()
    status, body = client.post("/students/", pupil_payload(school_a, id_number=None))
    assert status == 201 and body["id_number"] == "" and body["verification_status"] == "invalid_id"


@pytest.mark.parametrize("kind", KINDS)
def test_list_rows_are_the_detail_without_its_extras(kind, world, api, school_user, school_a):
    """The list rows are rendered by hand for speed: they must stay what the schema says."""
    from schools.api.serializers import SchoolSerializer
    from students.api.serializers import StudentSerializer
    from teachers.api.serializers import StaffSerializer

    declared = {"schools": SchoolSerializer, "staff": StaffSerializer, "students": StudentSerializer}[kind]
    client = api(school_user, f"school:{school_a.code}")
    row = client.get(f"/{kind}/")[1]["results"][0]
    detail = client.get(f"/{kind}/{row['id']}/")[1]
    assert list(row) == list(declared.Meta.fields)
    assert row == {key: detail[key] for key in row}


def test_a_cursor_only_serves_the_query_it_came_from(api, ministry_user, school_a):
    for _ in range(3):
        make_student(school_a)
    client = api(ministry_user, "country")
    plain_next = client.get("/students/", {"page_size": 1})[1]["next"]
    cursor = plain_next.split("cursor=")[1].split("&")[0]
    status, body = client.get("/students/", {"page_size": 1, "cursor": cursor,
                                             "updated_since": "2000-01-01T00:00:00Z"})
    assert status == 400 and "cursor" in body["error"]["details"]
    sync = client.get("/students/", {"page_size": 1, "updated_since": "2000-01-01T00:00:00Z"})[1]["next"]
    assert client.get(sync.split("/api/v1", 1)[1])[0] == 200


@pytest.mark.parametrize(("overrides", "field"), [
    ({"grade": 7}, "grade"),  # a primary school teaches grades 1-5 (the upload's rule)
    ({"full_name": "=HYPERLINK(\"http://x\")"}, "full_name"),  # a formula, refused as in a spreadsheet
    ({"full_name": "Nguyễn Văn 2"}, "full_name"),
    ({"date_of_birth": "1980-01-01"}, "date_of_birth"),  # not of school age
])
def test_api_writes_follow_the_upload_rules(overrides, field, api, officer, school_a):
    from edu_portal.common.importing import ImportContext
    from students.importers import validate_row

    payload = pupil_payload(school_a, **overrides)
    _, upload_errors = validate_row(payload | {"school": None},
                                    context=ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a,
                                                                         school_year=2026))
    assert field in {e.column for e in upload_errors}  # the upload refuses it ...
    status, body = api(officer, "province:01", write=True).post("/students/", payload)
    assert status == 400 and field in body["error"]["details"], body  # ... and so does the API


def test_a_partial_update_is_checked_against_the_rest_of_the_record(api, province_user, school_a):
    pupil = make_student(school_a)  # born in 2015, ID number says so
    client = api(province_user, "province:01", write=True)
    status, body = client.patch(f"/students/{pupil.pk}/", {"date_of_birth": "2016-05-01"})
    assert status == 400 and "id_number" in body["error"]["details"]
    status, body = client.patch(f"/students/{pupil.pk}/", {"full_name": "  Lê   Thị  Hoa "})
    assert status == 200 and body["full_name"] == "Lê Thị Hoa"
    status, body = client.patch(f"/schools/{school_a.pk}/", {"province": "79"})
    assert status == 400 and "province" in body["error"]["details"]


def test_delete_needs_a_reason_in_the_body_or_the_query(api, ministry_user, school_a):
    pupil, other = make_student(school_a), make_student(school_a)
    writer = api(ministry_user, "country", write=True)
    for data in (None, {}, {"reason": "   "}, {"reason": 5}):
        status, body = writer.delete(f"/students/{pupil.pk}/", data)
        assert status == 400 and "reason" in body["error"]["details"], body
    status, body = writer.delete(f"/students/{pupil.pk}/", {"reason": "x" * 501})
    assert status == 400 and "500" in body["error"]["message"]
    assert Student.objects.filter(pk=pupil.pk).exists() and not DeletedRecord.objects.exists()
    assert writer.delete(f"/students/{pupil.pk}/?reason=Nh%E1%BA%ADp%20tr%C3%B9ng")[0] == 204
    assert writer.delete(f"/students/{other.pk}/", {"reason": "Hồ sơ thử"})[0] == 204
    status, body = writer.get("/students/deleted/")
    assert {(r["id"], r["reason"]) for r in body["results"]} == {(pupil.pk, "Nhập trùng"), (other.pk, "Hồ sơ thử")}
