"""API tokens: issued within the user's scope, stored hashed, revocable, last use recorded."""
import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken, token_hash
from api.services import api_token_create, api_token_revoke
from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse

from .conftest import ApiClient


def test_only_the_hash_and_a_prefix_are_stored(province_user):
    token, secret = api_token_create(user=province_user, name="SMAS", scope=scope_parse("province:01"))
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == token_hash(secret) and secret.startswith(row.key_prefix)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    assert len(secret) >= 40


@pytest.mark.parametrize(("user_fixture", "scope"), [
    ("province_user", "country"),
    ("province_user", "province:79"),
    ("school_user", "province:01"),
])
def test_a_token_cannot_reach_beyond_its_users_scope(request, user_fixture, scope, school_other_province):
    user = request.getfixturevalue(user_fixture)
    with pytest.raises(AppError) as err:
        api_token_create(user=user, name="x", scope=scope_parse(scope))
    assert err.value.code == "invalid_scope"


def test_a_province_user_may_hold_a_token_for_one_of_its_schools(province_user, school_a, school_other_province):
    api_token_create(user=province_user, name="one school", scope=scope_parse(f"school:{school_a.code}"))
    with pytest.raises(AppError):
        api_token_create(user=province_user, name="x", scope=scope_parse(f"school:{school_other_province.code}"))


@override_settings(API_TOKEN_CACHE_SECONDS=0)
def test_revoked_token_and_moved_user_are_refused(make_token, province_user, school_a):
    secret = make_token(province_user, "province:01")
    client = ApiClient(secret)
    assert client.get("/schools/")[0] == 200
    api_token_revoke(token=ApiToken.objects.get(key_hash=token_hash(secret)))
    assert client.get("/schools/")[0] == 401
    # A user moved to another province loses the old province's tokens.
    secret = make_token(province_user, "province:01")
    province_user.province_id = "79"
    province_user.save()
    status, body = ApiClient(secret).get("/schools/")
    assert status == 401 and body["error"]["code"] == "authentication_failed"


def test_revocation_reaches_a_process_that_cached_the_token(make_token, ministry_user):
    from api import authentication

    secret = make_token(ministry_user, "country")
    client = ApiClient(secret)
    assert client.get("/schools/")[0] == 200  # now cached in this process
    ApiToken.objects.filter(key_hash=token_hash(secret)).update(revoked_at=timezone.now())  # another process
    authentication._TOKENS[token_hash(secret)] = (0.0, authentication._TOKENS[token_hash(secret)][1])  # expired
    assert client.get("/schools/")[0] == 401


@override_settings(API_TOKEN_CACHE_SECONDS=0)
def test_last_use_is_written_at_most_once_a_minute(make_token, ministry_user, django_assert_max_num_queries):
    secret = make_token(ministry_user, "country")
    client = ApiClient(secret)
    client.get("/schools/")
    first = ApiToken.objects.get(key_hash=token_hash(secret)).last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(minutes=1)
    client.get("/schools/")
    assert ApiToken.objects.get(key_hash=token_hash(secret)).last_used_at == first
    ApiToken.objects.filter(key_hash=token_hash(secret)).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/schools/")
    assert ApiToken.objects.get(key_hash=token_hash(secret)).last_used_at > first


