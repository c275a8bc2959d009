"""The trail's page as a list of the list component (issue 21): sorted by time (the events' ids), paged, and
downloaded as shown, in words, every ID number masked whoever reads it; a date typed wrongly refuses the
download (400) rather than export everything."""
import datetime
import re

import pytest

from accounts.models import Role
from students.models import Student
from tests.exports import read_export
from tests.factories import UserFactory, make_student, real_identity

pytestmark = pytest.mark.django_db
URL = "/audit/"


def test_the_trail_sorts_by_time_both_ways(client, ministry_user, school_a):
    make_student(school_a)
    make_student(school_a)
    client.force_login(ministry_user)
    newest_first = [v.event.pk for v in client.get(URL).context["events"]]
    assert len(newest_first) > 2 and newest_first == sorted(newest_first, reverse=True)
    page = client.get(URL, {"sort": "time", "per_page": 25})
    assert [v.event.pk for v in page.context["events"]][:5] == sorted(newest_first)[:5]
    [header] = [h for h in page.context["listing"]["headers"] if h["url"]]
    assert header["aria_sort"] == "ascending" and "sort=-time" in header["url"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_holds_the_page_in_words_with_every_number_masked(client, school_a, fmt):
    pupil = make_student(school_a, ethnicity="Kinh")
    other = real_identity(serial=515_151, gender="M", year=2014)
    Student.objects.filter(pk=pupil.pk).update(ethnicity="Tày", id_number=other["id_number"])
    client.force_login(UserFactory(username="t_ministry_full", role=Role.MINISTRY, may_view_id_numbers=True))
    response = client.get(URL, {"export": fmt, "model": "students.student"})
    assert re.search(rf'filename="nhat-ky-thay-doi_toan-quoc_[a-z-]+_\d{{4}}-\d\d-\d\d\.{fmt}"',
                     response["Content-Disposition"])
    as_of, (header, *rows) = read_export(response)
    assert as_of.startswith("Nhật ký thay đổi — phạm vi: Toàn quốc") and "Loại hồ sơ: Học sinh" in as_of
    assert header == ["Thời điểm", "Người thực hiện", "Kênh", "Mã yêu cầu", "Hành động", "Hồ sơ", "Thay đổi"]
    assert len(rows) == 2                                         # the insert and the update of the pupil
    update = next(r for r in rows if r[4] == "Sửa")
    assert update[5] == f"Học sinh {pupil.full_name} ({pupil.pupil_code})" and "Dân tộc: Kinh → Tày" in update[6]
    body = str(rows)
    assert pupil.id_number not in body and other["id_number"] not in body and "*******" in body
    if fmt == "xlsx":
        assert isinstance(rows[0][0], datetime.datetime)


def test_the_views_tab_downloads_views_only_and_a_bad_date_is_refused(client, ministry_user, school_a, school_user):
    pupil = make_student(school_a)
    client.force_login(school_user)
    client.get(f"/students/{pupil.pk}/")
    client.force_login(ministry_user)
    response = client.get(URL, {"log": "views", "export": "csv"})
    assert "ai-da-xem-so-dinh-danh_toan-quoc_" in response["Content-Disposition"]
    _as_of, (header, *rows) = read_export(response)
    assert header[-1] == "Xem gì" and [r[4] for r in rows] == ["Xem số định danh đầy đủ"]
    assert client.get(URL, {"since": "31/02/2026", "export": "xlsx"}).status_code == 400
