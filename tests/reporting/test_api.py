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
