"""The access-control matrix: every URL pattern, web and API, against every role.

URL patterns are enumerated from the resolver, so a new page or endpoint cannot escape: the test
fails until its row is declared in RULES. Each row says who may use the URL and with which
object (always one belonging to school A in province X), and every response of a role that may
not see school A is searched for school A's records (names, codes): no record from outside the
scope may appear in any response, allowed or refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from accounts.scope import Scope
from api.services import api_token_create
from tests.factories import SchoolFactory, UserFactory, commune_of, make_staff, make_student

pytestmark = pytest.mark.django_db

WEB_ROLES = ("anonymous", "school_a", "school_b", "province_x", "province_y", "ministry")
# Whether each role's scope contains school A (in province X).
SEES_A = {"anonymous": False, "school_a": True, "school_b": False, "province_x": True, "province_y": False,
          "ministry": True}
ALL = frozenset(WEB_ROLES) - {"anonymous"}
STAFF = frozenset({"province_x", "province_y", "ministry"})  # ministry and provincial staff
MINISTRY = frozenset({"ministry"})
PUBLIC = frozenset(WEB_ROLES)


@dataclass
class Rule:
    """Who may GET this URL, and what they get. `kwargs` builds the URL from the fixture's objects;
    `scoped` means the URL names school A's object, so roles that cannot see A get 403/404."""

    roles: frozenset = ALL
    kwargs: callable = field(default=lambda o: {})
    scoped: bool = False
    ok: tuple = (200,)
    query: str = ""
    method: str = "get"
    data: callable = field(default=lambda o: {})


POSTED = (200, 302, 400, 409)  # the action ran, or was refused for a reason of its own (not scope)

