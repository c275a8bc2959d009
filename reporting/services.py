"""Writes of the reporting periods (issue 19): periods, submissions, approval and return, the ministry's
acceptance of a province, re-opening, and the province's exceptions; each in one transaction, the rows it
decides on locked first (two approvers at once, or an approval racing a re-opening, decide each school once).

Approval freezes the school's figures (OfficialFigures, from its statistics row, recomputed first in the same
transaction when the school's data changed since: reporting.changes) and locks its data of the period's domains
(ReportingLock, enforced by the database: reporting.locks). Every action is journaled (SubmissionEvent: who, when, why).
"""
from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, Scope
from dashboards.official import official_changed, periods_changed
from dashboards.services import stats_refresh_schools
from edu_portal.common.events import events_emit, period_events
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.queue import enqueue_on_commit
from geo.models import Province
from schools.models import School

from . import changes, checks, freeze, notifications, official_rollup
from .models import (
    DEFAULT_DOMAINS,
    Domain,
    PeriodKind,
    ProvinceAcceptance,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from .rules import BY_CODE, describe

log = logging.getLogger(__name__)


def _require(scope: Scope, *kinds: str) -> None:
    """What a user or token may do follows its scope: a school submits, a province decides on its schools,
    the country (the ministry) opens periods, accepts provinces and decides anywhere."""
    if scope.kind not in kinds:
        raise AppError(_("Bạn không có quyền thực hiện việc này."), code="forbidden", status_code=403)


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "API"


def _period_open(period: ReportingPeriod, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if today < period.opens_on:
        raise AppError(_("Kỳ báo cáo \"%(period)s\" chưa mở (mở từ %(day)s).")
                       % {"period": period, "day": period.opens_on.strftime("%d/%m/%Y")}, code="period_not_open",
                       status_code=409)
    if today > period.expires_on:
        raise AppError(_("Kỳ báo cáo \"%(period)s\" đã hết hạn ngày %(day)s: không nộp, duyệt hay trả lại được nữa.")
                       % {"period": period, "day": period.expires_on.strftime("%d/%m/%Y")}, code="period_expired",
                       status_code=409)


@transaction.atomic
def period_create(*, scope: Scope, school_year: int, kind: str, opens_on: dt.date, closes_on: dt.date,
                  expires_on: dt.date, domains: list[str] | None = None) -> ReportingPeriod:
    """The ministry opens a reporting period of a school year."""
    _require(scope, COUNTRY)
    if kind not in PeriodKind.values:
        raise AppError(_("Kỳ báo cáo không hợp lệ."), code="invalid", details={"kind": [_("Không hợp lệ.")]})
    domains = list(domains or DEFAULT_DOMAINS[PeriodKind(kind)])
    bad = [d for d in domains if d not in Domain.values]
    if bad or not domains:
        raise AppError(_("Nội dung báo cáo không hợp lệ: %(bad)s.") % {"bad": ", ".join(bad) or "-"},
                       code="invalid", details={"domains": [_("Không hợp lệ.")]})
    if not opens_on <= closes_on <= expires_on:
        raise AppError(_("Ngày mở, hạn nộp và ngày hết hạn phải theo thứ tự đó."), code="invalid",
                       details={"closes_on": [_("Phải trong khoảng từ ngày mở đến ngày hết hạn.")]})
    if ReportingPeriod.objects.filter(school_year=school_year, kind=kind).exists():
        raise AppError(_("Năm học này đã có kỳ báo cáo đó."), code="duplicate", status_code=409)
    periods_changed()  # the dashboards' period pickers offer it
    return ReportingPeriod.objects.create(school_year=school_year, kind=kind, domains=domains, opens_on=opens_on,
                                          closes_on=closes_on, expires_on=expires_on)


def _period(period_id) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(pk=int(period_id)).first()
    if period is None:
        raise AppError(_("Không có kỳ báo cáo này."), code="not_found", status_code=404)
    return period


def _event(submission: Submission, action: str, user, comment: str = "", at=None) -> None:
    SubmissionEvent.objects.create(submission=submission, action=action, at=at or timezone.now(), by=user,
                                   comment=comment)


@transaction.atomic
def submission_submit(*, scope: Scope, user, period_id: int, school_id: int) -> Submission:
    """The school submits its report of the period (again, after a return)."""
    period = _period(period_id)
    school = School.objects.filter(pk=school_id).first()
    if school is None or not scope.contains_school(school):
        raise NotInScope()
    _period_open(period)
    # The period's rules are run again on the data as it stands: a blocking failure stops the submission.
    blocking = checks.blocking_open(checks.checks_run(period=period, school_ids=[school.pk])[school.pk])
    if blocking:
        raise AppError(_("Chưa nộp được: dữ liệu còn %(n)s lỗi chặn (%(rules)s). Hãy sửa rồi nộp lại.")
                       % {"n": len(blocking), "rules": ", ".join(str(BY_CODE[c.rule].title) for c in blocking)},
                       code="validation_failed", status_code=409,
                       details={"rules": [{"rule": c.rule, "items": [describe(c.rule, **i) for i in c.items]}
                                          for c in blocking]})
    now = timezone.now()
    submission, created = Submission.objects.select_for_update().get_or_create(
        period=period, school=school, defaults={"status": SubmissionStatus.SUBMITTED, "submitted_at": now,
                                                "first_submitted_at": now, "submitted_by": user})
    if not created:
        if submission.status != SubmissionStatus.RETURNED:
            raise AppError(_("Báo cáo đã nộp (trạng thái: %(status)s).") % {"status": submission.get_status_display()},
                           code="already_submitted", status_code=409)
        submission.status, submission.submitted_at, submission.submitted_by = SubmissionStatus.SUBMITTED, now, user
        submission.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    _event(submission, "submit", user, at=now)
    notifications.notify(kind="submitted", period=period, submissions=[submission])
    return submission


def _decidable(scope: Scope, period_id: int, school_ids: list[int]) -> tuple[ReportingPeriod, list[Submission]]:
    """The submissions of these schools, locked, after the checks every decision shares."""
    _require(scope, PROVINCE, COUNTRY)
    period = _period(period_id)
    _period_open(period)
    ids = sorted({int(i) for i in school_ids})
    if not ids:
        raise AppError(_("Chưa chọn trường nào."), code="invalid")
    schools = list(scope.filter(School.objects.filter(pk__in=ids), "").values_list("pk", "province_id"))
    if len(schools) != len(ids):
        raise NotInScope()
    accepted = set(ProvinceAcceptance.objects.filter(period=period, province_id__in={p for _, p in schools})
                   .values_list("province_id", flat=True))
    if accepted:
        raise AppError(_("Bộ đã tiếp nhận số liệu của tỉnh %(provinces)s trong kỳ này: cần Bộ mở lại trước.")
                       % {"provinces": ", ".join(sorted(accepted))}, code="province_accepted", status_code=409)
    # The schools first (in id order, as the lock triggers take them): a write of their data in progress
    # finishes before this decision reads their figures, and one after it waits for it (reporting.locks).
    list(School.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    submissions = list(Submission.objects.select_for_update(of=("self",)).filter(period=period, school_id__in=ids)
                       .select_related("school").order_by("school_id"))
    return period, submissions


def _not_submitted(submissions: list[Submission], ids: list[int], wanted: str) -> None:
    by_school = {s.school_id: s for s in submissions}
    wrong = [str(i) for i in sorted({int(i) for i in ids}) if getattr(by_school.get(int(i)), "status", None) != wanted]
    if wrong:
        codes = dict(School.objects.filter(pk__in=[int(w) for w in wrong]).values_list("pk", "code"))
        raise AppError(_("Không thực hiện được: %(n)s trường không ở trạng thái \"%(status)s\": %(schools)s.")
                       % {"n": len(wrong), "status": SubmissionStatus(wanted).label,
                          "schools": ", ".join(codes.get(int(w), w) for w in wrong[:20])},
                       code="wrong_status", status_code=409, details={"schools": [codes.get(int(w), w) for w in wrong]})


@transaction.atomic
def submissions_approve(*, scope: Scope, user, period_id: int, school_ids: list[int], comment: str = "") -> int:
    """The province approves the submitted reports of these schools, all or none: their figures are frozen
    and their data of the period's domains locked. Returns how many."""
    period, submissions = _decidable(scope, period_id, school_ids)
    _not_submitted(submissions, school_ids, SubmissionStatus.SUBMITTED)
    _approve(period, [s.pk for s in submissions], [s.school_id for s in submissions], user=user, comment=comment)
    return len(submissions)


def _approve(period: ReportingPeriod, submission_ids: list[int], school_ids: list[int], *, user,
             comment: str) -> None:
    """Approve these submissions (their schools' rows locked by the caller), set-based whatever their number:
    the schools whose statistics row of the period's year is older than their data are refreshed (that year
    only), then every school's row is frozen as it stands (OfficialFigures), the locks written, the events
    journaled and the schools' users told, each in one statement; the official rollup of the provinces concerned
    is summed again from the frozen rows."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        stale = changes.stale_schools(cursor, school_ids=school_ids, school_year=period.school_year,
                                      today=timezone.localdate())
    checked = time.monotonic()
    if stale:
        stats_refresh_schools(school_ids=stale, years=[period.school_year])
    refreshed = time.monotonic()
    params = {"subs": list(submission_ids), "now": timezone.now(), "user": getattr(user, "pk", None),
              "comment": comment, "who": _who(user), "year": period.school_year, "kind": period.kind,
              "domains": list(period.domains)}
    with connection.cursor() as cursor:
        replaced = official_rollup.areas_frozen(cursor, submission_ids=submission_ids)
        for sql in freeze.APPROVE_SQL:
            cursor.execute(sql, params)
        # The official rollup of the communes whose frozen rows went or came (a school may have moved since).
        official_rollup.rollup_rebuild(cursor, period_id=period.pk, school_year=period.school_year,
                                       areas=replaced | official_rollup.areas_frozen(cursor, submission_ids=submission_ids))
    log.info("approve %s schools: %s stale (checked in %.1f s, refreshed in %.1f s), frozen in %.1f s",
             len(school_ids), len(stale), checked - started, refreshed - checked, time.monotonic() - refreshed)
    notifications.notify_approved(period=period, submission_ids=submission_ids, comment=comment)
    # The dashboards' cached official figures are stale: computed again by a worker once this commits.
    official_changed()
    schools = list(School.objects.filter(pk__in=school_ids).values_list("pk", "code", "province_id"))
    provinces = sorted({province for _pk, _code, province in schools})
    enqueue_on_commit("reporting.official_warm", period.pk, provinces)
    # Subscribed client systems hear of it (webhooks: by signal, in this transaction).
    events_emit(period_events("approved", period=period, schools=schools))


@transaction.atomic
def submissions_return(*, scope: Scope, user, period_id: int, school_ids: list[int], comment: str) -> int:
    """The province returns submitted reports to their schools, with what to fix."""
    if not (comment or "").strip():
        raise AppError(_("Hãy ghi lý do trả lại."), code="invalid", details={"comment": [_("Bắt buộc.")]})
    period, submissions = _decidable(scope, period_id, school_ids)
    _not_submitted(submissions, school_ids, SubmissionStatus.SUBMITTED)
    now = timezone.now()
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(
        status=SubmissionStatus.RETURNED, decided_at=now, decided_by=user, comment=comment, updated_at=now)
    SubmissionEvent.objects.bulk_create([SubmissionEvent(submission=s, action="return", at=now, by=user,
                                                         comment=comment) for s in submissions])
    notifications.notify(kind="returned", period=period, submissions=submissions, comment=comment)
    return len(submissions)


@transaction.atomic
def submission_reopen(*, scope: Scope, user, period_id: int, school_id: int, reason: str) -> Submission:
    """Up the chain, an approved report is opened again (returned to the school) with a reason: its locks go;
    its frozen figures stay official until it is approved again."""
    if not (reason or "").strip():
        raise AppError(_("Hãy ghi lý do mở lại."), code="invalid", details={"reason": [_("Bắt buộc.")]})
    if scope.kind == COUNTRY:
        # The ministry may re-open a school of a province it accepted: the acceptance goes with it.
        school = School.objects.filter(pk=school_id).first()
        if school is not None:
            ProvinceAcceptance.objects.filter(period_id=period_id, province_id=school.province_id).delete()
    period, submissions = _decidable(scope, period_id, [school_id])
    _not_submitted(submissions, [school_id], SubmissionStatus.APPROVED)
    submission = submissions[0]
    now = timezone.now()
    submission.status, submission.decided_at, submission.decided_by, submission.comment = (
        SubmissionStatus.RETURNED, now, user, reason)
    submission.save(update_fields=["status", "decided_at", "decided_by", "comment", "updated_at"])
    submission.locks.all().delete()
    official_changed()  # the ministry's re-opening withdrew the acceptance
    _event(submission, "reopen", user, reason, at=now)
    notifications.notify(kind="reopened", period=period, submissions=[submission], comment=reason)
    return submission


@transaction.atomic
def exception_grant(*, scope: Scope, user, period_id: int, school_id: int, hours: int, reason: str) -> Submission:
    """The province lets an approved school change its locked data for `hours` (audited); what it writes
    counts as changed after approval, to be approved again."""
    _require(scope, PROVINCE, COUNTRY)
    if not (reason or "").strip():
        raise AppError(_("Hãy ghi lý do cho phép ngoại lệ."), code="invalid", details={"reason": [_("Bắt buộc.")]})
    if not 1 <= int(hours) <= 24 * 14:
        raise AppError(_("Thời hạn ngoại lệ từ 1 giờ đến 14 ngày."), code="invalid", details={"hours": [_("Không hợp lệ.")]})
    school = School.objects.filter(pk=school_id).first()
    if school is None or not scope.contains_school(school):
        raise NotInScope()
    submission = Submission.objects.select_for_update().filter(period_id=period_id, school=school).first()
    if submission is None or submission.status != SubmissionStatus.APPROVED:
        raise AppError(_("Chỉ cho phép ngoại lệ với báo cáo đã duyệt."), code="wrong_status", status_code=409)
    now = timezone.now()
    submission.locks.update(exception_until=now + dt.timedelta(hours=int(hours)))
    _event(submission, "exception", user, f"{int(hours)} h: {reason}", at=now)
    notifications.notify(kind="exception", period=submission.period, submissions=[submission], comment=reason)
    return submission


def _accept_lock(cursor, period_id: int) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reporting_accept'), %s)", [int(period_id)])


@transaction.atomic
def province_accept(*, scope: Scope, user, period_id: int, province_code: str) -> ProvinceAcceptance:
    """The ministry accepts a province's approved figures of the period: none of its reports may be waiting
    for the province's decision."""
    _require(scope, COUNTRY)
    period = _period(period_id)
    _period_open(period)
    # One acceptance at a time per period and province (the unique constraint answers a racing second one).
    with connection.cursor() as cursor:
        _accept_lock(cursor, period_id)
    waiting = Submission.objects.filter(period=period, school__province_id=province_code,
                                        status=SubmissionStatus.SUBMITTED).count()
    if waiting:
        raise AppError(_("Tỉnh còn %(n)s báo cáo chờ duyệt.") % {"n": waiting}, code="not_ready", status_code=409)
    acceptance, created = ProvinceAcceptance.objects.get_or_create(
        period=period, province_id=province_code, defaults={"accepted_at": timezone.now(), "accepted_by": user})
    if not created:
        raise AppError(_("Bộ đã tiếp nhận số liệu của tỉnh này."), code="already_accepted", status_code=409)
    official_changed()  # the dashboards count its schools as accepted
    enqueue_on_commit("reporting.official_warm", period.pk, [province_code])
    events_emit(period_events("accepted", period=period, provinces=[province_code]))
    notifications.notify_accepted(period=period, province_id=province_code,
                                  province_name=Province.objects.filter(pk=province_code)
                                  .values_list("name", flat=True).first() or province_code)
    return acceptance


@transaction.atomic
def period_freeze_national(*, scope: Scope, user, period_id: int, comment: str = "") -> dict[str, int]:
    """The ministry freezes the national figures of a period at once: every report still waiting for its
    province's decision is approved (its figures frozen, its data locked, as a province's approval does) and
    every province with approved reports is accepted; all or nothing. Returns how many of each."""
    _require(scope, COUNTRY)
    period = _period(period_id)
    _period_open(period)
    with connection.cursor() as cursor:
        _accept_lock(cursor, period.pk)
        # As a province's approval: the schools first, in id order (reporting.locks), then their reports; a
        # report decided meanwhile drops out when its row is locked (its status is checked again then).
        cursor.execute("SELECT sc.id FROM schools_school sc WHERE sc.id IN (SELECT school_id FROM reporting_submission"
                       " WHERE period_id = %s AND status = 'submitted') ORDER BY sc.id FOR UPDATE", [period.pk])
        cursor.execute("SELECT s.id, s.school_id FROM reporting_submission s WHERE s.period_id = %s"
                       " AND s.status = 'submitted' ORDER BY s.school_id FOR UPDATE", [period.pk])
        waiting = cursor.fetchall()
        cursor.execute("SELECT DISTINCT a.province_id FROM reporting_provinceacceptance a"
                       " JOIN schools_school sc ON sc.province_id = a.province_id"
                       " WHERE a.period_id = %s AND sc.id = ANY(%s) ORDER BY 1", [period.pk, [w[1] for w in waiting]])
        accepted = [row[0] for row in cursor.fetchall()]
    if accepted:
        raise AppError(_("Bộ đã tiếp nhận số liệu của tỉnh %(provinces)s trong kỳ này: cần Bộ mở lại trước.")
                       % {"provinces": ", ".join(accepted)}, code="province_accepted", status_code=409)
    if waiting:
        _approve(period, [w[0] for w in waiting], [w[1] for w in waiting], user=user, comment=comment)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reporting_provinceacceptance (period_id, province_id, accepted_at, accepted_by_id)"
            " SELECT DISTINCT %(period)s::bigint, sc.province_id, %(now)s::timestamptz, %(user)s::bigint"
            " FROM reporting_submission s"
            " JOIN schools_school sc ON sc.id = s.school_id WHERE s.period_id = %(period)s AND s.status = 'approved'"
            " AND NOT EXISTS (SELECT 1 FROM reporting_provinceacceptance a WHERE a.period_id = %(period)s"
            " AND a.province_id = sc.province_id) RETURNING province_id",
            {"period": period.pk, "now": now, "user": getattr(user, "pk", None)})
        provinces = sorted(row[0] for row in cursor.fetchall())
    if not waiting and not provinces:
        raise AppError(_("Không có báo cáo nào chờ duyệt và không có tỉnh nào chờ Bộ tiếp nhận."),
                       code="nothing_to_freeze", status_code=409)
    events_emit(period_events("accepted", period=period, provinces=provinces))
    names = dict(Province.objects.filter(pk__in=provinces).values_list("pk", "name"))
    for code in provinces:
        notifications.notify_accepted(period=period, province_id=code, province_name=names.get(code, code))
    return {"approved": len(waiting), "accepted": len(provinces)}
