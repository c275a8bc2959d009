"""API writes of results and measurements (students/api/results.py): the class sheet's rules, the
`{"error": ...}` shape, all-or-nothing for a class, and scope."""
import datetime as dt

import pytest
from django.utils import timezone

from edu_portal.common.models import current_school_year
from students.models import AcademicResult, PhysicalRecord
from tests.factories import SchoolFactory, make_student
from tests.students.test_class_sheet import GOOD

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


@pytest.fixture
def secondary(db):
    return SchoolFactory(name="Trường THCS API", level="lower_secondary", province_id="01")


@pytest.fixture
def writer(api, secondary, province_user):
    return api(province_user, f"school:{secondary.code}", write=True)


def test_one_pupil_result_and_measurement(writer, secondary):
    pupil = make_student(secondary, grade=7, class_name="7A")
    status, body = writer.post(f"/students/{pupil.pk}/results/", {"term": 1, "conduct_rating": "Tốt",
                                                                   "subject_scores": {**GOOD, "Toán": 8.5}})
    assert status == 200, body
    assert body["learning_rating"] == "tot" and body["subject_scores"]["Toán"] == 8.5
    # The stale check: a client that read nothing on file is refused now that a result exists.
    status, body = writer.post(f"/students/{pupil.pk}/results/", {"term": 1, "conduct_rating": "kha",
                                                                   "subject_scores": GOOD, "updated_at": ""})
    assert status == 409 and body["error"]["code"] == "stale"
    status, body = writer.post(f"/students/{pupil.pk}/results/", {"term": 1, "conduct_rating": "tot",
                                                                   "subject_scores": {**GOOD, "Toán": "mười"}})
    assert status == 400 and "subject_scores.Toán" in body["error"]["details"]
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    status, body = writer.post(f"/students/{pupil.pk}/physical/", {"measured_on": day, "height_cm": "135,5",
                                                                    "weight_kg": "30"})
    assert status == 200 and body["nutrition_status"] and body["bmi"] == 16.3
    status, body = writer.post(f"/students/{pupil.pk}/physical/", {"measured_on": day, "height_cm": "500",
                                                                    "weight_kg": "30"})
    assert status == 400 and "height_cm" in body["error"]["details"]
    assert PhysicalRecord.objects.get(student=pupil).height_cm == 135.5


def test_class_results_all_or_nothing(writer, secondary):
    pupils = [make_student(secondary, grade=7, class_name="7A") for _ in range(3)]
    rows = [{"pupil_code": p.pupil_code, "conduct_rating": "tot", "subject_scores": GOOD} for p in pupils]
    bad = [*rows[:2], {**rows[2], "subject_scores": {**GOOD, "Giáo dục thể chất": 7}}]
    payload = {"school": secondary.pk, "grade": 7, "class_name": "7A", "term": 2}
    status, body = writer.post("/class-results/", {**payload, "rows": bad})
    assert status == 400 and body["error"]["code"] == "invalid_rows"
    assert list(body["error"]["details"]) == [pupils[2].pupil_code]
    assert not AcademicResult.objects.filter(student__in=pupils).exists()
    status, body = writer.post("/class-results/", {**payload, "rows": rows})
    assert status == 200 and body["saved"] == 3
    assert AcademicResult.objects.filter(student__in=pupils, term=2, school_year=YEAR).count() == 3


def test_scope_and_read_only_tokens(api, secondary, school_user, province_user, school_a):
    pupil = make_student(secondary, grade=7, class_name="7A")
    other = api(school_user, f"school:{school_a.code}", write=True)
    status, body = other.post(f"/students/{pupil.pk}/results/", {"term": 1, "conduct_rating": "tot",
                                                                  "subject_scores": GOOD})
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = other.post("/class-results/", {"school": secondary.pk, "grade": 7, "class_name": "7A",
                                                  "term": 1, "rows": []})
    assert status == 400 and "school" in body["error"]["details"]
    reader = api(province_user, f"school:{secondary.code}", write=False)
    status, _body = reader.post(f"/students/{pupil.pk}/results/", {"term": 1, "conduct_rating": "tot"})
    assert status == 403
    assert not AcademicResult.objects.exists()


def test_the_same_result_sent_twice_answers_the_stored_one(writer, secondary):
    pupil = make_student(secondary, grade=7, class_name="7A")
    body = {"term": 1, "conduct_rating": "tot", "subject_scores": GOOD}
    first = writer.post(f"/students/{pupil.pk}/results/", body)
    second = writer.post(f"/students/{pupil.pk}/results/", body)
    assert first[0] == second[0] == 200 and first[1] == second[1]
