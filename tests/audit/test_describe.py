"""The trail's page for people: records by name, fields by label, values in words, numbers masked,
dates typed as people write them, and only the ministry."""
import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.describe import task_words
from audit.filtersets import DayOrTimeField
from audit.models import AuditEvent
from students.models import Enrollment, Student
from tests.factories import UserFactory, make_student, real_identity

pytestmark = pytest.mark.django_db
URL = "/audit/"


def _changed_pupil(school_a, school_b):
    pupil = make_student(school_a, ethnicity="Kinh")
    other = real_identity(serial=424_242, gender="M", year=2014)
    Student.objects.filter(pk=pupil.pk).update(  # a fix made straight in the database: the trail sees every door
        ethnicity="Tày", gender="M", date_of_birth=datetime.date(2014, 3, 9), id_number=other["id_number"],
        school=school_b, verification_status="mismatch", verification_mismatch_fields=["full_name"])
    Enrollment.objects.filter(student=pupil).update(provisional=True)
    return pupil, other["id_number"]


def test_changes_read_in_words_with_names_labels_and_masked_numbers(client, school_a, school_b,
                                                                      django_assert_max_num_queries):
    pupil, new_number = _changed_pupil(school_a, school_b)
    viewer = UserFactory(username="t_ministry_plain", role=Role.MINISTRY, may_view_id_numbers=False)
    client.force_login(viewer)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "Nhật ký thay đổi" in html
    [update] = [v for v in response.context["events"] if v.event.model == "students.student"
                and v.event.action == "update"]
    assert update.record == f"Học sinh {pupil.full_name} ({pupil.pupil_code})"
    assert update.action == "Sửa" and update.record_url == reverse("students:detail", args=[pupil.pk])
    changes = {c.label: (c.before, c.after) for c in update.changes}
    assert changes["Dân tộc"] == ("Kinh", "Tày")
    assert changes["Trường sai lệch"] == ("—", "họ và tên")            # the registry's field names in words
    assert changes["Giới tính"] == ("Nữ", "Nam")                     # choices by their labels
    assert changes["Ngày sinh"][1] == "09/03/2014"                   # dd/mm/yyyy
    assert changes["Trường"] == (f"{school_a.name} ({school_a.code})", f"{school_b.name} ({school_b.code})")
    before, after = changes["Số định danh cá nhân"]
    assert (before, after) == (pupil.id_number[:3] + "*******" + pupil.id_number[-2:],
                               new_number[:3] + "*******" + new_number[-2:])
    [enrolled] = [v for v in response.context["events"] if v.event.model == "students.enrollment"
                  and v.event.action == "update"]
    assert enrolled.record == f"Ghi danh của {pupil.full_name} ({pupil.pupil_code})"
    assert ("Không", "Có") in [(c.before, c.after) for c in enrolled.changes]  # booleans in words
    table = html.split('data-testid="audit-table"', 1)[1]
    assert "students.student" not in table and "id_number" not in table and "school_id" not in table
    assert "full_name" not in table
    # Never a full number: neither the page (the insert's row included) nor its export.
    assert pupil.id_number not in html and new_number not in html
    csv_text = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert pupil.id_number not in csv_text and new_number not in csv_text


def test_a_full_number_stays_masked_whoever_reads_the_trail(client, school_a, school_b):
    pupil, new_number = _changed_pupil(school_a, school_b)
    client.force_login(UserFactory(username="t_ministry_full", role=Role.MINISTRY, may_view_id_numbers=True))
    html = client.get(URL).content.decode()
    assert pupil.id_number not in html and new_number not in html
    # Reading the trail is not a showing of numbers: nothing was added to "ai đã xem".
    assert not AuditEvent.objects.filter(action__in=["view_id", "export_id"]).exists()


def test_showings_of_numbers_have_their_own_tab(client, school_a, school_user, ministry_user):
    pupil = make_student(school_a)
    client.force_login(school_user)
    client.get(f"/students/{pupil.pk}/")
    client.force_login(ministry_user)
    changes = client.get(URL).context["events"]
    assert changes and {v.event.action for v in changes} <= {"insert", "update", "delete"}
    response = client.get(URL, {"log": "views"})
    [seen] = response.context["events"]
    assert seen.event.action == "view_id" and seen.action == "Xem số định danh đầy đủ"
    assert seen.record == f"Học sinh {pupil.full_name} ({pupil.pupil_code})" and seen.actor == "t_school_a"
    assert 'aria-current="page"' in response.content.decode()


