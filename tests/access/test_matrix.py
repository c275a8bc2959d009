"""The access-control matrix: every URL pattern, web and API, against every role.

URL patterns are enumerated from the resolver, so a new page or endpoint cannot escape: the test
fails until its row is declared in RULES. Each row states, for every role (and every API token), the
exact answer it gets with the object the URL names (always one of school A in province X): 200, a
redirect, 401 without a token, 302 to the login page when signed out, 403 for a feature the role may
not use, 404 for an object outside its scope. Every response of a role that may not see school A is
searched for school A's records (names, codes): no record from outside the scope may appear in any
response, allowed or refused.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.scope import Scope
from api.services import api_token_create
from dashboards.services import stats_refresh_all
from edu_portal.common.models import current_school_year
from students.services import school_year_start
from tests.factories import SchoolFactory, UserFactory, commune_of, make_staff, make_student

pytestmark = pytest.mark.django_db

WEB_ROLES = ("anonymous", "school_a", "school_b", "province_x", "province_y", "ministry")
# Whether each role's scope contains school A (in province X).
SEES_A = {"anonymous": False, "school_a": True, "school_b": False, "province_x": True, "province_y": False,
          "ministry": True}
LOGIN = "login"  # a 302 to the login page, with ?next= the address asked for


def web(*, anonymous=LOGIN, school_a, school_b, province_x, province_y, ministry) -> dict:
    """What each role gets, stated for every role: a status code, or LOGIN."""
    return {"anonymous": anonymous, "school_a": school_a, "school_b": school_b, "province_x": province_x,
            "province_y": province_y, "ministry": ministry}


# The patterns most rows share, named for what they mean.
EVERY_USER = web(school_a=200, school_b=200, province_x=200, province_y=200, ministry=200)
PUBLIC = web(anonymous=200, school_a=200, school_b=200, province_x=200, province_y=200, ministry=200)
# An object of school A: whoever's scope covers A sees it; for the others it does not exist (404, not 403, so
# that a guessed id tells nothing).
OBJECT_OF_A = web(school_a=200, school_b=404, province_x=200, province_y=404, ministry=200)
ADD_TO_OWN_SCHOOL = web(school_a=200, school_b=200, province_x=404, province_y=404, ministry=404)
MINISTRY_ONLY = web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=200)
# Files holding full ID numbers: in scope but without the right (none of the matrix's users has it) is 403.
ID_NUMBER_FILE_OF_A = web(school_a=403, school_b=404, province_x=403, province_y=404, ministry=403)


@dataclass
class Rule:
    """What each role gets from this URL. `kwargs` builds the URL from the fixture's objects (always
    school A's, in province X)."""

    expect: dict
    kwargs: callable = field(default=lambda o: {})
    query: str = ""
    method: str = "get"
    data: callable = field(default=lambda o: {})


