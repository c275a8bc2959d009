"""Leavers (issue 15): a pupil who drops out, completes the programme, dies or moves abroad keeps the
record and the enrollment history, and leaves the school's statistics; the school may take them back.
Services, the API (POST /api/v1/students/<id>/withdraw/, /readmit/) and the pupil's page."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.scope import Scope
from api.services import api_token_create
from audit.models import AuditEvent
from dashboards.models import SchoolStats
from dashboards.services import stats_refresh_schools
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from schools.selectors import scope_parse
from students.models import EnrollmentStatus, Student
from students.services import school_year_start, student_readmit, student_withdraw
from tests import queued
from tests.api.conftest import ApiClient
from tests.factories import make_student

pytestmark = pytest.mark.django_db



def school_scope(school) -> Scope:
    return Scope("school", school_id=school.pk, province_code=school.province_id)


def today() -> dt.date:
    return timezone.localdate()


def this_year_stats(school) -> SchoolStats:
    stats_refresh_schools(school_ids=[school.pk])
    return SchoolStats.objects.get(school=school, school_year=current_school_year())


# --- services -------------------------------------------------------------------------------------

def test_a_dropout_keeps_the_record_and_history_and_leaves_the_statistics(school_a,
                                                                          django_capture_on_commit_callbacks):
    pupil, classmate = make_student(school_a), make_student(school_a)
    assert this_year_stats(school_a).pupils == 2
    before = Student.objects.get(pk=pupil.pk).updated_at
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = student_withdraw(scope=school_scope(school_a), student=pupil, status="dropped_out",
                                      left_on=today(), reason="  Hoàn cảnh   gia đình khó khăn ")

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.left_on, enrollment.leave_reason) == (
        EnrollmentStatus.DROPPED_OUT, today(), "Hoàn cảnh gia đình khó khăn")
    assert Student.objects.filter(pk=pupil.pk).exists()  # not deleted: the history stays
    # Clients syncing with updated_since see the pupil again (the detail carries the history).
    assert Student.objects.get(pk=pupil.pk).updated_at > before
    # The school's figures are refreshed after the commit, by the one task every write uses...
    assert ("dashboards.refresh_schools", [[school_a.pk]], {}) in queued.queued_tasks()
    queued.clear()
    # ...and count the pupil as a dropout, no longer as studying.
    stats = this_year_stats(school_a)
    assert (stats.pupils, stats.enrol_dropped_out) == (1, 1)
    # The audit trail has the change with its fields (PostgreSQL triggers on the enrollment table).
    event = AuditEvent.objects.filter(model="students.enrollment", action="update", record_id=enrollment.pk).get()
    assert {"status", "left_on", "leave_reason"} <= set(event.changed_fields)
    assert event.after["status"] == "dropped_out"
    assert classmate.enrollments.get().status == EnrollmentStatus.STUDYING


@pytest.mark.parametrize("status, column", [("completed", "enrol_completed"), ("deceased", "enrol_deceased"),
                                            ("moved_abroad", "enrol_moved_abroad")])
def test_other_leavers_need_no_reason_and_have_their_own_figure(school_a, status, column):
    pupil = make_student(school_a)
    student_withdraw(scope=school_scope(school_a), student=pupil, status=status, left_on=today())
    assert pupil.enrollments.get().status == status
    stats = this_year_stats(school_a)
    assert (stats.pupils, getattr(stats, column)) == (0, 1)


@pytest.mark.parametrize("change, field, words", [
    ({"status": "studying"}, "status", "không hợp lệ"),
    ({"status": "gone"}, "status", "không hợp lệ"),
    ({"reason": ""}, "reason", "cần ghi lý do"),
    ({"reason": "x" * 201}, "reason", "200 ký tự"),
    ({"left_on": "after the year"}, "left_on", "quá xa"),
    ({"left_on": "before the year"}, "left_on", "ngày bắt đầu năm học"),
])
def test_bad_input_is_refused_in_words_and_writes_nothing(school_a, change, field, words):
    pupil = make_student(school_a)
    dates = {"after the year": school_year_start(current_school_year() + 1),
             "before the year": school_year_start(current_school_year()) - dt.timedelta(days=1)}
    args = {"status": "dropped_out", "left_on": today(), "reason": "Nghỉ ở nhà"} | change
    args["left_on"] = dates.get(args["left_on"], args["left_on"])
    with pytest.raises(AppError) as refused:
        student_withdraw(scope=school_scope(school_a), student=pupil, **args)
    assert field in refused.value.details and words in refused.value.message
    enrollment = pupil.enrollments.get()
    assert (enrollment.status, enrollment.left_on, enrollment.leave_reason) == ("studying", None, "")


def test_a_leaver_cannot_leave_twice(school_a):
    pupil = make_student(school_a)
    student_withdraw(scope=school_scope(school_a), student=pupil, status="moved_abroad", left_on=today())
    with pytest.raises(AppError) as refused:
        student_withdraw(scope=school_scope(school_a), student=pupil, status="dropped_out", left_on=today(),
                         reason="Bỏ học")
    assert refused.value.code == "already_left" and "Chuyển ra nước ngoài" in refused.value.message
    assert pupil.enrollments.get().status == "moved_abroad"


def test_only_a_scope_covering_the_school_records_a_leaver(school_a, school_b, school_other_province):
    pupil = make_student(school_a)
    for scope in (school_scope(school_b), Scope("province", province_code="79")):
        with pytest.raises(NotInScope):
            student_withdraw(scope=scope, student=pupil, status="completed", left_on=today())
        with pytest.raises(NotInScope):
            student_readmit(scope=scope, student=pupil)
    # The province of the school may, as for every write on its schools' records.
    student_withdraw(scope=Scope("province", province_code="01"), student=pupil, status="completed",
                     left_on=today())
    assert pupil.enrollments.get().status == "completed"


def test_a_leaver_of_this_year_is_taken_back_into_the_same_enrollment(school_a):
    pupil = make_student(school_a)
    student_withdraw(scope=school_scope(school_a), student=pupil, status="dropped_out", left_on=today(),
                     reason="Đi làm")
    student_readmit(scope=school_scope(school_a), student=pupil)
    enrollment = pupil.enrollments.get()
    assert (enrollment.status, enrollment.left_on, enrollment.leave_reason) == ("studying", None, "")
    assert this_year_stats(school_a).pupils == 1
    with pytest.raises(AppError) as refused:
        student_readmit(scope=school_scope(school_a), student=pupil)  # studying: nothing to take back
    assert refused.value.code == "not_a_leaver"


def test_a_leaver_of_an_earlier_year_comes_back_in_a_new_enrollment(school_a):
    last_year = current_school_year() - 1
    pupil = make_student(school_a, school_year=last_year, grade=3, class_name="3A")
    student_withdraw(scope=school_scope(school_a), student=pupil, status="dropped_out",
                     left_on=school_year_start(last_year) + dt.timedelta(days=40), reason="Ốm dài ngày")
    with pytest.raises(AppError) as refused:
        student_readmit(scope=school_scope(school_a), student=pupil)
    assert refused.value.code == "class_required"
    student_readmit(scope=school_scope(school_a), student=pupil, grade=3, class_name="3B")
    history = list(pupil.enrollments.order_by("school_year").values_list("school_year", "status", "class_name"))
    # The year they left stays in the history as it was.
    assert history == [(last_year, "dropped_out", "3A"), (last_year + 1, "studying", "3B")]


# --- API ------------------------------------------------------------------------------------------

@pytest.fixture
def api(db):
    """api(user, "school:<code>", write=False) -> a client holding a fresh token (as tests/api/ does)."""

    def _api(user, scope: str, *, write: bool = False) -> ApiClient:
        return ApiClient(api_token_create(user=user, name="leavers", scope=scope_parse(scope), can_write=write)[1])

    return _api


def test_api_withdraw_answers_with_the_history_and_the_feed_carries_it(api, school_user, school_a):
    pupil = make_student(school_a)
    client = api(school_user, f"school:{school_a.code}", write=True)
    since = timezone.now().isoformat()
    status, body = client.post(f"/students/{pupil.pk}/withdraw/",
                               {"status": "dropped_out", "left_on": today().isoformat(), "reason": "Đi làm xa"})
    assert status == 200, body
    [enrollment] = body["enrollments"]
    assert (enrollment["status"], enrollment["left_on"], enrollment["leave_reason"]) == (
        "dropped_out", today().isoformat(), "Đi làm xa")
    # The pupil is still there, and the incremental feed brings the change to clients that sync.
    status, detail = client.get(f"/students/{pupil.pk}/")
    assert status == 200 and detail["enrollments"][0]["status"] == "dropped_out"
    status, feed = client.get("/students/", {"updated_since": since})
    assert [row["id"] for row in feed["results"]] == [pupil.pk]

    status, body = client.post(f"/students/{pupil.pk}/readmit/", {})
    assert status == 200 and body["enrollments"][0]["status"] == "studying"
    assert body["enrollments"][0]["left_on"] is None


@pytest.mark.parametrize("data, field", [
    ({"status": "studying", "left_on": "2026-09-10"}, "status"),
    ({"status": "dropped_out"}, "left_on"),
    ({"status": "dropped_out", "left_on": "10/09/2026"}, "left_on"),
    ({"status": "dropped_out", "left_on": "today"}, "reason"),
    ({"status": "completed", "left_on": "years ahead"}, "left_on"),
])
def test_api_bad_input_is_a_400_naming_the_field(api, school_user, school_a, data, field):
    pupil = make_student(school_a)
    days = {"today": today(), "years ahead": school_year_start(current_school_year() + 3)}
    data = {k: (days[v].isoformat() if v in days else v) for k, v in data.items()}
    status, body = api(school_user, f"school:{school_a.code}", write=True).post(
        f"/students/{pupil.pk}/withdraw/", data)
    assert status == 400, body
    assert field in body["error"]["details"], body
    assert pupil.enrollments.get().status == "studying"


def test_api_withdraw_needs_a_write_token_of_the_scope(api, school_user, school_user_b, school_a, school_b):
    pupil = make_student(school_a)
    data = {"status": "completed", "left_on": today().isoformat()}
    status, body = api(school_user, f"school:{school_a.code}").post(f"/students/{pupil.pk}/withdraw/", data)
    assert status == 403 and "error" in body
    status, body = api(school_user_b, f"school:{school_b.code}", write=True).post(
        f"/students/{pupil.pk}/withdraw/", data)
    assert status == 404 and pupil.pupil_code not in str(body)
    assert pupil.enrollments.get().status == "studying"


# --- the pupil's page -----------------------------------------------------------------------------

def test_the_school_records_a_leaver_on_the_pupils_page(client, school_user, school_a):
    pupil = make_student(school_a)
    client.force_login(school_user)
    page = client.get(reverse("students:detail", args=[pupil.pk])).content.decode()
    assert 'data-testid="leave-form"' in page and "Cho thôi học" in page

    # A dropout without a reason: the page comes back with the error next to the field.
    url = reverse("students:withdraw", args=[pupil.pk])
    response = client.post(url, {"status": "dropped_out", "left_on": today().isoformat(), "reason": ""})
    assert response.status_code == 200
    assert 'data-testid="field-error-reason"' in response.content.decode()
    assert pupil.enrollments.get().status == "studying"

    response = client.post(url, {"status": "dropped_out", "left_on": today().isoformat(),
                                 "reason": "Theo gia đình đi làm ăn xa"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Bỏ học" in page and "Theo gia đình đi làm ăn xa" in page and today().strftime("%d/%m/%Y") in page
    assert 'data-testid="leave-form"' not in page and 'data-testid="readmit-form"' in page

    # A second, stale form: refused with a message, nothing changed.
    response = client.post(url, {"status": "completed", "left_on": today().isoformat()}, follow=True)
    assert "đã rời trường" in response.content.decode()
    assert pupil.enrollments.get().status == "dropped_out"

    response = client.post(reverse("students:readmit", args=[pupil.pk]), follow=True)
    assert "được tiếp nhận lại" in response.content.decode()
    assert pupil.enrollments.get().status == "studying"


def test_the_page_keeps_scope_and_masking(client, school_user_b, province_user, school_a):
    pupil = make_student(school_a)
    client.force_login(school_user_b)
    url = reverse("students:withdraw", args=[pupil.pk])
    assert client.post(url, {"status": "completed", "left_on": today().isoformat()}).status_code == 404
    assert pupil.enrollments.get().status == "studying"
    # The province sees the pupil (masked) and may record the leaver, as it may every write of its schools;
    # the page shown back with an error masks the number too.
    client.force_login(province_user)
    response = client.post(url, {"status": "completed", "left_on": dt.date(today().year + 2, 1, 1).isoformat()})
    text = response.content.decode()
    assert response.status_code == 200 and "Muộn nhất" in text
    assert pupil.id_number not in text


def test_a_pupil_who_came_by_transfer_cannot_leave_before_the_day_they_came(school_a, school_b):
    pupil = make_student(school_a)
    from students.services import student_transfer

    student_transfer(scope=Scope.country(), student=pupil, to_school=school_b, grade=3, class_name="3B")
    pupil.refresh_from_db()
    with pytest.raises(AppError) as refused:
        student_withdraw(scope=school_scope(school_b), student=pupil, status="completed",
                         left_on=today() - dt.timedelta(days=1))
    assert "left_on" in refused.value.details and "ngày chuyển đến" in refused.value.message


def test_a_leaver_may_be_recorded_ahead_of_the_day_within_the_school_year(school_a):
    pupil = make_student(school_a)
    ahead = min(today() + dt.timedelta(days=10), school_year_start(current_school_year() + 1) - dt.timedelta(days=1))
    student_withdraw(scope=school_scope(school_a), student=pupil, status="completed", left_on=ahead)
    enrollment = pupil.enrollments.get()
    assert (enrollment.status, enrollment.left_on) == ("completed", ahead)
