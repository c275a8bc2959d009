"""The reporting periods and the notifications as lists of the list component (issue 21): sorted by their
columns, paged, exported as shown; a user's notifications are their own, and a download marks none read."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.models import current_school_year, school_year_label
from reporting import services
from reporting.models import Notification
from tests.exports import read_export

pytestmark = pytest.mark.django_db


def test_the_periods_sort_by_their_dates_and_export(client, period, ministry_user, school_user):
    today = timezone.localdate()
    later = services.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(), kind="end",
                                   opens_on=today + dt.timedelta(days=60), closes_on=today + dt.timedelta(days=70),
                                   expires_on=today + dt.timedelta(days=90))
    client.force_login(school_user)
    assert [p.pk for p in client.get("/reporting/", {"sort": "-closes"}).context["page"]] == [later.pk, period.pk]
    page = client.get("/reporting/", {"sort": "closes"})
    assert [p.pk for p in page.context["page"]] == [period.pk, later.pk]
    assert f">{period.get_kind_display()} {school_year_label(period.school_year)}</a>" in page.content.decode()
    response = client.get("/reporting/", {"export": "xlsx", "sort": "-closes"})
    assert re.search(r'filename="ky-bao-cao_truong-tieu-hoc-a_\d{4}-\d\d-\d\d\.xlsx"', response["Content-Disposition"])
    as_of, (header, *rows) = read_export(response)
    assert as_of.startswith("Kỳ báo cáo") and header == ["Kỳ", "Mở từ ngày", "Hạn nộp", "Hết hạn"]
    assert [r[0] for r in rows] == [f"{p.get_kind_display()} {school_year_label(p.school_year)}" for p in (later, period)]
    assert rows[0][2].date() == later.closes_on                                 # a date stays a date in Excel


def test_notifications_sort_export_and_only_the_page_marks_them_read(client, period, province_user, province_user_y,
                                                                    school_a, school_b, school_other_province):
    for school in (school_a, school_b, school_other_province):
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    mine = list(Notification.objects.filter(user=province_user).order_by("created_at", "id"))
    assert len(mine) == 2
    client.force_login(province_user)
    response = client.get("/reporting/notifications/", {"export": "csv"})
    assert re.search(r'filename="thong-bao_[a-z0-9-]+_\d{4}-\d\d-\d\d\.csv"', response["Content-Disposition"])
    _as_of, (header, *rows) = read_export(response)
    assert header == ["Thời gian", "Thông báo", "Đã đọc lúc"] and len(rows) == 2    # not Hồ Chí Minh City's
    assert any(f"{school_a.name} đã nộp báo cáo" in r[1] for r in rows) and all(r[2] == "" for r in rows)
    assert school_other_province.name not in response.content.decode("utf-8-sig")
    assert Notification.objects.filter(user=province_user, read_at__isnull=True).count() == 2  # a download reads none
    page = client.get("/reporting/notifications/", {"sort": "time", "per_page": 25})
    assert [n.pk for n in page.context["page"]] == [n.pk for n in mine]
    assert page.content.decode().count('class="fw-semibold"') == 2                 # unread when shown
    assert not Notification.objects.filter(user=province_user, read_at__isnull=True).exists()
    assert [n.pk for n in client.get("/reporting/notifications/").context["page"]] == [n.pk for n in mine[::-1]]
