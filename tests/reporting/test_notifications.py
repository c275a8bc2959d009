"""reporting.notifications: who is told what, in their language; e-mails through Django's mail settings by a
task; deadline reminders once per user and period (issue 19)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.models import current_school_year
from reporting import notifications, services, tasks
from reporting.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(ministry_user):
    today = timezone.localdate()
    return services.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(),
                                  kind="start", opens_on=today, closes_on=today + dt.timedelta(days=3),
                                  expires_on=today + dt.timedelta(days=9))


def _texts(user):
    return [notifications.text(n) for n in Notification.objects.filter(user=user)]


def test_submit_return_and_approve_tell_the_other_side(period, school_user, province_user, province_user_y,
                                                       school_a):
    services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk,
                               school_id=school_a.pk)
    assert _texts(province_user) == [f"{school_a.name} đã nộp báo cáo Đầu năm học {period.school_year}-"
                                     f"{period.school_year + 1}: chờ Sở duyệt."]
    assert _texts(province_user_y) == []
    services.submissions_return(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                school_ids=[school_a.pk], comment="Thiếu lớp 5A")
    assert any("bị trả lại: Thiếu lớp 5A" in t for t in _texts(school_user))
    with translation.override("en"):
        assert f"The Start of the school year {period.school_year}-{period.school_year + 1} report of {school_a.name}" \
               " was returned: Thiếu lớp 5A" in _texts(school_user)


def test_mail_goes_to_users_with_an_address(period, school_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with_mail = UserFactory(username="t_mail", role=Role.PROVINCE, province_id="01", email="so@hanoi.edu.vn")
    services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school_a.pk)
    ids = list(Notification.objects.filter(user=with_mail).values_list("pk", flat=True))
    assert tasks.notifications_mail(ids) == 1
    assert mail.outbox[0].to == ["so@hanoi.edu.vn"] and school_a.name in mail.outbox[0].body


def test_reminders_once_per_user_and_not_to_schools_that_submitted(period, school_user, school_user_b, school_b):
    services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school_b.pk)
    assert notifications.reminders_send(today=period.closes_on - dt.timedelta(days=5)) == 0  # not due yet
    assert notifications.reminders_send(today=period.closes_on - dt.timedelta(days=3)) == 1
    assert notifications.reminders_send(today=period.closes_on - dt.timedelta(days=3)) == 0
    assert notifications.reminders_send(today=period.closes_on - dt.timedelta(days=1)) == 1  # the last one
    reminded = Notification.objects.filter(kind="deadline").values_list("user__username", flat=True)
    assert set(reminded) == {school_user.username}
    assert "Còn 1 ngày đến hạn nộp báo cáo" in _texts(school_user)[0]


def test_the_page_shows_and_marks_read(client, period, school_user, school_a, province_user):
    services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school_a.pk)
    client.force_login(province_user)
    assert '<span class="badge text-bg-danger" data-testid="unread">1</span>' in client.get("/reporting/").content.decode()
    body = client.get("/reporting/notifications/").content.decode()
    assert f"{school_a.name} đã nộp báo cáo" in body
    assert 'data-testid="unread"' not in client.get("/reporting/").content.decode()