RULES: dict[str, Rule] = {
    "home": Rule(EVERY_USER),
    "login": Rule(PUBLIC),
    "logout": Rule(web(anonymous=LOGIN, school_a=LOGIN, school_b=LOGIN, province_x=LOGIN, province_y=LOGIN,
                       ministry=LOGIN), method="post"),
    "set_language": Rule(web(anonymous=302, school_a=302, school_b=302, province_x=302, province_y=302,
                             ministry=302), method="post"),  # back to the page the language was chosen on
    "healthz": Rule(PUBLIC),  # 503 only when PostgreSQL or Redis is down (tests/common/test_views.py)
    # The icon browsers ask for by themselves: to the static file, for everyone.
    "favicon": Rule(web(anonymous=301, school_a=301, school_b=301, province_x=301, province_y=301, ministry=301)),
    "schools:list": Rule(EVERY_USER),
    "schools:detail": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    # The school picker's search (JSON): each role finds the schools of its scope only.
    "schools:pick": Rule(EVERY_USER, query="?q=T"),
    "teachers:list": Rule(EVERY_USER),
    "teachers:detail": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["staff_a"].pk}),
    "teachers:edit": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["staff_a"].pk}),
    "teachers:new": Rule(ADD_TO_OWN_SCHOOL),
    # Reassignments (điều chuyển công tác): every user lists the requests of their scope (reassignment_bc: B's
    # member asked for by C, so not school A's). The answers redirect back to the list with a message saying what
    # happened, in the order of WEB_ROLES: school B releases or declines (it is the sending side), the next ones
    # are told it was answered or is not theirs to answer; school A is neither side (404).
    "teachers:reassignments": Rule(EVERY_USER),
    "teachers:reassignment_release": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302,
                                              ministry=302), kwargs=lambda o: {"pk": o["reassignment_bc"].pk},
                                          method="post"),
    "teachers:reassignment_decline": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302,
                                              ministry=302), kwargs=lambda o: {"pk": o["reassignment_bc"].pk},
                                          method="post", data=lambda o: {"reason": "Thử"}),
    # Cancelled by the receiving side (province Y, C's province); the others are told it is not theirs or done.
    "teachers:reassignment_cancel": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302,
                                             ministry=302), kwargs=lambda o: {"pk": o["reassignment_bc"].pk},
                                         method="post"),
    "students:list": Rule(EVERY_USER),
    "students:detail": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}),
    # A leaver is recorded by whoever's scope covers the pupil's school (as every write on records): school A
    # records it (302 back to the pupil); province X and the ministry, asking next, find the pupil already gone
    # (302 back to the pupil's page, with a message saying so).
    "students:withdraw": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                              kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post",
                              data=lambda o: {"status": "completed", "left_on": _school_year_started()}),
    # Deleting a record entered by mistake: whoever's scope covers the pupil gets the form back (200) when the
    # confirmation box is left unticked (nothing deleted, so every role meets the same pupil); the others 404.
    "students:delete": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post",
                            data=lambda o: {"reason": "Nhập trùng"}),
    # Taking back a pupil who is studying is refused with a message on the pupil's page (302).
    "students:readmit": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                             kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post"),
    # The edit forms: whoever's scope covers the record may write it (as an upload on the school's behalf).
    "students:edit": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}),
    # Adding needs a school: a school user's own; a province or ministry user names one (?school=), and
    # without it there is none to add to.
    "students:new": Rule(ADD_TO_OWN_SCHOOL),
    # A pupil's term result and measurement forms: whoever's scope covers the pupil's school.
    "students:result": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}),
    "students:physical": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}),
    # The class sheet and its class picker: a school user's own school; a province or ministry user names a
    # school (?school=), and without it there is none (school B sees its own class 3A, never school A's).
    "students:class_sheet_index": Rule(ADD_TO_OWN_SCHOOL),
    "students:class_sheet": Rule(ADD_TO_OWN_SCHOOL, query="?grade=3&class_name=3A&term=1"),
    # Transfers: every role follows the requests of its scope (transfer_bc: B in province X asked by C in
    # province Y, nothing of school A). Asking is for a school (a province or the ministry names one, ?school=).
    # Duplicate pupils: province and ministry staff review the pairs of their scope (dup_ab: school A's pupil
    # and one of school B, both in province X); a school cannot judge a pair (403). A merge without the record
    # to keep chosen goes back to the queue with a message (302); "not the same person" is recorded by province
    # X, after which the ministry finds the pair no longer open (404); there is no merge to undo (404).
    "students:duplicates": Rule(web(school_a=403, school_b=403, province_x=200, province_y=200, ministry=200)),
    "students:duplicate_merge": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404, ministry=302),
                                     kwargs=lambda o: {"pk": o["dup_ab"].pk}, method="post"),
    "students:duplicate_dismiss": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404,
                                           ministry=404), kwargs=lambda o: {"pk": o["dup_ab"].pk}, method="post"),
    "students:duplicate_undo": Rule(web(school_a=403, school_b=403, province_x=404, province_y=404, ministry=404),
                                    kwargs=lambda o: {"pk": o["dup_ab"].pk}, method="post"),
    "students:transfers": Rule(EVERY_USER),
    "students:transfer_new": Rule(ADD_TO_OWN_SCHOOL),
    # Answers come back to the transfers page (302), done or refused with a message saying why (the other
    # side's button, already answered); school A is neither side and does not see the request (404).
    "students:transfer_release": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302, ministry=302),
                                      kwargs=lambda o: {"pk": o["transfer_bc"].pk}, method="post"),
    "students:transfer_decline": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302, ministry=302),
                                      kwargs=lambda o: {"pk": o["transfer_bc"].pk}, method="post",
                                      data=lambda o: {"reason": "Thử"}),
    "students:transfer_cancel": Rule(web(school_a=404, school_b=302, province_x=302, province_y=302, ministry=302),
                                     kwargs=lambda o: {"pk": o["transfer_bc"].pk}, method="post"),
    # The year-end: every user opens the page of its scope (a school its own; a province or the ministry the list
    # of its schools). A commit names school A: a school's user commits its own school whatever is named (the
    # matrix's pupils have no whole-year result: nothing decided, a message, 302); province Y does not hold A.
    # Committing every school at once is for a province or the ministry. year_end_a: an empty commit of school A,
    # undone by school A; the next in scope are told it is done already (302 with the message).
    "students:year_end": Rule(EVERY_USER),
    "students:year_end_commit": Rule(web(school_a=302, school_b=302, province_x=302, province_y=404, ministry=302),
                                     method="post", data=lambda o: {"school": o["school_a"].pk}),
    "students:year_end_commit_all": Rule(web(school_a=403, school_b=403, province_x=302, province_y=302,
                                             ministry=302), method="post"),
    # The turn of the year for the whole country: the ministry's alone.
    "students:year_rollover": Rule(web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=302),
                                   method="post"),
    "students:year_end_undo": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                                   kwargs=lambda o: {"pk": o["year_end_a"].pk}, method="post"),
    "students:classes_confirm": Rule(web(school_a=302, school_b=302, province_x=302, province_y=404, ministry=302),
                                     method="post", data=lambda o: {"school": o["school_a"].pk}),
    # Identity verification: runs are started by ministry and provinces; schools land on their failures.
    "verification:runs": Rule(web(school_a=302, school_b=302, province_x=200, province_y=200, ministry=200)),
    # Starting a run for school A: schools may not start runs at all (403), nor may another province for a school
    # it does not hold (403: the school is named in the form, not the address). Province X and the ministry pass
    # those checks and find school A's run (run_a) still going for the same scope (409, not a second run).
    "verification:run_start": Rule(web(school_a=403, school_b=403, province_x=409, province_y=403, ministry=409),
                                   method="post", data=lambda o: {"school_code": o["school_a"].code}),
    "verification:run_detail": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["run_a"].pk}),
    "verification:run_progress": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["run_a"].pk}),
    # School A sees the run but may not cancel it (403); province X cancels it (302 to the run); the ministry,
    # asking next, finds it already cancelled (409).
    "verification:run_cancel": Rule(web(school_a=403, school_b=404, province_x=302, province_y=404, ministry=409),
                                    kwargs=lambda o: {"pk": o["run_a"].pk}, method="post"),
    "verification:failures": Rule(EVERY_USER),
    # The live verification block of a pupil's page (polled by htmx): an object of school A like the page.
    "verification:identity_state": Rule(OBJECT_OF_A, kwargs=lambda o: {"kind": "student", "pk": o["pupil_a"].pk}),
    # Held ID numbers: for reviewers who may see full numbers (none of the matrix's users may).
    "verification:held": Rule(web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=403)),
    # Uploads: the uploader (school A's clerk) and the users above them.
    "uploads:list": Rule(EVERY_USER),
    "uploads:new": Rule(EVERY_USER),
    "uploads:template": Rule(EVERY_USER, kwargs=lambda o: {"kind": "pupils", "fmt": "xlsx"}),
    "uploads:detail": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["upload_a"].pk}),
    "uploads:status": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["upload_a"].pk}),
    # Confirm and cancel answer with a redirect to the upload, whether the action ran or was refused (a message
    # says which); out of scope the upload does not exist.
    "uploads:confirm": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                            kwargs=lambda o: {"pk": o["upload_a"].pk}, method="post"),
    "uploads:cancel": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                           kwargs=lambda o: {"pk": o["upload_a"].pk}, method="post"),
    # The answer to a date-order question: the same (refused with a message when nothing is asked).
    "uploads:answer": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                           kwargs=lambda o: {"pk": o["upload_a"].pk}, method="post"),
    # The files of an upload hold full ID numbers: only its uploader and users with the right (none here).
    "uploads:error_file": Rule(ID_NUMBER_FILE_OF_A, kwargs=lambda o: {"pk": o["upload_a"].pk}),
    "uploads:original": Rule(ID_NUMBER_FILE_OF_A, kwargs=lambda o: {"pk": o["upload_a"].pk}),
    # Dashboards: every role gets its own scope's figures; the overview sends schools and provinces to theirs.
    "dashboards:overview": Rule(web(school_a=302, school_b=302, province_x=302, province_y=302, ministry=200)),
    # Province X's and its commune's dashboards: not within a school's scope, even school A's (404).
    "dashboards:province": Rule(web(school_a=404, school_b=404, province_x=200, province_y=404, ministry=200),
                                kwargs=lambda o: {"code": "01"}),
    "dashboards:commune": Rule(web(school_a=404, school_b=404, province_x=200, province_y=404, ministry=200),
                               kwargs=lambda o: {"code": o["school_a"].commune_id}),
    "dashboards:school": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    "dashboards:indicators": Rule(EVERY_USER),
    "dashboards:completeness": Rule(EVERY_USER),
    # Trends and flows of province X: not a school's, nor province Y's, to see.
    "dashboards:trends": Rule(web(school_a=404, school_b=404, province_x=200, province_y=404, ministry=200),
                              query="?province=01"),
    # The facilities dashboard: as the other dashboards (the country for the ministry, the others sent to theirs;
    # province X's and its commune's pages not a school's to see; school A's page an object of A).
    "dashboards:facilities": Rule(web(school_a=302, school_b=302, province_x=302, province_y=302, ministry=200)),
    "dashboards:facilities_province": Rule(web(school_a=404, school_b=404, province_x=200, province_y=404,
                                               ministry=200), kwargs=lambda o: {"code": "01"}),
    "dashboards:facilities_commune": Rule(web(school_a=404, school_b=404, province_x=200, province_y=404,
                                              ministry=200), kwargs=lambda o: {"code": o["school_a"].commune_id}),
    "dashboards:facilities_school": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    # Facilities (cơ sở vật chất): a school user's menu entry leads to their own school (others: no school of
    # theirs, 404); a school's page, its sites and forms are school A's objects; the posts answer with a redirect
    # to the school's page (the main site is never deactivated: refused with a message).
    # Reporting periods (issue 19): every user has the list and the period's page of its own scope. Actions name
    # school A (submitted by the fixture): a school acts on its own school only and may not decide (403); out of
    # scope is 404; in scope, what cannot be done (already submitted, not approved yet, the province still has a
    # report waiting) is a message on the page (302).
    "reporting:periods": Rule(EVERY_USER),
    "reporting:notifications": Rule(EVERY_USER),
    "reporting:period": Rule(EVERY_USER, kwargs=lambda o: {"pk": o["period"].pk}),
    "reporting:check": Rule(web(school_a=302, school_b=302, province_x=403, province_y=403, ministry=403),
                            kwargs=lambda o: {"pk": o["period"].pk}, method="post"),
    "reporting:explain": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                              kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                              data=lambda o: {"check": o["check_a"].pk, "note": "Trường mới thành lập"}),
    "reporting:submit": Rule(web(school_a=302, school_b=302, province_x=302, province_y=404, ministry=302),
                             kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                             data=lambda o: {"school": o["school_a"].pk}),
    "reporting:decide": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404, ministry=302),
                             kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                             data=lambda o: {"school": o["school_a"].pk, "decision": "approve"}),
    "reporting:reopen": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404, ministry=302),
                             kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                             data=lambda o: {"school": o["school_a"].pk, "reason": "Sai sĩ số"}),
    "reporting:exception": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404, ministry=302),
                                kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                data=lambda o: {"school": o["school_a"].pk, "hours": 2, "reason": "Bổ sung"}),
    "reporting:accept": Rule(web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=302),
                             kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                             data=lambda o: {"province": "01"}),
    # The national freeze is the ministry's alone (it approves school A's report and accepts its province).
    "reporting:freeze": Rule(web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=302),
                             kwargs=lambda o: {"pk": o["period"].pk}, method="post", data=lambda o: {"comment": ""}),
    "facilities:mine": Rule(web(school_a=302, school_b=302, province_x=404, province_y=404, ministry=404)),
    "facilities:school": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    "facilities:site_new": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    "facilities:site_edit": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["site_a"].pk}),
    "facilities:site_facilities": Rule(OBJECT_OF_A, kwargs=lambda o: {"pk": o["site_a"].pk}),
    "facilities:site_deactivate": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                                       kwargs=lambda o: {"pk": o["site_a"].pk}, method="post"),
    "facilities:equipment_save": Rule(web(school_a=302, school_b=404, province_x=302, province_y=404, ministry=302),
                                      kwargs=lambda o: {"pk": o["school_a"].pk}, method="post"),
    # Ministry only.
    "audit:events": Rule(MINISTRY_ONLY),
    "api:tokens": Rule(MINISTRY_ONLY),
    "api:token-revoke": Rule(web(school_a=403, school_b=403, province_x=403, province_y=403, ministry=302),
                             kwargs=lambda o: {"pk": o["token_a"].pk}, method="post"),
    # Webhooks (issue 20): ministry and provinces oversee the client systems of their scope (school A's token's
    # subscription: province Y is told it does not exist); replaying its pending ping is refused with a message (302).
    "webhooks:list": Rule(web(school_a=403, school_b=403, province_x=200, province_y=200, ministry=200)),
    "webhooks:detail": Rule(web(school_a=403, school_b=403, province_x=200, province_y=404, ministry=200),
                            kwargs=lambda o: {"pk": o["subscription_a"].pk}),
    "webhooks:replay": Rule(web(school_a=403, school_b=403, province_x=302, province_y=404, ministry=302),
                            kwargs=lambda o: {"pk": o["delivery_a"].pk}, method="post"),
}


