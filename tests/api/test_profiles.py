"""API profiles (issue 20): per token, the parts of the API it reaches and the fields of the records it reads and
writes, enforced on lists, details, `updated_since` feeds and writes alike; the keys always shown; a profile only
narrows what the token's scope and rights allow."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiToken
from api.profiles import record_fields, resources
from api.services import api_profile_save, api_token_create
from audit.models import Action, AuditEvent
from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse
from students.models import Student
from students.services import student_delete
from tests.factories import UserFactory, make_staff, make_student

from .conftest import ApiClient
from .test_records import pupil_payload

HEALTH = {"students": {"read": ["full_name", "date_of_birth", "gender"], "write": []}}


@pytest.fixture
def officer(db):
    return UserFactory(username="t_hanoi_profiles", role="province", province_id="01", may_view_id_numbers=True)


def client_with(user, scope: str, profile=None, *, write=False) -> ApiClient:
    return ApiClient(api_token_create(user=user, name="profiled", scope=scope_parse(scope), can_write=write,
                                      profile=profile)[1])


def test_a_read_profile_shows_only_its_fields_and_the_keys_in_lists_details_and_feeds(officer, school_a):
    pupil = make_student(school_a)
    profile = api_profile_save(name="health", rules=HEALTH)
    client = client_with(officer, "province:01", profile)
    keys = set(record_fields("students")[2])
    status, body = client.get("/students/")
    assert status == 200 and len(body["results"]) == 1
    assert set(body["results"][0]) == keys | {"full_name", "date_of_birth", "gender"}
    status, body = client.get("/students/", {"updated_since": (timezone.now() - dt.timedelta(days=1)).isoformat()})
    assert status == 200 and "id_number" not in body["results"][0] and body["results"][0]["id"] == pupil.pk
    status, detail = client.get(f"/students/{pupil.pk}/")
    assert status == 200 and set(detail) == keys | {"full_name", "date_of_birth", "gender"}
    assert "enrollments" not in detail and "id_number" not in detail
    # The same owner's token without a profile sees everything, its full number too.
    status, full = client_with(officer, "province:01").get(f"/students/{pupil.pk}/")
    assert full["id_number"] == pupil.id_number and "enrollments" in full


def test_no_full_number_shown_is_audited_when_the_profile_leaves_it_out(officer, school_a):
    pupil = make_student(school_a)
    client = client_with(officer, "province:01", api_profile_save(name="names", rules=HEALTH))
    client.get("/students/")
    client.get(f"/students/{pupil.pk}/")
    assert not AuditEvent.objects.filter(action=Action.VIEW_ID).exists()
    with_numbers = client_with(officer, "province:01", api_profile_save(
        name="numbers", rules={"students": {"read": ["id_number"], "write": []}}))
    status, body = with_numbers.get("/students/")
    assert body["results"][0]["id_number"] == pupil.id_number  # the token's right, which the profile lets through
    assert AuditEvent.objects.filter(action=Action.VIEW_ID, record_id=pupil.pk).count() == 1


def test_a_profile_never_unmasks_numbers_nor_grants_writing(province_user, school_a):
    pupil = make_student(school_a)
    everything = api_profile_save(name="everything", rules={"students": {"read": "*", "write": "*"}})
    reader = client_with(province_user, "province:01", everything)  # a user without the right to full numbers
    status, body = reader.get(f"/students/{pupil.pk}/")
    assert status == 200 and body["id_number"] != pupil.id_number and "*" in body["id_number"]
    status, body = reader.patch(f"/students/{pupil.pk}/", {"full_name": "Nguyễn Văn Mới"})
    assert status == 403  # a read-only token stays read-only


def test_a_write_naming_a_field_outside_the_profile_is_refused_whole(officer, school_a):
    pupil = make_student(school_a)
    profile = api_profile_save(name="names-only", rules={"students": {"read": "*", "write": ["full_name"]}})
    client = client_with(officer, "province:01", profile, write=True)
    status, body = client.patch(f"/students/{pupil.pk}/", {"full_name": "Trần Thị Lan", "gender": "M"})
    assert status == 403 and body["error"]["code"] == "field_not_in_profile"
    assert set(body["error"]["details"]) == {"gender"}
    pupil.refresh_from_db()
    assert pupil.full_name != "Trần Thị Lan"  # nothing applied, not even the allowed field
    status, body = client.patch(f"/students/{pupil.pk}/", {"full_name": "Trần Thị Lan"})
    assert status == 200 and body["full_name"] == "Trần Thị Lan"
    status, body = client.post("/students/", pupil_payload(school_a))
    assert status == 403 and "pupil_code" in body["error"]["details"]
    assert not Student.objects.filter(pupil_code="HSAPI0001").exists()


def test_a_profile_reaches_only_the_parts_of_the_api_it_names(officer, school_a):
    make_staff(school_a)
    client = client_with(officer, "province:01", api_profile_save(name="pupils", rules=HEALTH), write=True)
    for url in ("/staff/", "/schools/", "/stats/overview/", "/transfers/", "/students/deleted/"):
        status, body = client.get(url)
        expected = 200 if url.startswith("/students/") else 403
        assert status == expected, (url, status, body)
        if status == 403:
            assert "pupils" in body["error"]["message"]
    status, body = client.post("/students/", pupil_payload(school_a))
    assert status == 403  # read-only part of the profile, though the token may write
    status, me = client.get("/me/")
    assert status == 200 and me["profile"] == "pupils" and set(me["resources"]) == {"students"}
    assert me["resources"]["students"]["write"] is False
    assert "full_name" in me["resources"]["students"]["fields"]["read"]


def test_profile_rules_are_checked_against_the_api(db):
    assert {"students", "staff", "schools", "stats"} <= set(resources())
    for rules, named in ((({"pupils": {"read": "*"}}), "pupils"),
                         ({"students": {"read": ["no_such_field"]}}, "students.read"),
                         ({"students": {"read": "*", "write": ["verification_status"]}}, "students.write"),
                         ({"stats": {"read": ["pupils"]}}, "stats.read"),
                         ({"students": "everything"}, "students"), ({}, "rules")):
        with pytest.raises(AppError) as exc:
            api_profile_save(name="bad", rules=rules)
        assert named in exc.value.details, (rules, exc.value.details)


def test_a_changed_profile_applies_to_its_tokens(officer, school_a, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    make_student(school_a)
    profile = api_profile_save(name="changing", rules=HEALTH)
    client = client_with(officer, "province:01", profile)
    assert "gender" in client.get("/students/")[1]["results"][0]
    api_profile_save(name="changing", rules={"students": {"read": ["full_name"]}, "stats": {"read": "*"}})
    row = client.get("/students/")[1]["results"][0]
    assert "gender" not in row and "full_name" in row
    assert client.get("/stats/overview/")[0] == 200


def test_the_commands_make_a_profile_and_a_token_under_it(officer, capsys):
    call_command("api_profile", name="cli", rules='{"schools": {"read": ["name"]}}', description="test")
    call_command("create_api_token", user=officer.username, scope="province:01", profile="cli")
    token = ApiToken.objects.get()
    assert token.profile.name == "cli" and token.profile.rules == {"schools": {"read": ["name"], "write": []}}


def test_the_tokens_page_saves_a_profile_and_issues_a_token_under_it(client, ministry_user):
    client.force_login(ministry_user)
    response = client.post("/api/v1/tokens/", {"profile_name": "page", "description": "",
                                               "rules": '{"students": {"read": ["nope"]}}'})
    assert response.status_code == 200 and "nope" in response.content.decode()
    response = client.post("/api/v1/tokens/", {"profile_name": "page", "description": "từ trang",
                                               "rules": '{"students": {"read": ["full_name"]}}'})
    assert response.status_code == 200
    profile_id = ApiToken._meta.get_field("profile").related_model.objects.get(name="page").pk
    response = client.post("/api/v1/tokens/", {"user": ministry_user.pk, "name": "x", "scope_kind": "country",
                                               "profile": profile_id})
    assert response.status_code == 200
    assert ApiToken.objects.get(name="x").profile_id == profile_id


def test_a_profile_without_id_number_reads_no_number_in_the_deletes_feed(officer, school_a):
    pupil = make_student(school_a)
    student_delete(scope=scope_parse("province:01"), student=pupil, reason="Nhập nhầm hồ sơ")
    names_only = client_with(officer, "province:01", api_profile_save(name="names-feed", rules=HEALTH))
    status, body = names_only.get("/students/deleted/")
    assert status == 200 and body["results"][0]["natural_key"]["id_number"] is None
    assert not AuditEvent.objects.filter(action=Action.VIEW_ID).exists()
    status, body = client_with(officer, "province:01").get("/students/deleted/")
    assert body["results"][0]["natural_key"]["id_number"] == pupil.id_number  # the token's own right
