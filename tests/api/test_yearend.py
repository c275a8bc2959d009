"""The year-end through the API: proposals by pupil code, commit and undo with a write token, the
token's scope and read-only tokens refused."""
import datetime as dt

import pytest

from students.models import AcademicResult, Enrollment, Term
from tests.factories import make_student

YEAR = 2025


def _pupil(school, grade, learning):
    pupil = make_student(school, grade=grade, class_name=f"{grade}A", school_year=YEAR,
                         date_of_birth=dt.date(YEAR - 5 - grade, 2, 2), id_number=None)
    AcademicResult.objects.create(student=pupil, school=school, school_year=YEAR, term=Term.WHOLE_YEAR,
                                  learning_rating=learning, conduct_rating="dat")
    return pupil


def test_proposals_commit_and_undo(api, province_user, school_a):
    up = _pupil(school_a, 3, "hoan_thanh")
    summer = _pupil(school_a, 4, "chua_hoan_thanh")
    writer = api(province_user, "province:01", write=True)
    status, body = writer.get("/year-end/", {"school": school_a.pk, "school_year": YEAR})
    assert status == 200
    assert {(r["pupil_code"], r["outcome"]) for r in body} == {(up.pupil_code, "promoted"),
                                                                (summer.pupil_code, "summer")}
    assert all("id_number" not in r for r in body)
    status, body = writer.post("/year-end/commit/", {"school": school_a.pk, "school_year": YEAR})
    assert status == 200 and body["decided"] == {"promoted": 1}
    assert Enrollment.objects.get(student=up, school_year=YEAR + 1).grade == 4
    status, body = writer.post(f"/year-end/{body['year_end']}/undo/", {})
    assert status == 200 and body["undone_at"]
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()


def test_scope_and_read_only(api, province_user, province_user_y, school_a):
    _pupil(school_a, 3, "hoan_thanh")
    reader = api(province_user, "province:01")
    status, _body = reader.post("/year-end/commit/", {"school": school_a.pk, "school_year": YEAR})
    assert status == 403
    other = api(province_user_y, "province:79", write=True)
    status, body = other.post("/year-end/commit/", {"school": school_a.pk, "school_year": YEAR})
    assert status == 400 and "school" in body["error"]["details"]
    status, body = other.get("/year-end/", {"school": school_a.pk})
    assert status == 404 and "error" in body
    status, body = other.get("/year-end/", {"school": "x"})
    assert status == 400 and "error" in body
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()


@pytest.mark.django_db(transaction=True)
def test_the_countrys_write_token_turns_the_year_through_a_worker(api, ministry_user, province_user, school_a):
    import time

    from students.models import YearRollover
    from tests.processes import thread_worker

    up = _pupil(school_a, 3, "hoan_thanh")
    status, body = api(province_user, "province:01", write=True).post("/year-end/rollover/", {"school_year": YEAR})
    assert status == 403 and "error" in body  # a province does not turn the country's year
    status, body = api(ministry_user, "country").post("/year-end/rollover/", {"school_year": YEAR})
    assert status == 403  # read-only
    writer = api(ministry_user, "country", write=True)
    status, body = writer.post("/year-end/rollover/", {"school_year": 2100})
    assert status == 409 and "school_year" in body["error"]["details"]
    with thread_worker():
        status, body = writer.post("/year-end/rollover/", {"school_year": YEAR})
        assert status == 202 and body == {"school_year": YEAR, "queued": True}
        deadline = time.monotonic() + 60
        while not YearRollover.objects.filter(school_year=YEAR, finished_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the rollover did not run"
            time.sleep(0.2)
    assert Enrollment.objects.get(student=up, school_year=YEAR + 1).grade == 4
    status, body = writer.get("/year-end/rollover/")
    assert status == 200 and body[0]["school_year"] == YEAR and body[0]["counts"] == {"promoted": 1}
