"""/api/v1/reporting/: one period through tokens of every level; an edit after approval refused in the API's
error shape with its reason; rates and official figures beside live ones (issue 19)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from edu_portal.common.models import current_school_year
from tests.api.conftest import api, make_token  # noqa: F401 - fixtures
from tests.api.test_records import pupil_payload
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db


def test_a_period_through_the_api(api, ministry_user, province_user, province_user_y, school_a, school_b,  # noqa: F811
                                  school_other_province):
    make_student(school_a)
    ministry = api(ministry_user, "country", write=True)
    today = timezone.localdate()
    status, period = ministry.post("/reporting/periods/", {
        "school_year": current_school_year(), "kind": "start", "opens_on": str(today),
        "closes_on": str(today + dt.timedelta(days=3)), "expires_on": str(today + dt.timedelta(days=20))})
    assert status == 201, period
    pk = period["id"]
    status, body = api(province_user, "province:01", write=True).post("/reporting/periods/", {
        "school_year": 2031, "kind": "end", "opens_on": str(today), "closes_on": str(today),
        "expires_on": str(today)})
    assert status == 403 and body["error"]["code"] == "forbidden"

    officer = UserFactory(username="t_api_id", role="province", province_id="01", may_view_id_numbers=True)
    school_token = api(officer, f"school:{school_a.code}", write=True)
    assert school_token.post(f"/reporting/periods/{pk}/submit/", {"school": school_a.pk})[0] == 200
    assert school_token.post(f"/reporting/periods/{pk}/submit/", {"school": school_b.pk})[0] == 404
    province = api(province_user, "province:01", write=True)
    assert province.post(f"/reporting/periods/{pk}/submit/", {"school": school_b.pk})[0] == 200
    status, body = province.post(f"/reporting/periods/{pk}/return/", {"schools": [school_b.pk], "comment": ""})
    assert status == 400 and body["error"]["code"] == "invalid"
    assert province.post(f"/reporting/periods/{pk}/return/", {"schools": [school_b.pk], "comment": "Thiếu lớp"})[0] == 200
    status, body = province.post(f"/reporting/periods/{pk}/approve/", {"schools": [school_a.pk]})
    assert status == 200 and body == {"approved": 1}

    # After approval the school's pupils cannot be written, through the API either, and it is told why.
    status, body = api(officer, "province:01", write=True).post("/students/", pupil_payload(school_a))
    assert status == 409 and body["error"]["code"] == "period_locked"
    assert school_a.code in body["error"]["message"] and body["error"]["details"]["lock"]["domain"] == "enrollment"

    status, body = ministry.get(f"/reporting/periods/{pk}/completeness/")
    assert status == 200
    hanoi = next(a for a in body["areas"] if a["area"] == "01")
    assert (hanoi["schools"], hanoi["submitted"], hanoi["on_time"], hanoi["approved"], hanoi["returned"]) == (
        2, 2, 2, 1, 1)
    assert hanoi["reporting_rate"] == 1.0
    saigon = next(a for a in body["areas"] if a["area"] == "79")
    assert saigon["submitted"] == 0 and saigon["reporting_rate"] == 0.0

    status, body = ministry.get(f"/reporting/periods/{pk}/figures/", {"metrics": "pupils"})
    assert status == 200
    hanoi = next(a for a in body["areas"] if a["area"] == "01")
    assert hanoi["official_pupils"] == 1 and hanoi["official_schools"] == 1
    status, body = ministry.get(f"/reporting/periods/{pk}/figures/", {"metrics": "pupils,nonsense"})
    assert status == 400 and body["error"]["details"]["metrics"] == ["nonsense"]

    status, body = ministry.post(f"/reporting/periods/{pk}/accept/", {"province": "01"})
    assert status == 200 and body["province"] == "01"
    # A province token sees its own schools' submissions only.
    status, body = api(province_user_y, "province:79").get(f"/reporting/periods/{pk}/submissions/")
    assert status == 200 and body == []


def test_validation_results_through_the_api(api, ministry_user, province_user, province_user_y, school_a,  # noqa: F811
                                            school_b):
    from accounts.scope import Scope
    from reporting import services
    from tests.factories import make_staff

    make_staff(school_a)
    for _ in range(36):
        make_student(school_a, grade=3, class_name="3A")
    today = timezone.localdate()
    period = services.period_create(scope=Scope.country(), school_year=current_school_year(), kind="start",
                                    opens_on=today, closes_on=today, expires_on=today + dt.timedelta(days=9))
    school = api(province_user, f"school:{school_a.code}", write=True)
    status, found = school.post(f"/reporting/periods/{period.pk}/checks/run/", {"school": school_a.pk})
    assert status == 200
    size = next(c for c in found if c["rule"] == "class_size")
    assert size["blocking"] and size["status"] == "open" and size["items"] == [
        {"item": "3A", "value": "36", "limit": "35", "text": "Lớp 3A có 36 học sinh (tối đa 35)."}]
    # Another school is not the token's to check; a read-only token runs nothing.
    assert school.post(f"/reporting/periods/{period.pk}/checks/run/", {"school": school_b.pk})[0] == 404
    assert api(province_user, "province:01").post(f"/reporting/periods/{period.pk}/checks/run/",
                                                  {"school": school_a.pk})[0] == 403

    # The province reads the data-quality report of its schools; another province sees none of them.
    status, rows = api(province_user, "province:01").get(f"/reporting/periods/{period.pk}/checks/", {"status": "open"})
    assert status == 200 and {r["rule"] for r in rows} >= {"class_size"} and {r["school"] for r in rows} == {school_a.pk}
    assert api(province_user_y, "province:79").get(f"/reporting/periods/{period.pk}/checks/")[1] == []
    status, body = school.get(f"/reporting/periods/{period.pk}/checks/", {"status": "nonsense"})
    assert status == 400 and "error" in body

    # A blocking rule is corrected, not explained; a check of another period is not found (and not written).
    status, body = school.post(f"/reporting/periods/{period.pk}/checks/{size['id']}/explain/", {"note": "Lớp ghép"})
    assert status == 409 and body["error"]["code"] == "blocking"
    status, body = school.post(f"/reporting/periods/{period.pk + 1}/checks/{size['id']}/explain/", {"note": "x"})
    assert status == 404

    status, body = api(ministry_user, "country").get(f"/reporting/periods/{period.pk}/not-submitted/")
    assert status == 200 and school_a.pk in {s["id"] for s in body["schools"]}