RULES: dict[str, Rule] = {
    "home": Rule(),
    "login": Rule(roles=PUBLIC),
    "logout": Rule(method="post", ok=(302,)),
    "set_language": Rule(roles=PUBLIC, method="post", ok=(302,)),
    "healthz": Rule(roles=PUBLIC, ok=(200, 503)),
    "schools:list": Rule(),
    "schools:detail": Rule(kwargs=lambda o: {"pk": o["school_a"].pk}, scoped=True),
    "teachers:list": Rule(),
    "teachers:detail": Rule(kwargs=lambda o: {"pk": o["staff_a"].pk}, scoped=True),
    "students:list": Rule(),
    "students:detail": Rule(kwargs=lambda o: {"pk": o["pupil_a"].pk}, scoped=True),
    # Identity verification: runs are started by ministry and provinces; schools see their failures.
    "verification:runs": Rule(ok=(200, 302)),  # schools land on their failures
    "verification:run_start": Rule(roles=STAFF, method="post", ok=POSTED, scoped=True,
                                    data=lambda o: {"school_code": o["school_a"].code}),
    "verification:run_detail": Rule( kwargs=lambda o: {"pk": o["run_a"].pk}, scoped=True),
    "verification:run_progress": Rule( kwargs=lambda o: {"pk": o["run_a"].pk}, scoped=True),
    "verification:run_cancel": Rule(roles=STAFF, kwargs=lambda o: {"pk": o["run_a"].pk}, scoped=True, method="post", ok=POSTED),
    "verification:failures": Rule(),
    # Held ID numbers: reviewers who may see full numbers (none of the matrix's users may).
    "verification:held": Rule(roles=frozenset()),
    # Uploads: the uploader (school A's administrator) and the users above them.
    "uploads:list": Rule(),
    "uploads:new": Rule(),
    "uploads:template": Rule(kwargs=lambda o: {"kind": "pupils", "fmt": "xlsx"}),
    "uploads:detail": Rule(kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True),
    "uploads:status": Rule(kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True),
    "uploads:confirm": Rule(kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True, method="post", ok=POSTED),
    # The files of an upload hold full ID numbers: only its uploader and users with the right (none here).
    "uploads:error_file": Rule(roles=frozenset(), kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True),
    "uploads:original": Rule(roles=frozenset(), kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True),
    "uploads:cancel": Rule(kwargs=lambda o: {"pk": o["upload_a"].pk}, scoped=True, method="post", ok=POSTED),
    # Dashboards: every role gets its own scope's figures; drill-downs name province X / school A.
    "dashboards:overview": Rule(ok=(200, 302)),  # a school lands on its own dashboard
    "dashboards:province": Rule(kwargs=lambda o: {"code": "01"}, scoped=True, roles=STAFF),
    "dashboards:commune": Rule(kwargs=lambda o: {"code": o["school_a"].commune_id}, scoped=True, roles=STAFF),
    "dashboards:school": Rule(kwargs=lambda o: {"pk": o["school_a"].pk}, scoped=True),
    "dashboards:indicators": Rule(),
    "dashboards:completeness": Rule(),
    # Ministry only.
    "audit:events": Rule(roles=MINISTRY),
    "api:tokens": Rule(roles=MINISTRY),
    "api:token-revoke": Rule(roles=MINISTRY, kwargs=lambda o: {"pk": o["token_a"].pk}, method="post", ok=POSTED),
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def all_url_names() -> list[str]:
    """Every named URL of the portal (Django admin has its own staff-only permission system)."""
    return sorted({n for n in _walk(get_resolver().url_patterns) if not n.startswith("admin:")})


def test_every_url_is_declared_in_the_matrix():
    missing = [n for n in all_url_names() if n not in RULES and n not in API_RULES]
    assert not missing, f"declare these URLs in the access-control matrix: {missing}"


@pytest.fixture
def world(db):
    """Two provinces, three schools, a pupil and a staff member in each, and every role."""
    school_a = SchoolFactory(name="Trường Tiểu học Anpha", province_id="01")
    school_b = SchoolFactory(name="Trường Tiểu học Bêta", province_id="01")
    school_c = SchoolFactory(name="Trường Tiểu học Xêta", province_id="79", commune_id=commune_of("79"))
    objects = {"school_a": school_a, "school_b": school_b, "school_c": school_c,
               "pupil_a": make_student(school_a),
               "staff_a": make_staff(school_a), "pupil_b": make_student(school_b), "pupil_c": make_student(school_c)}
    users = {
        "school_a": UserFactory(username="m_school_a", role=Role.SCHOOL, school=school_a),
        "school_b": UserFactory(username="m_school_b", role=Role.SCHOOL, school=school_b),
        "province_x": UserFactory(username="m_prov_x", role=Role.PROVINCE, province_id="01"),
        "province_y": UserFactory(username="m_prov_y", role=Role.PROVINCE, province_id="79"),
        "ministry": UserFactory(username="m_ministry", role=Role.MINISTRY),
    }
    objects["users"] = users
    extra_objects(objects)
    return objects


def extra_objects(objects) -> None:
    """Objects of the other apps that URLs name (uploads, runs, tokens...), all of school A."""
    for hook in OBJECT_HOOKS:
        hook(objects)


def _run_and_upload_and_token(objects) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.services import api_token_create
    from uploads.services import upload_create, upload_validate
    from verification.services import run_start

    users = objects["users"]
    school_a = objects["school_a"]
    objects["run_a"] = run_start(scope=Scope("school", school_id=school_a.pk, province_code="01"),
                                 started_by=users["province_x"])
    # An upload of school A by a clerk who may see full numbers: its page, original and error file
    # carry them (a valid number, one whose leading zeros Excel dropped: the hint quotes it fixed).
    clerk = UserFactory(username="m_clerk_a", role=Role.SCHOOL, school=school_a, may_view_id_numbers=True)
    pupil = objects["pupil_a"]
    rows = [f"HSU0000001;{UPLOAD_IDS[0]};Trần Thị Tải;15/03/2016;Nữ;;01;3;3A",
            f"HSU0000002;{UPLOAD_IDS[1].lstrip('0')};Trần Văn Tải;15/03/2016;Nam;;01;3;3A",
            f"HSU0000003;{pupil.id_number};Trần Văn Trùng;{pupil.date_of_birth:%d/%m/%Y};Nam;;01;3;3A"]
    csv = ("Mã học sinh;Số định danh cá nhân;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Nơi sinh (mã tỉnh);Khối;Lớp\n"
           + "\n".join(rows) + "\n").encode()
    objects["upload_a"] = upload_create(user=clerk, kind="pupils", enqueue=False,
                                        file=SimpleUploadedFile("hs.csv", csv, content_type="text/csv"))
    upload_validate(upload_id=objects["upload_a"].pk)
    objects["token_a"] = api_token_create(user=users["school_a"], name="sms", scope=Scope.for_user(users["school_a"]))[0]


OBJECT_HOOKS: list = [_run_and_upload_and_token]


UPLOAD_IDS = ("001316000051", "001216000052")  # female and male, born 2016 (Hà Nội)


def full_id_numbers(o) -> list[str]:
    """Full ID numbers none of the matrix's users or tokens may receive (none has the right): every
    person's, of any school, and those typed into school A's upload by another user."""
    people = [o[k] for k in ("pupil_a", "staff_a", "pupil_b", "pupil_c")]
    return [p.id_number for p in people if p.id_number] + list(UPLOAD_IDS) + [UPLOAD_IDS[1].lstrip("0")]


def assert_no_full_id_number(text: str, o, where) -> None:
    leaked = [n for n in full_id_numbers(o) if n in text]
    assert not leaked, (where, "full ID numbers", leaked)


def secrets_of_a(o) -> list[str]:
    """Strings that only someone who may see school A's records may ever receive."""
    return [o["pupil_a"].full_name, o["pupil_a"].pupil_code, o["pupil_a"].id_number, o["staff_a"].full_name,
            o["staff_a"].staff_code, o["school_a"].code]


def _client_for(client, role, world):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize("url_name", sorted(RULES))
def test_web_url_against_every_role(client, world, url_name):
    rule = RULES[url_name]
    url = reverse(url_name, kwargs=rule.kwargs(world)) + rule.query
    for role in WEB_ROLES:
        client.logout()
        _client_for(client, role, world)
        response = getattr(client, rule.method)(url, rule.data(world))
        allowed = role in rule.roles and (not rule.scoped or SEES_A[role])
        if allowed:
            assert response.status_code in rule.ok, (url, role, response.status_code)
        elif role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], (url, role)
        else:
            assert response.status_code in (403, 404), (url, role, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        assert_no_full_id_number(text, world, (url, role))
        if not SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in text]
            assert not leaked, (url, role, leaked)


