"""Approval at speed (issue 19): a school whose statistics row is older than its data is refreshed before its
figures are frozen, a fresh one is frozen from its stored row (reporting.changes); the ministry's national freeze
approves every waiting report and accepts every province, all or none, and only the ministry may."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.scope import Scope
from dashboards.metrics import METRIC_NAMES
from dashboards.models import SchoolStats
from dashboards.services import stats_refresh_schools
from edu_portal.common.exceptions import AppError
from reporting import services
from reporting.changes import changes_prune
from reporting.models import (
    Notification,
    OfficialFigures,
    ProvinceAcceptance,
    ReportingLock,
    SchoolChange,
    Submission,
    SubmissionEvent,
)
from students.models import Student
from tests.factories import make_staff, make_student

pytestmark = pytest.mark.django_db


def _submit(period, *schools):
    for school in schools:
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)


def _stored(school, year) -> SchoolStats:
    return SchoolStats.objects.get(school_id=school.pk, school_year=year)


def test_a_school_written_after_its_refresh_is_refreshed_and_frozen_with_the_write(period, province_user, school_a):
    make_student(school_a)
    stats_refresh_schools(school_ids=[school_a.pk])
    _submit(period, school_a)
    # Written after the refresh; the refresh it enqueues runs only after the commit (never, in this test).
    make_student(school_a)
    assert _stored(school_a, period.school_year).pupils == 1
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk])
    frozen = OfficialFigures.objects.get(school_id=school_a.pk).figures
    assert frozen["pupils"] == 2
    assert frozen["pupils_female"] == Student.objects.filter(gender="F").count()
    assert _stored(school_a, period.school_year).pupils == 2


def test_a_pupils_own_record_changed_after_the_refresh_makes_the_school_stale(period, province_user, school_a):
    pupil = make_student(school_a)
    stats_refresh_schools(school_ids=[school_a.pk])
    female = _stored(school_a, period.school_year).pupils_female
    assert female == (pupil.gender == "F")
    _submit(period, school_a)
    # Any door, even one that skips the services (and the ID number's gender digit).
    Student.objects.filter(pk=pupil.pk).update(gender="M" if pupil.gender == "F" else "F")
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk])
    assert OfficialFigures.objects.get(school_id=school_a.pk).figures["pupils_female"] == 1 - female


def test_a_fresh_school_is_frozen_from_its_stored_row_which_equals_a_new_refresh(period, province_user, school_a,
                                                                                  school_b):
    for school in (school_a, school_b):
        make_student(school)
        make_staff(school)
    stats_refresh_schools(school_ids=[school_a.pk, school_b.pk])
    _submit(period, school_a, school_b)
    make_student(school_b)  # b is stale, a is not
    before = _stored(school_a, period.school_year).computed_at
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk, school_b.pk])
    assert _stored(school_a, period.school_year).computed_at == before  # not recomputed
    assert _stored(school_b, period.school_year).computed_at > before  # recomputed
    frozen = {f.school_id: f.figures for f in OfficialFigures.objects.all()}
    stats_refresh_schools(school_ids=[school_a.pk, school_b.pk])
    for school in (school_a, school_b):
        fresh = _stored(school, period.school_year)
        # Every metric, and the level and ownership the official figures are grouped by.
        assert frozen[school.pk] == {n: getattr(fresh, n) for n in (*METRIC_NAMES, "level", "ownership")}
    assert frozen[school_a.pk]["pupils"] == 1 and frozen[school_b.pk]["pupils"] == 2


def test_a_row_computed_before_a_leavers_day_is_stale_on_that_day(period, province_user, school_a):
    pupil = make_student(school_a)
    stats_refresh_schools(school_ids=[school_a.pk])
    _submit(period, school_a)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        # Recorded earlier (no write since the refresh): the pupil leaves today; the row was computed yesterday.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE students_enrollment SET status = 'dropped_out', left_on = %s WHERE student_id = %s",
                       [today, pupil.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    SchoolStats.objects.filter(school_id=school_a.pk).update(computed_at=timezone.now() - dt.timedelta(days=1))
    SchoolChange.objects.all().delete()  # the writes before it forgotten, as the daily prune does
    assert _stored(school_a, period.school_year).pupils == 1
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk])
    assert OfficialFigures.objects.get(school_id=school_a.pk).figures["pupils"] == 0


def test_the_national_freeze_approves_every_waiting_report_and_accepts_every_province(
        period, ministry_user, school_a, school_b, school_other_province, school_user):
    for school in (school_a, school_b, school_other_province):
        make_student(school)
    _submit(period, school_a, school_b, school_other_province)
    done = services.period_freeze_national(scope=Scope.for_user(ministry_user), user=ministry_user,
                                           period_id=period.pk, comment="Chốt toàn quốc")
    assert done == {"approved": 3, "accepted": 2}
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    assert sorted(ProvinceAcceptance.objects.values_list("province_id", flat=True)) == ["01", "79"]
    assert OfficialFigures.objects.count() == 3
    assert all(f.figures["pupils"] == 1 for f in OfficialFigures.objects.all())
    assert ReportingLock.objects.count() == 3 * len(period.domains)
    assert SubmissionEvent.objects.filter(action="approve", by=ministry_user, comment="Chốt toàn quốc").count() == 3
    assert Notification.objects.filter(user=school_user, kind="approved").count() == 1
    with pytest.raises(AppError) as exc:  # nothing left
        services.period_freeze_national(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk)
    assert exc.value.code == "nothing_to_freeze"


def test_only_the_ministry_freezes_the_nation(period, province_user, school_user, school_a):
    make_student(school_a)
    _submit(period, school_a)
    for user in (province_user, school_user):
        with pytest.raises(AppError) as exc:
            services.period_freeze_national(scope=Scope.for_user(user), user=user, period_id=period.pk)
        assert exc.value.code == "forbidden"
    assert Submission.objects.get().status == "submitted"
    assert not OfficialFigures.objects.exists()


def test_the_national_freeze_is_all_or_nothing(period, ministry_user, province_user_y, school_a,
                                               school_other_province):
    # Province 79 accepted with nothing waiting, then one of its schools submits: the ministry must re-open it
    # first; nothing of the freeze happens, not even school A's approval.
    ProvinceAcceptance.objects.create(period=period, province_id="79", accepted_at=timezone.now())
    make_student(school_a)
    make_student(school_other_province)
    _submit(period, school_a, school_other_province)
    with pytest.raises(AppError) as exc:
        services.period_freeze_national(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk)
    assert exc.value.code == "province_accepted"
    assert set(Submission.objects.values_list("status", flat=True)) == {"submitted"}
    assert not OfficialFigures.objects.exists() and not ReportingLock.objects.exists()
    assert list(ProvinceAcceptance.objects.values_list("province_id", flat=True)) == ["79"]


def test_the_prune_forgets_what_the_statistics_count_and_keeps_the_latest_write(school_a, school_b):
    make_student(school_a)
    make_student(school_b)
    stats_refresh_schools(school_ids=[school_a.pk])  # b's writes are not counted yet
    make_student(school_b)
    changes_prune()
    assert not SchoolChange.objects.filter(school_id=school_a.pk).exists()
    kept = list(SchoolChange.objects.filter(school_id=school_b.pk).values_list("school_year", flat=True))
    assert len(kept) == len(set(kept)) >= 1  # one per year at most, the latest