def _school_year_started() -> str:
    """The first day of this school year: a date any leaver of this year may have."""
    return school_year_start(current_school_year()).isoformat()


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


def _transfer(objects) -> None:
    """A transfer request between two schools other than A (B in province X asked by C in province Y):
    each side, and each side's province, sees it; school A does not. (A request involving school A would
    rightly show its other side school A's name and the pupil's name, which the leak check forbids.)"""
    from students.services import transfer_request_create

    school_c, pupil_b = objects["school_c"], objects["pupil_b"]
    clerk_c = UserFactory(username="m_school_c", role=Role.SCHOOL, school=school_c)
    objects["transfer_bc"] = transfer_request_create(
        scope=Scope.for_user(clerk_c), user=clerk_c, to_school=school_c, pupil_code=pupil_b.pupil_code,
        date_of_birth=pupil_b.date_of_birth, grade=3, class_name="3A")


def _reassignment(objects) -> None:
    """A staff reassignment request between two schools other than A (B's member asked for by C), for the same
    reason as _transfer."""
    from teachers.services import staff_reassignment_request

    school_c = objects["school_c"]
    objects["staff_b"] = staff_b = make_staff(objects["school_b"])
    clerk_c = UserFactory(username="m_school_c_staff", role=Role.SCHOOL, school=school_c)
    objects["reassignment_bc"] = staff_reassignment_request(
        scope=Scope.for_user(clerk_c), user=clerk_c, to_school=school_c, staff_code=staff_b.staff_code,
        date_of_birth=staff_b.date_of_birth, position="teacher")


def _duplicate(objects) -> None:
    """A pair of possibly duplicate pupils of province X: school A's pupil and a twin entered at school B."""
    import unicodedata

    from students.duplicates import duplicates_scan_country
    from students.models import DuplicateCandidate

    pupil_a = objects["pupil_a"]
    # Typed without diacritics at school B (school B's own pupil must not carry school A's pupil's name).
    plain = "".join(c for c in unicodedata.normalize("NFD", pupil_a.full_name) if not unicodedata.combining(c))
    twin = make_student(objects["school_b"], full_name=plain.replace("đ", "d").replace("Đ", "D"),
                        date_of_birth=pupil_a.date_of_birth,
                        gender=pupil_a.gender, id_number=None)
    duplicates_scan_country()
    objects["dup_ab"] = DuplicateCandidate.objects.get(pupil_a=pupil_a, pupil_b=twin)


