"""reporting.services: submission, approval (one or many, all or none), return, re-opening, the ministry's
acceptance, exceptions; and the figures frozen at approval that later edits never move (issue 19)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from dashboards.models import SchoolStats
from edu_portal.common.exceptions import AppError, NotInScope
from reporting import services
from reporting.models import OfficialFigures, ProvinceAcceptance, ReportingLock, Submission, SubmissionEvent
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db


def test_only_the_ministry_opens_periods_and_dates_must_be_in_order(period, province_user, ministry_user):
    today = timezone.localdate()
    with pytest.raises(AppError) as exc:
        services.period_create(scope=Scope.for_user(province_user), school_year=2030, kind="end", opens_on=today, closes_on=today,
                               expires_on=today)
    assert exc.value.code == "forbidden"
    with pytest.raises(AppError) as exc:
        services.period_create(scope=Scope.for_user(ministry_user), school_year=2030, kind="end", opens_on=today,
                               closes_on=today - dt.timedelta(days=1), expires_on=today)
    assert "closes_on" in exc.value.details
    with pytest.raises(AppError) as exc:
        services.period_create(scope=Scope.for_user(ministry_user), school_year=period.school_year, kind="start", opens_on=today,
                               closes_on=today, expires_on=today)
    assert exc.value.code == "duplicate"
    assert period.domains == ["enrollment", "staff", "facilities"]


def test_submit_approve_locks_and_freezes(period, school_user, province_user, school_a, school_b):
    make_student(school_a)
    submission = services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    assert submission.status == "submitted" and submission.first_submitted_at
    with pytest.raises(AppError) as exc:
        services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    assert exc.value.code == "already_submitted"
    with pytest.raises(NotInScope):
        services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_b.pk)

    assert services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk]) == 1
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.decided_by == province_user
    assert sorted(ReportingLock.objects.filter(school_id=school_a.pk).values_list("domain", flat=True)) == [
        "enrollment", "facilities", "staff"]
    frozen = OfficialFigures.objects.get(submission=submission)
    live = SchoolStats.objects.get(school_id=school_a.pk, school_year=period.school_year)
    assert frozen.figures["pupils"] == live.pupils == 1
    assert [e.action for e in SubmissionEvent.objects.filter(submission=submission)] == ["submit", "approve"]


def test_bulk_approval_is_all_or_nothing(period, province_user, school_a, school_b):
    services.submission_submit(user=(u := UserFactory(role=Role.SCHOOL, school=school_a)), scope=Scope.for_user(u), period_id=period.pk,
                               school_id=school_a.pk)
    with pytest.raises(AppError) as exc:
        services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk, school_b.pk])
    assert exc.value.code == "wrong_status" and exc.value.details["schools"] == [school_b.code]
    assert Submission.objects.get(school=school_a).status == "submitted"
    assert not ReportingLock.objects.exists()


def test_province_decides_only_in_its_province_and_schools_never(period, province_user, school_user,
                                                                 school_other_province, school_a):
    services.submission_submit(user=(u := UserFactory(role=Role.SCHOOL, school=school_other_province)), scope=Scope.for_user(u), period_id=period.pk,
                               school_id=school_other_province.pk)
    with pytest.raises(NotInScope):
        services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_other_province.pk])
    with pytest.raises(AppError) as exc:
        services.submissions_approve(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_ids=[school_a.pk])
    assert exc.value.code == "forbidden"


def test_return_needs_a_reason_and_the_school_submits_again(period, school_user, province_user, school_a):
    services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    with pytest.raises(AppError):
        services.submissions_return(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk], comment=" ")
    services.submissions_return(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk],
                                comment="Sĩ số lớp 3A sai")
    submission = Submission.objects.get(school=school_a)
    assert submission.status == "returned" and submission.comment == "Sĩ số lớp 3A sai"
    first = submission.first_submitted_at
    again = services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    assert again.status == "submitted" and again.first_submitted_at == first


def test_expired_period_refuses_decisions(period, school_user, province_user, school_a):
    services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    period.expires_on = period.closes_on = timezone.localdate() - dt.timedelta(days=1)
    period.opens_on = period.closes_on - dt.timedelta(days=3)
    period.save()
    with pytest.raises(AppError) as exc:
        services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk])
    assert exc.value.code == "period_expired"
    assert Submission.objects.get(school=school_a).status == "submitted"


def test_acceptance_waits_for_the_province_and_reopening_goes_up_the_chain(period, school_user, province_user,
                                                                           ministry_user, school_a, school_b):
    services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk, school_id=school_a.pk)
    services.submission_submit(user=(u := UserFactory(role=Role.SCHOOL, school=school_b)), scope=Scope.for_user(u), period_id=period.pk,
                               school_id=school_b.pk)
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_a.pk])
    with pytest.raises(AppError) as exc:
        services.province_accept(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk, province_code="01")
    assert exc.value.code == "not_ready"
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_ids=[school_b.pk])
    services.province_accept(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk, province_code="01")
    # Accepted: the province can no longer re-open its school; the ministry can, and the acceptance goes.
    with pytest.raises(AppError) as exc:
        services.submission_reopen(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk, school_id=school_a.pk, reason="x")
    assert exc.value.code == "province_accepted"
    services.submission_reopen(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk, school_id=school_a.pk, reason="Sai sĩ số")
    assert not ProvinceAcceptance.objects.exists()
    assert Submission.objects.get(school=school_a).status == "returned"
    assert not ReportingLock.objects.filter(school_id=school_a.pk).exists()
    assert ReportingLock.objects.filter(school_id=school_b.pk).count() == 3