# --- API: the same, with tokens of every scope, read-only and read-write --------------------

TOKEN_ROLES = ("none", "country_ro", "country_rw", "province_x_ro", "province_x_rw", "province_y_ro",
               "school_a_ro", "school_a_rw", "school_b_ro")
TOKEN_SEES_A = {"none": False, "country_ro": True, "country_rw": True, "province_x_ro": True,
                "province_x_rw": True, "province_y_ro": False, "school_a_ro": True, "school_a_rw": True,
                "school_b_ro": False}


@dataclass
class ApiRule:
    kwargs: callable = field(default=lambda o: {})
    scoped: bool = False
    public: bool = False
    ok: tuple = (200,)
    query: str = ""
    session_only: bool = False  # a web page under /api/ (token management) rather than an endpoint
    roles: frozenset | None = None  # token roles allowed (None: every token)


API_RULES: dict[str, ApiRule] = {
    "api:schema": ApiRule(public=True),
    "api:docs": ApiRule(public=True),
    "api:tokens": ApiRule(session_only=True),
    "api:token-revoke": ApiRule(session_only=True),
    "api:school-list": ApiRule(),
    "api:school-deleted": ApiRule(),
    "api:school-detail": ApiRule(kwargs=lambda o: {"pk": o["school_a"].pk}, scoped=True),
    "api:staff-list": ApiRule(),
    "api:staff-deleted": ApiRule(),
    "api:staff-detail": ApiRule(kwargs=lambda o: {"pk": o["staff_a"].pk}, scoped=True),
    "api:student-list": ApiRule(),
    "api:student-deleted": ApiRule(),
    "api:student-detail": ApiRule(kwargs=lambda o: {"pk": o["pupil_a"].pk}, scoped=True),
    "api:stats-overview": ApiRule(),
    "api:stats-provinces": ApiRule(),
    "api:stats-communes": ApiRule(kwargs=lambda o: {"code": "01"}, scoped=True,
                                  roles=frozenset({"country_ro", "country_rw", "province_x_ro", "province_x_rw"})),
    "api:stats-schools": ApiRule(),
}


