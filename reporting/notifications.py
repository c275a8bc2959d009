"""Who is told what about a reporting period (issue 19): in the app (Notification), and by e-mail through
Django's mail settings to users with an address (a Celery task after commit, so a mail server down never
fails an approval).

- submitted: the school's province (its provincial users) that a report waits for approval;
- returned / approved / reopened / exception: the school's users, with the comment or reason;
- accepted: the province's users;
- deadline: a school's users, a few days before the deadline, while the school has not submitted (daily by
  beat, once per user and period: `reminders_send`).
Messages are kept as a kind and parameters and worded in the reader's language when shown."""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from edu_portal.common.models import school_year_label
from edu_portal.common.queue import enqueue_on_commit

from .models import Notification, ReportingPeriod, Submission

TEXTS = {
    "submitted": gettext_lazy("%(school)s đã nộp báo cáo %(period)s: chờ Sở duyệt."),
    "returned": gettext_lazy("Báo cáo %(period)s của %(school)s bị trả lại: %(comment)s"),
    "approved": gettext_lazy("Báo cáo %(period)s của %(school)s đã được duyệt; số liệu đã được chốt."),
    "reopened": gettext_lazy("Báo cáo %(period)s của %(school)s được mở lại: %(comment)s"),
    "exception": gettext_lazy("%(school)s được phép sửa dữ liệu đã duyệt của kỳ %(period)s: %(comment)s"),
    "accepted": gettext_lazy("Bộ đã tiếp nhận số liệu kỳ %(period)s của %(school)s."),
    "deadline": gettext_lazy("Còn %(days)s ngày đến hạn nộp báo cáo %(period)s (%(deadline)s); %(school)s chưa nộp."),
}
REMIND_DAYS = (3, 1)


def text(notification: Notification) -> str:
    """The notification in the reader's language (the period's name too)."""
    params = dict(notification.params)
    period = notification.period
    params["period"] = f"{period.get_kind_display()} {school_year_label(period.school_year)}"
    return str(TEXTS.get(notification.kind, notification.kind)) % params


def _school_users(school_ids: list[int]):
    return User.objects.filter(role=Role.SCHOOL, school_id__in=school_ids, is_active=True)


def _province_users(province_ids: list[str]):
    return User.objects.filter(role=Role.PROVINCE, province_id__in=province_ids, is_active=True)


def notify(*, kind: str, period: ReportingPeriod, submissions: list[Submission], comment: str = "") -> int:
    """Write the notifications of an action on these submissions (inside the action's transaction) and send
    their e-mails after it commits. Returns how many were written."""
    now = timezone.now()
    rows = []
    by_school = {s.school_id: s for s in submissions}
    if kind == "submitted":
        provinces = {s.school.province_id for s in submissions}
        for user in _province_users(sorted(provinces)):
            rows += [Notification(user=user, period=period, kind=kind, created_at=now,
                                  params={"school": s.school.name}) for s in submissions
                     if s.school.province_id == user.province_id]
    else:
        for user in _school_users(sorted(by_school)):
            s = by_school[user.school_id]
            rows.append(Notification(user=user, period=period, kind=kind, created_at=now,
                                     params={"school": s.school.name, "comment": comment}))
    Notification.objects.bulk_create(rows)
    _mail_on_commit(rows)
    return len(rows)


def notify_approved(*, period: ReportingPeriod, submission_ids: list[int], comment: str = "") -> int:
    """The "approved" notifications of these submissions to their schools' users, as `notify` words them, in one
    statement however many schools a province (or the ministry, for the country) approves at once; their
    e-mails after commit. Returns how many were written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH made AS (INSERT INTO reporting_notification (user_id, period_id, kind, params, key, created_at)"
            " SELECT u.id, %(period)s, 'approved', jsonb_build_object('school', sc.name, 'comment', %(comment)s::text),"
            " '', %(now)s FROM reporting_submission s JOIN schools_school sc ON sc.id = s.school_id"
            " JOIN accounts_user u ON u.school_id = s.school_id AND u.role = %(role)s AND u.is_active"
            " WHERE s.id = ANY(%(subs)s) RETURNING id, user_id)"
            " SELECT made.id, u.email <> '' FROM made JOIN accounts_user u ON u.id = made.user_id ORDER BY made.id",
            {"period": period.pk, "comment": comment, "now": timezone.now(), "role": Role.SCHOOL,
             "subs": list(submission_ids)})
        made = cursor.fetchall()
    mail = [pk for pk, has_email in made if has_email]
    if mail:
        enqueue_on_commit("reporting.notifications_mail", mail)
    return len(made)


def notify_accepted(*, period: ReportingPeriod, province_id: str, province_name: str) -> int:
    rows = [Notification(user=user, period=period, kind="accepted", created_at=timezone.now(),
                         params={"school": province_name}) for user in _province_users([province_id])]
    Notification.objects.bulk_create(rows)
    _mail_on_commit(rows)
    return len(rows)


def _mail_on_commit(rows: list[Notification]) -> None:
    ids = [n.pk for n in rows if n.pk and n.user.email]
    if ids:
        enqueue_on_commit("reporting.notifications_mail", ids)


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the users of schools that have not submitted an open period whose deadline is REMIND_DAYS days
    away (or fewer, for a day beat missed): once per user, period and reminder."""
    today = today or timezone.localdate()
    written = 0
    for period in ReportingPeriod.objects.filter(opens_on__lte=today, closes_on__gte=today):
        days = (period.closes_on - today).days
        due = [d for d in REMIND_DAYS if days <= d]
        if not due:
            continue
        key = f"deadline:{min(due)}"
        done = Submission.objects.filter(period=period, status__in=["submitted", "approved"]).values("school_id")
        reminded = Notification.objects.filter(period=period, key=key).values("user_id")
        users = (User.objects.filter(role=Role.SCHOOL, is_active=True, school__status="open")
                 .exclude(school_id__in=done).exclude(pk__in=reminded).select_related("school"))
        rows = [Notification(user=u, period=period, kind="deadline", key=key, created_at=timezone.now(),
                             params={"school": u.school.name, "days": days,
                                     "deadline": period.closes_on.strftime("%d/%m/%Y")}) for u in users]
        # Two runs at once: the second's rows collide on one_reminder_per_key and that run fails, sending nothing
        # twice; the next day's run finds them sent.
        made = Notification.objects.bulk_create(rows)
        written += len(made)
        _mail_on_commit(made)
    return written


def mail_subject() -> str:
    return _("CSDL Giáo dục: kỳ báo cáo")