@pytest.mark.parametrize(("typed", "expected", "has_time"), [
    ("04/12/2026", datetime.datetime(2026, 12, 4), False),
    ("4/12/2026", datetime.datetime(2026, 12, 4), False),
    ("2026-12-04", datetime.datetime(2026, 12, 4), False),
    (" 04/12/2026  14:30 ", datetime.datetime(2026, 12, 4, 14, 30), True),
    ("2026-12-04 14:30", datetime.datetime(2026, 12, 4, 14, 30), True),
])
def test_dates_are_read_as_people_write_them(typed, expected, has_time):
    moment, timed = DayOrTimeField().clean(typed)
    assert (timezone.localtime(moment).replace(tzinfo=None), timed) == (expected, has_time)


@pytest.mark.parametrize("typed", ["31/02/2026", "12/31/2026", "hôm qua", "2026-13-01", "04/12/26"])
def test_a_date_that_is_not_one_is_refused_with_a_message(client, ministry_user, school_a, typed):
    make_student(school_a)
    client.force_login(ministry_user)
    response = client.get(URL, {"since": typed})
    assert response.status_code == 200 and not response.context["events"]   # not silently ignored
    html = response.content.decode()
    assert 'data-testid="filter-invalid"' in html and "dd/mm/yyyy" in html
    assert client.get(URL, {"since": typed, "format": "csv"}).status_code == 400


def test_a_day_range_includes_its_last_day(client, ministry_user, school_a):
    make_student(school_a)
    client.force_login(ministry_user)
    today, tomorrow = timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)
    assert client.get(URL, {"since": f"{today:%d/%m/%Y}", "until": f"{today:%d/%m/%Y}"}).context["events"]
    assert not client.get(URL, {"since": f"{tomorrow:%d/%m/%Y}"}).context["events"]
    assert not client.get(URL, {"until": f"{today:%Y-%m-%d} 00:00"}).context["events"]


def test_pickers_offer_kinds_of_records_and_users_by_name(client, ministry_user, province_user):
    client.force_login(ministry_user)
    html = client.get(URL).content.decode()
    assert '<option value="students.student">Học sinh</option>' in html
    assert 'list="audit-users"' in html and '<option value="t_hanoi">' in html
    assert 'name="record"' in html and 'type="hidden" name="record"' in html  # no internal id typed by hand


def test_only_the_ministry_reads_the_trail(client, province_user, school_user):
    """No province or school reads the trail: it names every province's records and who read them."""
    for user in (province_user, school_user):
        client.force_login(user)
        for query in ({}, {"log": "views"}, {"format": "csv"}):
            assert client.get(URL, query).status_code == 403


def test_tasks_read_as_what_they_do():
    assert task_words("uploads.tasks.upload_commit_task#123") == "Tải lên #123"
    assert task_words("verification.tasks.verify_records") == "Xác thực theo lô"
    assert task_words("students.duplicates_scan_pupils") == "Tìm hồ sơ nghi trùng"
    assert task_words("dashboards.refresh_schools") == "Cập nhật số liệu thống kê"
    assert task_words("mystery.do_it") == "Tác vụ nền (mystery.do_it)"


def test_an_upload_task_is_named_with_its_upload_and_its_user(client, ministry_user, school_a, school_user):
    pupil = make_student(school_a)
    AuditEvent.objects.create(actor_id=school_user.pk, actor="uploads.tasks.upload_commit_task#77", door="upload",
                              action="update", model="students.student", record_id=pupil.pk,
                              before={"ethnicity": "Kinh"}, after={"ethnicity": "Mường"}, changed_fields=["ethnicity"])
    client.force_login(ministry_user)
    [view] = [v for v in client.get(URL).context["events"] if v.event.actor.startswith("uploads.")]
    assert (view.actor, view.actor_detail, view.actor_url) == ("Tải lên #77", "thay mặt t_school_a", "/uploads/77/")


def test_the_export_of_the_views_tab_holds_only_views(client, ministry_user, school_a, school_user):
    pupil = make_student(school_a)
    client.force_login(school_user)
    client.get(f"/students/{pupil.pk}/")
    client.force_login(ministry_user)
    response = client.get(URL, {"log": "views", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["view_id"]


def test_the_trail_reads_in_english_too(client, ministry_user, school_a):
    pupil = make_student(school_a, ethnicity="Kinh")
    Student.objects.filter(pk=pupil.pk).update(gender="M")
    client.cookies["django_language"] = "en"
    client.force_login(ministry_user)
    response = client.get(URL)
    html = response.content.decode()
    assert "Change log" in html and "Record changes" in html and "Who viewed ID numbers" in html
    [update] = [v for v in response.context["events"] if v.event.action == "update"
                and v.event.model == "students.student"]
    assert ("Gender", "Female", "Male") in [(c.label, c.before, c.after) for c in update.changes]
    assert update.record == f"Pupil {pupil.full_name} ({pupil.pupil_code})"
    response = client.get(URL, {"since": "31/02/2026"})
    assert "Invalid date: enter it as dd/mm/yyyy" in response.content.decode()