def _tokens(world) -> dict[str, str]:
    users = world["users"]
    specs = {
        "country_ro": (users["ministry"], Scope.country(), False),
        "country_rw": (users["ministry"], Scope.country(), True),
        "province_x_ro": (users["province_x"], Scope("province", province_code="01"), False),
        "province_x_rw": (users["province_x"], Scope("province", province_code="01"), True),
        "province_y_ro": (users["province_y"], Scope("province", province_code="79"), False),
        "school_a_ro": (users["school_a"], Scope.for_user(users["school_a"]), False),
        "school_a_rw": (users["school_a"], Scope.for_user(users["school_a"]), True),
        "school_b_ro": (users["school_b"], Scope.for_user(users["school_b"]), False),
    }
    return {role: api_token_create(user=u, name=role, scope=s, can_write=w)[1] for role, (u, s, w) in specs.items()}


@pytest.mark.parametrize("url_name", sorted(n for n, r in API_RULES.items() if not r.session_only))
def test_api_url_against_every_token(client, world, url_name):
    rule = API_RULES[url_name]
    url = reverse(url_name, kwargs=rule.kwargs(world)) + rule.query
    tokens = _tokens(world)
    for role in TOKEN_ROLES:
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.get(url, **headers)
        allowed = rule.public or (role != "none" and (not rule.scoped or TOKEN_SEES_A[role])
                                  and (rule.roles is None or role in rule.roles))
        if allowed:
            assert response.status_code in rule.ok, (url, role, response.status_code, response.content[:300])
        elif role == "none":
            assert response.status_code == 401, (url, role, response.status_code)
            assert "error" in response.json()
        else:
            assert response.status_code in (403, 404), (url, role, response.status_code)
            assert "error" in response.json()
        text = response.content.decode(errors="replace")
        assert_no_full_id_number(text, world, (url, role))
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in text]
            assert not leaked, (url, role, leaked)


@pytest.mark.parametrize("url_name, obj, change", [
    ("api:school-detail", "school_a", {"address": "2 Phố Thử"}),
    ("api:staff-detail", "staff_a", {"ethnicity": "Tày"}),
    ("api:student-detail", "pupil_a", {"ethnicity": "Tày"}),
])
def test_api_writes_need_a_read_write_token_of_the_scope(client, world, url_name, obj, change):
    url = reverse(url_name, kwargs={"pk": world[obj].pk})
    tokens = _tokens(world)
    for role in TOKEN_ROLES:
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.patch(url, change, content_type="application/json", **headers)
        if role == "none":
            expected = (401,)
        elif not TOKEN_SEES_A[role]:
            expected = (403, 404)
        elif role.endswith("_ro"):
            expected = (403,)
        elif obj == "school_a" and role == "school_a_rw":
            expected = (200, 403)  # a school may or may not edit its own school record
        else:
            expected = (200,)
        assert response.status_code in expected, (url, role, response.status_code, response.content[:200])
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in response.content.decode()]
            assert not leaked, (url, role, leaked)