def _year_end(objects) -> None:
    """An empty year-end commit of school A (nothing decided), for the undo rows."""
    from students.models import YearEnd

    objects["year_end_a"] = YearEnd.objects.create(school=objects["school_a"], school_year=current_school_year())


def _site(objects) -> None:
    """School A's main site (điểm trường), for the facilities rows."""
    from facilities.models import EquipmentHolding
    from facilities.services import equipment_holdings_save, site_create, site_facilities_save

    school_a = objects["school_a"]
    objects["site_a"] = site_create(scope=Scope.country(), school=school_a, code="DTA", name="Điểm trường Anpha",
                                    kind="main", commune=school_a.commune_id)
    objects["site_facilities_a"] = site_facilities_save(scope=Scope.country(), site=objects["site_a"],
                                                        school_year=current_school_year(), pupils=30, classes=2)
    equipment_holdings_save(scope=Scope.country(), school=school_a, school_year=current_school_year(),
                            holdings=[{"item": "TH-TOAN-HINH-HOC", "quantity": 2, "working": 2}])
    objects["holding_a"] = EquipmentHolding.objects.get(school=school_a)


def _period(objects) -> None:
    """A reporting period open today, school A's report submitted (issue 19)."""
    import datetime as dt

    from django.utils import timezone

    from reporting.models import CheckResult
    from reporting.services import period_create, submission_submit

    today = timezone.localdate()
    objects["period"] = period_create(scope=Scope.country(), school_year=current_school_year(), kind="start",
                                      opens_on=today, closes_on=today, expires_on=today + dt.timedelta(days=9))
    submission_submit(scope=Scope.country(), user=None, period_id=objects["period"].pk,
                      school_id=objects["school_a"].pk)
    # The submission ran the period's checks: school A's one pupil to one teacher is a warning to explain.
    objects["check_a"] = CheckResult.objects.get(school=objects["school_a"], rule="pupil_teacher_ratio")


def _webhook(objects) -> None:
    """A subscription of school A's token (token_a) and its ping, pending (issue 20)."""
    from webhooks.services import subscription_create, subscription_ping

    objects["subscription_a"] = subscription_create(token=objects["token_a"], url="http://127.0.0.1:9/hooks",
                                                    event_types=["student.created"])
    objects["delivery_a"] = subscription_ping(subscription=objects["subscription_a"])


def _bulk_job(objects) -> None:
    """A bulk upsert job of school A's token (token_a), queued (issue 20)."""
    from uploads.services.bulk import bulk_job_create

    objects["bulk_job_a"] = bulk_job_create(user=objects["token_a"].user, token_id=objects["token_a"].pk,
                                            records="students", mode="atomic", content_kind="ndjson",
                                            body=b'{"pupil_code": "X"}\n')[0]


OBJECT_HOOKS: list = [_run_and_upload_and_token, _transfer, _reassignment, _duplicate, _year_end, _site, _period,
                      _webhook, _bulk_job]


UPLOAD_IDS = ("001316000051", "001216000052")  # female and male, born 2016 (Hà Nội)


def full_id_numbers(o) -> list[str]:
    """Full ID numbers none of the matrix's users or tokens may receive (none has the right): every
    person's, of any school, and those typed into school A's upload by another user."""
    people = [o[k] for k in ("pupil_a", "staff_a", "pupil_b", "pupil_c", "staff_b") if k in o]
    return [p.id_number for p in people if p.id_number] + list(UPLOAD_IDS) + [UPLOAD_IDS[1].lstrip("0")]


def assert_no_full_id_number(text: str, o, where) -> None:
    leaked = [n for n in full_id_numbers(o) if n in text]
    assert not leaked, (where, "full ID numbers", leaked)


def secrets_of_a(o) -> list[str]:
    """Strings that only someone who may see school A's records may ever receive."""
    return [o["pupil_a"].full_name, o["pupil_a"].pupil_code, o["pupil_a"].id_number, o["staff_a"].full_name,
            o["staff_a"].staff_code, o["school_a"].code, o["site_a"].name]


def _client_for(client, role, world):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def assert_status(response, expected, where) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/login/"), (where, response.status_code)
    else:
        assert response.status_code == expected, (where, response.status_code, expected)


@pytest.mark.parametrize("url_name", sorted(RULES))
def test_web_url_against_every_role(client, world, url_name):
    rule = RULES[url_name]
    assert set(rule.expect) == set(WEB_ROLES), url_name  # every role stated
    url = reverse(url_name, kwargs=rule.kwargs(world)) + rule.query
    for role in WEB_ROLES:
        client.logout()
        _client_for(client, role, world)
        response = getattr(client, rule.method)(url, rule.data(world))
        assert_status(response, rule.expect[role], (url, role))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        assert_no_full_id_number(text, world, (url, role))
        if not SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in text]
            assert not leaked, (url, role, leaked)


# The facilities dashboards once the statistics and standings are computed (school A's site has figures and a
# standing below level 1): each page and each of its tables exported as CSV and Excel answers every role as the
# page does, and school A's rows are in what the roles that hold A receive, never in the others'.
FACILITIES_TABLES = {
    "dashboards:facilities": ["fac_units", "fac_by_level", "fac_counts", "fac_trend", "fac_definitions"],
    "dashboards:facilities_province": ["fac_standard_met", "fac_standard_unmet", "fac_units", "fac_trend"],
    "dashboards:facilities_commune": ["fac_standard_met", "fac_standard_unmet", "fac_units", "fac_trend"],
    "dashboards:facilities_school": ["fac_school_standard", "fac_by_level", "fac_counts", "fac_trend"],
}
# The exports that list school A itself (by code) for those who see it.
NAMES_A = {("dashboards:facilities_province", "fac_standard_unmet"), ("dashboards:facilities_commune", "fac_units"),
           ("dashboards:facilities_commune", "fac_standard_unmet")}