def test_command_prints_the_token_once(province_user, school_a):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "--user", province_user.username, "--scope", "province:01", "--write",
                 stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    assert token.can_write and token.scope_label() == "province:01" and token.user == province_user
    assert ApiClient(secret).get("/schools/")[0] == 200
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", province_user.username, "--scope", "country",
                     stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", province_user.username, "--scope", "province:xx",
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_ministry_issues_and_revokes_tokens_in_the_web_ui(client, ministry_user, province_user):
    client.force_login(ministry_user)
    response = client.post("/api/v1/tokens/", {"user": province_user.pk, "name": "Sở Hà Nội",
                                               "scope_kind": "province", "province": "01"})
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Sở Hà Nội")
    secret = response.context["new_secret"]
    assert token.key_hash == token_hash(secret) and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # The list shows the prefix, never the secret again.
    page = client.get("/api/v1/tokens/").content.decode()
    assert token.key_prefix in page and secret not in page
    # Beyond the owner's scope: refused with a message, nothing issued.
    response = client.post("/api/v1/tokens/", {"user": province_user.pk, "name": "too wide",
                                               "scope_kind": "country"})
    assert not ApiToken.objects.filter(name="too wide").exists()
    assert "phạm vi" in response.content.decode()
    client.post(f"/api/v1/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(secret).get("/schools/")[0] == 401


def test_only_ministry_users_open_the_tokens_page(client, province_user, ministry_user):
    client.force_login(province_user)
    assert client.get("/api/v1/tokens/").status_code == 403
    token, _ = api_token_create(user=ministry_user, name="m", scope=scope_parse("country"))
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 403
    assert Client().get("/api/v1/tokens/").status_code == 302  # to the login page


@override_settings(API_THROTTLE_RATE="3/minute")
def test_each_token_is_throttled_with_retry_after(make_token, ministry_user):
    busy, other = ApiClient(make_token(ministry_user, "country")), ApiClient(make_token(ministry_user, "country"))
    assert [busy.get("/schools/")[0] for _ in range(3)] == [200, 200, 200]
    status, body = busy.get("/schools/")
    assert status == 429 and body["error"]["code"] == "throttled"
    assert 1 <= int(busy.last["Retry-After"]) <= 60
    assert other.get("/schools/")[0] == 200  # the limit is per token


def test_schema_and_docs_are_public_and_served_without_a_cdn():
    client = Client()
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    spec = schema.json()
    assert "/api/v1/students/" in spec["paths"] and "tokenAuth" in spec["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "/static/drf_spectacular_sidecar/" in docs
    # Every script and stylesheet from this server (a closed network has no CDN). Not a search
    # for "cdn" in the page: the CSRF token in it is random text and sometimes contains it.
    assert not re.findall(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', docs), "an external asset"


# --- No borrowed rights: a token holds no more than its owner AND its issuer ------------------

def test_a_token_issued_for_someone_else_shows_no_more_than_the_issuer_may_see(client, ministry_user, school_user,
                                                                             school_a):
    """The attack: a ministry user without the ID right issues a token in the name of a user who
    has it, receives the secret and reads full numbers as that user."""
    from tests.factories import make_student

    pupil = make_student(school_a)
    assert school_user.may_view_id_numbers and not ministry_user.may_view_id_numbers
    client.force_login(ministry_user)
    form = {"user": school_user.pk, "name": "borrowed", "scope_kind": "school", "school_code": school_a.code}
    # Asking for the right outright is refused, nothing issued.
    response = client.post("/api/v1/tokens/", form | {"can_view_id_numbers": "on"})
    assert not ApiToken.objects.filter(name="borrowed").exists()
    assert "số định danh" in response.content.decode()
    # Without asking: issued, but masked.
    secret = client.post("/api/v1/tokens/", form).context["new_secret"]
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    assert token.created_by == ministry_user and token.user == school_user and not token.can_view_id_numbers
    status, body = ApiClient(secret).get(f"/students/{pupil.pk}/")
    assert status == 200 and body["id_number"] != pupil.id_number and pupil.id_number not in str(body)


def test_a_token_scope_lies_within_the_issuers_scope(province_user, ministry_user, school_other_province):
    with pytest.raises(AppError) as err:
        api_token_create(user=ministry_user, name="x", scope=scope_parse("country"), created_by=province_user)
    assert err.value.code == "invalid_scope"
    with pytest.raises(AppError):
        api_token_create(user=ministry_user, name="x", scope=scope_parse(f"school:{school_other_province.code}"),
                         can_write=True, created_by=province_user)
    token, _ = api_token_create(user=ministry_user, name="ok", scope=scope_parse("province:01"), created_by=province_user)
    assert token.scope_label() == "province:01"


def test_the_id_number_right_is_capped_at_the_issuers_and_checked_on_every_request(ministry_user, school_user,
                                                                                   school_a):
    from tests.factories import UserFactory, make_student

    pupil = make_student(school_a)
    issuer = UserFactory(username="t_ministry_full", may_view_id_numbers=True)
    # Owner and issuer both hold the right: the token may show full numbers.
    token, secret = api_token_create(user=school_user, name="full", scope=scope_parse(f"school:{school_a.code}"),
                                     created_by=issuer)
    assert token.can_view_id_numbers
    with override_settings(API_TOKEN_CACHE_SECONDS=0):
        assert ApiClient(secret).get(f"/students/{pupil.pk}/")[1]["id_number"] == pupil.id_number
        # The issuer loses the right: the token they hold the secret of shows masked numbers.
        issuer.may_view_id_numbers = False
        issuer.save()
        assert ApiClient(secret).get(f"/students/{pupil.pk}/")[1]["id_number"] != pupil.id_number
        issuer.may_view_id_numbers = True
        issuer.save()
        # So does the owner's losing it.
        school_user.may_view_id_numbers = False
        school_user.save()
        assert ApiClient(secret).get(f"/students/{pupil.pk}/")[1]["id_number"] != pupil.id_number
    # An issuer without the right gets a masked token by default, a refusal when asking for more.
    school_user.may_view_id_numbers = True
    school_user.save()
    token, _ = api_token_create(user=school_user, name="m", scope=scope_parse(f"school:{school_a.code}"),
                                created_by=ministry_user)
    assert not token.can_view_id_numbers
    with pytest.raises(AppError) as err:
        api_token_create(user=school_user, name="m", scope=scope_parse(f"school:{school_a.code}"),
                         can_view_id_numbers=True, created_by=ministry_user)
    assert err.value.code == "id_numbers_not_allowed"


def test_command_grants_full_id_numbers_only_when_asked_and_held(school_user, province_user, school_a):
    def issue(user, *flags):
        out = io.StringIO()
        call_command("create_api_token", "--user", user.username, "--scope", f"school:{school_a.code}", *flags,
                     stdout=out, stderr=io.StringIO())
        return ApiToken.objects.get(key_hash=token_hash(out.getvalue().strip()))

    assert not issue(school_user).can_view_id_numbers  # the owner has the right, but it was not asked for
    assert issue(school_user, "--id-numbers").can_view_id_numbers
    with pytest.raises(CommandError):
        issue(province_user, "--id-numbers")  # may_view_id_numbers is off


def test_the_audit_trail_names_the_issuer_of_a_token_used_by_someone_else(client, school_user, school_a):
    from audit.models import Action, AuditEvent
    from tests.factories import UserFactory, make_student

    pupil = make_student(school_a)
    issuer = UserFactory(username="t_ministry_full", may_view_id_numbers=True)
    token, secret = api_token_create(user=school_user, name="sms", scope=scope_parse(f"school:{school_a.code}"),
                                     created_by=issuer)
    assert ApiClient(secret).get(f"/students/{pupil.pk}/")[1]["id_number"] == pupil.id_number
    event = AuditEvent.objects.get(action=Action.VIEW_ID, token_id=token.pk)
    assert event.actor_id == school_user.pk
    client.force_login(issuer)
    page = client.get("/audit/", {"record": pupil.pk, "log": "views"}).content.decode()
    assert f"mã API #{token.pk}" in page and "mã do t_ministry_full cấp" in page
    csv_text = b"".join(client.get("/audit/", {"record": pupil.pk, "log": "views", "format": "csv"})
                        .streaming_content).decode()
    assert "t_school_a,t_ministry_full" in csv_text
