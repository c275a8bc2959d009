"""Two approvers at once, and an approval racing the school's edit: each school is decided once, nothing is
half-approved, and an edit either lands before the approval (and is in the frozen figures) or is refused
(issue 19). Real connections in threads (a transactional test database)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from reporting import services
from reporting.models import OfficialFigures, ReportingLock, Submission, SubmissionEvent
from tests.factories import UserFactory, make_staff, make_student

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the calls at once (a barrier), each in its own thread and connection; their outcomes in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.fixture
def submitted(ministry_user, school_a, school_b):
    today = timezone.localdate()
    period = services.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(),
                                    kind="start", opens_on=today, closes_on=today,
                                    expires_on=today + dt.timedelta(days=5))
    for school in (school_a, school_b):
        make_staff(school)
        make_student(school)
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    return period


def test_two_approvers_at_once_decide_each_school_once(submitted, province_user, ministry_user, school_a, school_b):
    other = UserFactory(username="t_hanoi_2", role="province", province_id="01")
    ids = [school_a.pk, school_b.pk]
    outcomes = _race(
        lambda: services.submissions_approve(scope=Scope.for_user(province_user), user=province_user,
                                             period_id=submitted.pk, school_ids=ids),
        lambda: services.submissions_approve(scope=Scope.for_user(other), user=other,
                                             period_id=submitted.pk, school_ids=ids))
    assert sorted(type(o).__name__ for o in outcomes) == ["AppError", "int"]
    assert next(o for o in outcomes if isinstance(o, AppError)).code == "wrong_status"
    assert Submission.objects.filter(status="approved").count() == 2
    assert SubmissionEvent.objects.filter(action="approve").count() == 2
    assert ReportingLock.objects.count() == 2 * len(submitted.domains)
    assert OfficialFigures.objects.count() == 2


def test_an_approval_racing_a_return_leaves_one_decision(submitted, province_user, ministry_user, school_a):
    outcomes = _race(
        lambda: services.submissions_approve(scope=Scope.for_user(province_user), user=province_user,
                                             period_id=submitted.pk, school_ids=[school_a.pk]),
        lambda: services.submissions_return(scope=Scope.for_user(ministry_user), user=ministry_user,
                                            period_id=submitted.pk, school_ids=[school_a.pk], comment="Sai"))
    assert sum(isinstance(o, AppError) for o in outcomes) == 1
    submission = Submission.objects.get(school=school_a)
    assert (submission.status == "approved") == ReportingLock.objects.filter(school_id=school_a.pk).exists()
    assert (submission.status == "approved") == OfficialFigures.objects.filter(school_id=school_a.pk).exists()


def test_an_edit_racing_the_approval_is_in_the_figures_or_refused(submitted, province_user, school_a):
    outcomes = _race(
        lambda: services.submissions_approve(scope=Scope.for_user(province_user), user=province_user,
                                             period_id=submitted.pk, school_ids=[school_a.pk]),
        lambda: make_student(school_a))
    approved, edit = outcomes
    assert approved == 1
    frozen = OfficialFigures.objects.get(school_id=school_a.pk).figures["pupils"]
    if isinstance(edit, AppError):
        assert edit.code == "period_locked" and frozen == 1
    else:
        # Written: before the approval read the figures (the approval waited for it), so they include it.
        assert frozen == 2


def test_two_approvals_in_one_commune_at_once_leave_the_official_rollup_exact(submitted, province_user, ministry_user,
                                                                               school_a, school_b):
    """Each approval rebuilds the commune's and the province's rollup rows: one after the other (reporting.
    official_rollup's lock), the second reading the first's frozen row, never both writing the same rows."""
    from dashboards.services import stats_refresh_all
    from tests.reporting.test_rollup import _assert_exact, _pupils

    assert school_a.commune_id == school_b.commune_id
    stats_refresh_all()  # neither school stale: no refresh (and its lock) puts one approval behind the other
    outcomes = _race(
        lambda: services.submissions_approve(scope=Scope.for_user(province_user), user=province_user,
                                             period_id=submitted.pk, school_ids=[school_a.pk]),
        lambda: services.submissions_approve(scope=Scope.for_user(ministry_user), user=ministry_user,
                                             period_id=submitted.pk, school_ids=[school_b.pk]))
    assert outcomes == [1, 1]
    rollup = _assert_exact(submitted)
    assert _pupils(rollup, "01") == _pupils(rollup, "01", school_a.commune_id) == 2