@pytest.mark.parametrize("url_name", sorted(FACILITIES_TABLES))
def test_facilities_pages_and_exports_with_the_statistics_computed(client, world, url_name):
    stats_refresh_all()
    assert FACILITIES_TABLES.keys() == {n for n in RULES if n.startswith("dashboards:facilities")}
    rule = RULES[url_name]
    page = reverse(url_name, kwargs=rule.kwargs(world))
    for table, fmt in [(None, None)] + [(t, f) for t in FACILITIES_TABLES[url_name] for f in ("csv", "xlsx")]:
        url = page + (f"?export={fmt}&table={table}" if fmt else "")
        for role in WEB_ROLES:
            client.logout()
            _client_for(client, role, world)
            response = client.get(url)
            assert_status(response, rule.expect[role], (url, role))
            text = _readable(response)
            assert_no_full_id_number(text, world, (url, role))
            if not SEES_A[role]:
                leaked = [s for s in secrets_of_a(world) if s and s in text]
                assert not leaked, (url, role, leaked)
            elif response.status_code == 200 and fmt:
                assert not response["Content-Type"].startswith("text/html"), (url, role)  # the table, not the page
                if (url_name, table) in NAMES_A:
                    assert world["school_a"].code in text, (url, role)


def _readable(response) -> str:
    """A response's text; an Excel file's cells."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        book = load_workbook(io.BytesIO(body))
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    return body.decode(errors="replace")


# Official figures (issue 19): the dashboards with a reporting period chosen (?period=), once school A's report is
# approved and its figures frozen, answer every role as without one; the official figures are shown to the roles
# that hold A, and nothing of A reaches the others (school A's frozen pupil counts only in its scope's totals).
OFFICIAL_PAGES = ["dashboards:overview", "dashboards:province", "dashboards:commune", "dashboards:school",
                  "dashboards:facilities", "dashboards:facilities_province", "dashboards:facilities_commune",
                  "dashboards:facilities_school"]


def _approve_a(world) -> None:
    from reporting.services import submissions_approve

    stats_refresh_all()
    submissions_approve(scope=Scope.country(), user=None, period_id=world["period"].pk,
                        school_ids=[world["school_a"].pk])


@pytest.mark.parametrize("url_name", OFFICIAL_PAGES)
def test_dashboards_with_a_period_against_every_role(client, world, url_name):
    _approve_a(world)
    rule = RULES[url_name]
    url = reverse(url_name, kwargs=rule.kwargs(world)) + f"?period={world['period'].pk}"
    for export in ("", "&export=csv&table=official"):
        for role in WEB_ROLES:
            client.logout()
            _client_for(client, role, world)
            response = client.get(url + export)
            assert_status(response, rule.expect[role], (url, role))
            text = _readable(response)
            assert_no_full_id_number(text, world, (url, role))
            if not SEES_A[role]:
                leaked = [s for s in secrets_of_a(world) if s and s in text]
                assert not leaked, (url, role, leaked)
            elif response.status_code == 200 and not export:
                assert 'data-testid="official"' in text, (url, role)


# --- API: the same, with tokens of every scope, read-only and read-write --------------------

TOKEN_ROLES = ("none", "country_ro", "country_rw", "province_x_ro", "province_x_rw", "province_y_ro",
               "school_a_ro", "school_a_rw", "school_b_ro")
TOKEN_SEES_A = {"none": False, "country_ro": True, "country_rw": True, "province_x_ro": True,
                "province_x_rw": True, "province_y_ro": False, "school_a_ro": True, "school_a_rw": True,
                "school_b_ro": False}




def api(*, none=401, country_ro, country_rw, province_x_ro, province_x_rw, province_y_ro, school_a_ro, school_a_rw,
        school_b_ro) -> dict:
    """What each token gets, stated for every token ("none": no token, 401 for whatever is not public)."""
    return {"none": none, "country_ro": country_ro, "country_rw": country_rw, "province_x_ro": province_x_ro,
            "province_x_rw": province_x_rw, "province_y_ro": province_y_ro, "school_a_ro": school_a_ro,
            "school_a_rw": school_a_rw, "school_b_ro": school_b_ro}


EVERY_TOKEN = api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200, province_y_ro=200,
                  school_a_ro=200, school_a_rw=200, school_b_ro=200)
PUBLIC_API = {**EVERY_TOKEN, "none": 200}
# An object of school A: tokens whose scope does not cover it are told it does not exist.
API_OBJECT_OF_A = api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200, province_y_ro=404,
                      school_a_ro=200, school_a_rw=200, school_b_ro=404)
TRANSFER_BC = api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200, province_y_ro=200,
                  school_a_ro=404, school_a_rw=404, school_b_ro=200)
RESULT_WRITES = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=200, province_y_ro=403,
                    school_a_ro=403, school_a_rw=200, school_b_ro=403)
REPORTING_DECISION = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=409, province_y_ro=403,
                         school_a_ro=403, school_a_rw=403, school_b_ro=403)
REPORTING_NOT_APPROVED = api(country_ro=403, country_rw=409, province_x_ro=403, province_x_rw=409, province_y_ro=403,
                             school_a_ro=403, school_a_rw=403, school_b_ro=403)
# Webhooks belong to the token that subscribed (school A's token_a, none of the matrix's): any other is told no.
NOT_THEIRS = api(country_ro=404, country_rw=404, province_x_ro=404, province_x_rw=404, province_y_ro=404,
                 school_a_ro=404, school_a_rw=404, school_b_ro=404)
POST_ONLY = api(country_ro=405, country_rw=405, province_x_ro=405, province_x_rw=405, province_y_ro=405,
                school_a_ro=405, school_a_rw=405, school_b_ro=405)


@dataclass
class ApiRule:
    expect: dict | None  # None: a web page under /api/ (token management), declared in RULES
    kwargs: callable = field(default=lambda o: {})
    query: str | callable = ""  # a callable builds it from the objects
    method: str = "get"
    data: callable = field(default=lambda o: {})


API_RULES: dict[str, ApiRule] = {
    "api:schema": ApiRule(PUBLIC_API),
    "api:docs": ApiRule(PUBLIC_API),
    "api:tokens": ApiRule(None),
    "api:token-revoke": ApiRule(None),
    "api:me": ApiRule(EVERY_TOKEN),
    "api:school-list": ApiRule(EVERY_TOKEN),
    "api:school-deleted": ApiRule(EVERY_TOKEN),
    # Key changes (merges) and snapshots of the change feed (issue 20): every token, its own scope's.
    "api:school-key-changes": ApiRule(EVERY_TOKEN),
    "api:staff-key-changes": ApiRule(EVERY_TOKEN),
    "api:student-key-changes": ApiRule(EVERY_TOKEN),
    "api:snapshots": ApiRule(api(country_ro=201, country_rw=201, province_x_ro=201, province_x_rw=201,
                                 province_y_ro=201, school_a_ro=201, school_a_rw=201, school_b_ro=201),
                             method="post"),
    "api:school-detail": ApiRule(API_OBJECT_OF_A, kwargs=lambda o: {"pk": o["school_a"].pk}),
    "api:staff-list": ApiRule(EVERY_TOKEN),
    "api:staff-deleted": ApiRule(EVERY_TOKEN),
    "api:staff-detail": ApiRule(API_OBJECT_OF_A, kwargs=lambda o: {"pk": o["staff_a"].pk}),
    "api:student-list": ApiRule(EVERY_TOKEN),
    "api:student-deleted": ApiRule(EVERY_TOKEN),
    "api:student-detail": ApiRule(API_OBJECT_OF_A, kwargs=lambda o: {"pk": o["pupil_a"].pk}),
    # Pupils who left the scope's schools by transfer: every token reads its own scope's (none here).
    "api:student-transferred-out": ApiRule(EVERY_TOKEN),
    # Key changes of merged duplicates: every token reads its own scope's (none here).
    "api:student-merged": ApiRule(EVERY_TOKEN),
    # Writes: read-only tokens 403 before the pupil is looked up; the country's read-write token records the
    # leaver, the next ones (province X, school A) find the pupil already gone (400).
    "api:student-withdraw": ApiRule(api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=400,
                                        province_y_ro=403, school_a_ro=403, school_a_rw=400, school_b_ro=403),
                                    kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post",
                                    data=lambda o: {"status": "completed", "left_on": _school_year_started()}),
    # A pupil who is studying cannot be taken back (400) by any read-write token of the scope.
    "api:student-readmit": ApiRule(api(country_ro=403, country_rw=400, province_x_ro=403, province_x_rw=400,
                                       province_y_ro=403, school_a_ro=403, school_a_rw=400, school_b_ro=403),
                                   kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post"),
    # Results and measurements: read-only tokens 403 before the pupil is looked up; read-write tokens of the
    # scope write (no updated_at sent: the last writer wins).
    "api:student-results": ApiRule(RESULT_WRITES, kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post",
                                   data=lambda o: {"term": 1, "conduct_rating": "tot",
                                                   "learning_rating": "hoan_thanh"}),
    "api:student-physical": ApiRule(RESULT_WRITES, kwargs=lambda o: {"pk": o["pupil_a"].pk}, method="post",
                                    data=lambda o: {"measured_on": _school_year_started(), "height_cm": "130",
                                                    "weight_kg": "28"}),
    "api:class-results": ApiRule(RESULT_WRITES, method="post",
                                 data=lambda o: {"school": o["school_a"].pk, "grade": 3, "class_name": "3A",
                                                 "term": 1, "rows": [{"pupil_code": o["pupil_a"].pupil_code,
                                                                      "conduct_rating": "tot",
                                                                      "learning_rating": "hoan_thanh"}]}),
    # The subject catalogue is reference data, not anyone's records: the same for every token.
    "api:subject-list": ApiRule(EVERY_TOKEN),
    "api:stats-overview": ApiRule(EVERY_TOKEN),
    "api:stats-provinces": ApiRule(EVERY_TOKEN),
    # Province X's communes: beyond a school token's scope, even school A's.
    "api:stats-communes": ApiRule(api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200,
                                      province_y_ro=404, school_a_ro=404, school_a_rw=404, school_b_ro=404),
                                  kwargs=lambda o: {"code": "01"}),
    "api:stats-schools": ApiRule(EVERY_TOKEN),
    # Trends and flows of province X: beyond a school token's scope, even school A's.
    "api:stats-flows": ApiRule(api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200,
                                   province_y_ro=404, school_a_ro=404, school_a_rw=404, school_b_ro=404),
                               query="?province=01"),
    "api:stats-trends": ApiRule(api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200,
                                    province_y_ro=404, school_a_ro=404, school_a_rw=404, school_b_ro=404),
                                query="?province=01"),
    "api:stats-coverage": ApiRule(api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200,
                                      province_y_ro=404, school_a_ro=404, school_a_rw=404, school_b_ro=404),
                                  query="?province=01"),
    # The facilities indicators: as the overview; their trends of province X as the trends.
    "api:stats-facilities": ApiRule(EVERY_TOKEN),
    "api:stats-facilities-trends": ApiRule(api(country_ro=200, country_rw=200, province_x_ro=200, province_x_rw=200,
                                               province_y_ro=404, school_a_ro=404, school_a_rw=404, school_b_ro=404),
                                           query="?province=01"),
    # Transfers: both sides (and their provinces) see a request; school A is neither side of transfer_bc.
    "api:transfer-list": ApiRule(EVERY_TOKEN),
    "api:transfer-detail": ApiRule(TRANSFER_BC, kwargs=lambda o: {"pk": o["transfer_bc"].pk}),
    # Answered by POST only (tests/api/test_transfers.py): a GET is refused once the token is known.
    "api:transfer-release": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["transfer_bc"].pk}),
    "api:transfer-decline": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["transfer_bc"].pk}),
    "api:transfer-cancel": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["transfer_bc"].pk}),
    # Staff reassignments: as transfers (reassignment_bc: B's member asked for by C).
    # The year-end: proposals of school A for the tokens that hold it; commit and undo with a read-write token
    # (the country's undoes year_end_a, the next find it undone: 409).
    "api:year-end-proposals": ApiRule(API_OBJECT_OF_A, query=lambda o: f"?school={o['school_a'].pk}"),
    # The turns of the year done: counts only, the same for every token (starting one: tests/api/test_yearend.py).
    "api:year-rollover": ApiRule(EVERY_TOKEN),
    "api:year-end-commit": ApiRule(RESULT_WRITES, method="post", data=lambda o: {"school": o["school_a"].pk}),
    "api:year-end-undo": ApiRule(api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=409,
                                     province_y_ro=403, school_a_ro=403, school_a_rw=409, school_b_ro=403),
                                 kwargs=lambda o: {"pk": o["year_end_a"].pk}, method="post"),
    "api:staff-reassignment-list": ApiRule(EVERY_TOKEN),
    "api:staff-reassignment-detail": ApiRule(TRANSFER_BC, kwargs=lambda o: {"pk": o["reassignment_bc"].pk}),
    "api:staff-reassignment-release": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["reassignment_bc"].pk}),
    "api:staff-reassignment-decline": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["reassignment_bc"].pk}),
    "api:staff-reassignment-cancel": ApiRule(POST_ONLY, kwargs=lambda o: {"pk": o["reassignment_bc"].pk}),
    # Facilities: every token lists its own scope's; school A's records only for the tokens that hold it.
    "api:facilities-site-list": ApiRule(EVERY_TOKEN),
    "api:facilities-site-detail": ApiRule(API_OBJECT_OF_A, kwargs=lambda o: {"pk": o["site_a"].pk}),
    "api:facilities-site-facilities-list": ApiRule(EVERY_TOKEN),
    "api:facilities-site-facilities-detail": ApiRule(API_OBJECT_OF_A,
                                                     kwargs=lambda o: {"pk": o["site_facilities_a"].pk}),
    "api:facilities-equipment-list": ApiRule(EVERY_TOKEN),
    "api:facilities-equipment-detail": ApiRule(API_OBJECT_OF_A, kwargs=lambda o: {"pk": o["holding_a"].pk}),
    # The minimum equipment lists are reference data: the same for every token.
    "api:facilities-catalogue": ApiRule(EVERY_TOKEN),
    "api:facilities-standard": ApiRule(API_OBJECT_OF_A, query=lambda o: f"?school={o['school_a'].pk}"),
    # Reporting periods (issue 19): every token reads its own scope's submissions, rates and figures. Actions on
    # school A's submitted report: a read-only token is refused (403); the country's read-write token acts first
    # (200), then the province's finds it done (409); a school token may not decide (403).
    "api:reporting-periods": ApiRule(EVERY_TOKEN),
    "api:reporting-submissions": ApiRule(EVERY_TOKEN, kwargs=lambda o: {"pk": o["period"].pk}),
    "api:reporting-completeness": ApiRule(EVERY_TOKEN, kwargs=lambda o: {"pk": o["period"].pk}),
    "api:reporting-figures": ApiRule(EVERY_TOKEN, kwargs=lambda o: {"pk": o["period"].pk}),
    "api:reporting-not-submitted": ApiRule(EVERY_TOKEN, kwargs=lambda o: {"pk": o["period"].pk}),
    "api:reporting-checks": ApiRule(EVERY_TOKEN, kwargs=lambda o: {"pk": o["period"].pk}),
    # Running the checks on school A, explaining its warning: any read-write token that holds school A.
    "api:reporting-checks-run": ApiRule(api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=200,
                                            province_y_ro=403, school_a_ro=403, school_a_rw=200, school_b_ro=403),
                                        kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                        data=lambda o: {"school": o["school_a"].pk}),
    "api:reporting-check-explain": ApiRule(api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=200,
                                               province_y_ro=403, school_a_ro=403, school_a_rw=200, school_b_ro=403),
                                           kwargs=lambda o: {"pk": o["period"].pk, "check": o["check_a"].pk},
                                           method="post", data=lambda o: {"note": "Trường mới thành lập"}),
    "api:reporting-submit": ApiRule(api(country_ro=403, country_rw=409, province_x_ro=403, province_x_rw=409,
                                        province_y_ro=403, school_a_ro=403, school_a_rw=409, school_b_ro=403),
                                    kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                    data=lambda o: {"school": o["school_a"].pk}),
    "api:reporting-approve": ApiRule(REPORTING_DECISION, kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                     data=lambda o: {"schools": [o["school_a"].pk]}),
    "api:reporting-return": ApiRule(REPORTING_DECISION, kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                    data=lambda o: {"schools": [o["school_a"].pk], "comment": "Sai sĩ số"}),
    # Not approved yet: nothing to re-open or except (409), a school token may not (403).
    "api:reporting-reopen": ApiRule(REPORTING_NOT_APPROVED, kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                    data=lambda o: {"school": o["school_a"].pk, "reason": "Sai"}),
    "api:reporting-exception": ApiRule(REPORTING_NOT_APPROVED, kwargs=lambda o: {"pk": o["period"].pk},
                                       method="post",
                                       data=lambda o: {"school": o["school_a"].pk, "hours": 2, "reason": "Bổ sung"}),
    # Only the country accepts a province; school A's report still waits for the province (409).
    "api:reporting-accept": ApiRule(api(country_ro=403, country_rw=409, province_x_ro=403, province_x_rw=403,
                                        province_y_ro=403, school_a_ro=403, school_a_rw=403, school_b_ro=403),
                                    kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                    data=lambda o: {"province": "01"}),
    # Only the country's read-write token freezes the national figures (school A's report approved, 01 accepted).
    # Webhooks (issue 20): every token lists its own subscriptions and deliveries; another's are not found.
    "api:webhook-subscriptions": ApiRule(EVERY_TOKEN),
    "api:webhook-subscription": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["subscription_a"].pk}),
    "api:webhook-ping": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["subscription_a"].pk}, method="post"),
    "api:webhook-deliveries": ApiRule(EVERY_TOKEN),
    "api:webhook-delivery": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["delivery_a"].pk}),
    "api:webhook-replay": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["delivery_a"].pk}, method="post"),
    # Bulk upsert (issue 20): read-write tokens only (the matrix's JSON body is the wrong content type: 400); a job
    # is seen by the token that sent it only (token_a, none of the matrix's).
    "api:bulk-upsert": ApiRule(api(country_ro=403, country_rw=400, province_x_ro=403, province_x_rw=400,
                                   province_y_ro=403, school_a_ro=403, school_a_rw=400, school_b_ro=403),
                               kwargs=lambda o: {"records": "students"}, method="post"),
    "api:bulk-job": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["bulk_job_a"].pk}),
    "api:bulk-job-results": ApiRule(NOT_THEIRS, kwargs=lambda o: {"pk": o["bulk_job_a"].pk}),
    "api:reporting-freeze": ApiRule(api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=403,
                                        province_y_ro=403, school_a_ro=403, school_a_rw=403, school_b_ro=403),
                                    kwargs=lambda o: {"pk": o["period"].pk}, method="post",
                                    data=lambda o: {"comment": ""}),
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


@pytest.mark.parametrize("url_name", sorted(n for n, r in API_RULES.items() if r.expect is not None))
def test_api_url_against_every_token(client, world, url_name):
    rule = API_RULES[url_name]
    assert set(rule.expect) == set(TOKEN_ROLES), url_name  # every token stated
    url = reverse(url_name, kwargs=rule.kwargs(world)) + (rule.query(world) if callable(rule.query) else rule.query)
    tokens = _tokens(world)
    for role in TOKEN_ROLES:
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        if rule.method == "get":
            response = client.get(url, **headers)
        else:
            response = getattr(client, rule.method)(url, rule.data(world), content_type="application/json",
                                                    **headers)
        expected = rule.expect[role]
        assert response.status_code == expected, (url, role, response.status_code, expected, response.content[:300])
        if expected >= 400:
            assert "error" in response.json()
        text = response.content.decode(errors="replace")
        assert_no_full_id_number(text, world, (url, role))
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in text]
            assert not leaked, (url, role, leaked)


def test_facilities_figures_of_a_count_only_for_the_tokens_that_hold_it(client, world):
    """Figures leak as numbers, not names: school A's site (the only one with facilities rows) is counted in the
    facilities indicators of the tokens whose scope holds A, and nowhere else."""
    stats_refresh_all()
    tokens = _tokens(world)
    for role in TOKEN_ROLES[1:]:
        headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        figures = client.get(reverse("api:stats-facilities"), **headers).json()
        assert (figures["fac_sites"] or 0, figures["fac_pupils"] or 0) == ((1, 30) if TOKEN_SEES_A[role] else (0, 0)), role
        years = client.get(reverse("api:stats-facilities-trends"), **headers).json()["results"]
        assert sum(r["fac_sites"] or 0 for r in years) == (1 if TOKEN_SEES_A[role] else 0), role


OFFICIAL_ENDPOINTS = ["api:stats-overview", "api:stats-provinces", "api:stats-communes", "api:stats-schools",
                      "api:stats-facilities"]


@pytest.mark.parametrize("url_name", OFFICIAL_ENDPOINTS)
def test_official_figures_of_a_only_for_the_tokens_that_hold_it(client, world, url_name):
    """?period= on the statistics endpoints: the same answers per token as without; school A's frozen figures
    (its one pupil, approved) counted officially only by the tokens whose scope holds A."""
    _approve_a(world)
    rule = API_RULES[url_name]
    url = reverse(url_name, kwargs=rule.kwargs(world)) + f"?period={world['period'].pk}"
    tokens = _tokens(world)
    for role in TOKEN_ROLES:
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.get(url, **headers)
        assert response.status_code == rule.expect[role], (url, role, response.status_code)
        text = response.content.decode(errors="replace")
        assert_no_full_id_number(text, world, (url, role))
        if not TOKEN_SEES_A[role]:
            assert not [s for s in secrets_of_a(world) if s and s in text], (url, role)
        if response.status_code == 200:
            body = response.json()
            total = body.get("total", body)
            assert body["period"]["id"] == world["period"].pk
            assert total["coverage"]["approved"] == (1 if TOKEN_SEES_A[role] else 0), (url, role)


# A read-only token may not write, in its scope or out of it (403 before the object is looked up); a
# read-write token writes what its scope covers. A school may edit its staff and pupils but not the school's
# own record (403): that belongs to the province.
RECORD_WRITES = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=200, province_y_ro=403,
                    school_a_ro=403, school_a_rw=200, school_b_ro=403)
SCHOOL_WRITES = {**RECORD_WRITES, "school_a_rw": 403}


@pytest.mark.parametrize("url_name, obj, change, expect", [
    ("api:school-detail", "school_a", {"address": "2 Phố Thử"}, SCHOOL_WRITES),
    ("api:staff-detail", "staff_a", {"ethnicity": "Tày"}, RECORD_WRITES),
    ("api:student-detail", "pupil_a", {"ethnicity": "Tày"}, RECORD_WRITES),
    ("api:facilities-site-detail", "site_a", {"address": "Thôn Thử"}, RECORD_WRITES),
])
def test_api_writes_need_a_read_write_token_of_the_scope(client, world, url_name, obj, change, expect):
    url = reverse(url_name, kwargs={"pk": world[obj].pk})
    tokens = _tokens(world)
    for role in TOKEN_ROLES:
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.patch(url, change, content_type="application/json", **headers)
        assert response.status_code == expect[role], (url, role, response.status_code, response.content[:200])
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in response.content.decode()]
            assert not leaked, (url, role, leaked)


# Answering a transfer request (of school B, asked by school C): read-only tokens are refused before the
# request is looked up (403); the receiving side's tokens may not answer; school A's does not see it (404).
# Decline is tried first with every token, so that the request is still pending when each one tries.
TRANSFER_DECLINES = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=409, province_y_ro=403,
                        school_a_ro=403, school_a_rw=404, school_b_ro=403)


def test_api_transfer_answers_need_a_read_write_token_of_the_sending_side(client, world):
    url = reverse("api:transfer-decline", kwargs={"pk": world["transfer_bc"].pk})
    tokens = _tokens(world)
    # school_a_rw first (404), then province X's after the ministry declined (409: already answered).
    for role in ("none", "country_ro", "province_x_ro", "province_y_ro", "school_a_ro", "school_b_ro", "school_a_rw",
                 "country_rw", "province_x_rw"):
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.post(url, {"reason": "Thử"}, content_type="application/json", **headers)
        expected = 401 if role == "none" else TRANSFER_DECLINES[role]
        assert response.status_code == expected, (role, response.status_code, response.content[:200])
        assert_no_full_id_number(response.content.decode(), world, (url, role))
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in response.content.decode()]
            assert not leaked, (url, role, leaked)


# Cancelling transfer_bc: only the receiving side (school C, province Y) or the ministry may; province X's
# token holds the sending side only (403); school A's does not see it (404). The ministry's goes last.
TRANSFER_CANCELS = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=403, province_y_ro=403,
                       school_a_ro=403, school_a_rw=404, school_b_ro=403)


def test_api_transfer_cancel_needs_a_read_write_token_of_the_receiving_side(client, world):
    url = reverse("api:transfer-cancel", kwargs={"pk": world["transfer_bc"].pk})
    tokens = _tokens(world)
    for role in ("none", "country_ro", "province_x_ro", "province_y_ro", "school_a_ro", "school_b_ro", "school_a_rw",
                 "province_x_rw", "country_rw"):
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.post(url, {}, content_type="application/json", **headers)
        expected = 401 if role == "none" else TRANSFER_CANCELS[role]
        assert response.status_code == expected, (role, response.status_code, response.content[:200])
        assert_no_full_id_number(response.content.decode(), world, (url, role))
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in response.content.decode()]
            assert not leaked, (url, role, leaked)


# The same for a staff reassignment (B's member asked for by C): declined by the sending side (the ministry's
# read-write token first, then province X finds it answered), cancelled only by the receiving side (province X's
# token holds B, not C: refused).
REASSIGNMENT_CANCELS = api(country_ro=403, country_rw=200, province_x_ro=403, province_x_rw=403, province_y_ro=403,
                           school_a_ro=403, school_a_rw=404, school_b_ro=403)


@pytest.mark.parametrize("action, expect", [("decline", TRANSFER_DECLINES), ("cancel", REASSIGNMENT_CANCELS)])
def test_api_reassignment_answers_need_a_read_write_token_of_their_side(client, world, action, expect):
    url = reverse(f"api:staff-reassignment-{action}", kwargs={"pk": world["reassignment_bc"].pk})
    tokens = _tokens(world)
    for role in ("none", "country_ro", "province_x_ro", "province_y_ro", "school_a_ro", "school_b_ro", "school_a_rw",
                 "province_x_rw", "country_rw") if action == "cancel" else (
                 "none", "country_ro", "province_x_ro", "province_y_ro", "school_a_ro", "school_b_ro", "school_a_rw",
                 "country_rw", "province_x_rw"):
        headers = {} if role == "none" else {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"}
        response = client.post(url, {"reason": "Thử"}, content_type="application/json", **headers)
        expected = 401 if role == "none" else expect[role]
        assert response.status_code == expected, (role, response.status_code, response.content[:200])
        assert_no_full_id_number(response.content.decode(), world, (url, role))
        if not TOKEN_SEES_A[role]:
            leaked = [s for s in secrets_of_a(world) if s and s in response.content.decode()]
            assert not leaked, (url, role, leaked)
