"""reporting.rules and reporting.checks: each rule finds what it describes and nothing else; a blocking failure
stops submission until corrected; warnings can be explained; a rule that cannot run is recorded, not a 500
(issue 19)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from reporting import checks, rules, services
from reporting.models import CheckResult
from students.models import Enrollment, PhysicalRecord
from tests.factories import make_staff, make_student

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


@pytest.fixture
def period(ministry_user):
    today = timezone.localdate()
    return services.period_create(scope=Scope.for_user(ministry_user), school_year=YEAR, kind="end",
                                  opens_on=today, closes_on=today, expires_on=today + dt.timedelta(days=9))


def _failing(period, school) -> dict[str, CheckResult]:
    return {c.rule: c for c in checks.checks_run(period=period, school_ids=[school.pk])[school.pk]
            if c.status != "corrected"}


def _class(school, n, *, grade=3, name="3A"):
    pupils = [make_student(school, grade=grade, class_name=name) for _ in range(n)]
    return pupils


def test_class_size_blocks_and_is_corrected_by_moving_pupils(period, school_a, school_user):
    make_staff(school_a)
    pupils = _class(school_a, 36)
    failing = _failing(period, school_a)
    assert failing["class_size"].blocking and failing["class_size"].items == [
        {"item": "3A", "value": "36", "limit": "35"}]
    with pytest.raises(AppError) as exc:
        services.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk,
                                   school_id=school_a.pk)
    assert exc.value.code == "validation_failed" and "Lớp 3A có 36 học sinh (tối đa 35)." in str(exc.value.details)
    Enrollment.objects.filter(student=pupils[0]).update(class_name="3B")
    assert "class_size" not in _failing(period, school_a)
    assert CheckResult.objects.get(rule="class_size").status == "corrected"


def test_secondary_classes_may_hold_45(period):
    from tests.factories import SchoolFactory

    school = SchoolFactory(level="lower_secondary", province_id="01")
    _class(school, 40, grade=7, name="7A")
    assert "class_size" not in _failing(period, school)
    _class(school, 6, grade=7, name="7A")
    assert _failing(period, school)["class_size"].items == [{"item": "7A", "value": "46", "limit": "45"}]


def test_over_age_warns_and_can_be_explained(period, school_a, school_user):
    make_staff(school_a)
    old = make_student(school_a, grade=1, class_name="1A")
    old.date_of_birth = dt.date(YEAR - 11, 1, 1)  # 11 in grade 1: 5 years over
    old.save(update_fields=["date_of_birth"])
    make_student(school_a, grade=1, class_name="1A", id_number=None, date_of_birth=dt.date(YEAR - 6, 3, 1))
    failing = _failing(period, school_a)
    assert failing["over_age"].items == [{"item": "1", "value": "1", "limit": "3"}]
    assert not failing["over_age"].blocking
    check = checks.check_explain(scope=Scope.for_user(school_user), user=school_user,
                                 check_id=failing["over_age"].pk, note="Học sinh khuyết tật học hòa nhập")
    assert check.status == "explained"
    # Found again: the explanation stays.
    assert _failing(period, school_a)["over_age"].status == "explained"


def test_a_blocking_failure_cannot_be_explained(period, school_a, school_user):
    _class(school_a, 36)
    check = _failing(period, school_a)["class_size"]
    with pytest.raises(AppError) as exc:
        checks.check_explain(scope=Scope.for_user(school_user), user=school_user, check_id=check.pk, note="x")
    assert exc.value.code == "blocking"


def test_pupil_teacher_ratio_and_no_teacher(period, school_a, school_b):
    make_student(school_a)
    assert _failing(period, school_a)["pupil_teacher_ratio"].items == [{"item": "", "value": None, "limit": "5-40"}]
    make_staff(school_b)
    for _ in range(6):
        make_student(school_b)
    assert "pupil_teacher_ratio" not in _failing(period, school_b)


def test_implausible_measurements_block(period, school_a):
    pupil = make_student(school_a)
    make_staff(school_a)
    for day, z in ((1, "1.2"), (2, "-5.5")):
        PhysicalRecord.objects.create(student=pupil, school=school_a, school_year=YEAR,
                                      measured_on=timezone.localdate() - dt.timedelta(days=day),
                                      height_cm=120, weight_kg=25, bmi=17, bmi_z_score=z, height_z_score="0.5",
                                      nutrition_status="normal", height_status="normal")
    failing = _failing(period, school_a)
    assert failing["implausible_measurement"].items[0]["value"] == "1" and failing["implausible_measurement"].blocking


def test_rules_only_of_the_periods_domains(ministry_user, school_a):
    today = timezone.localdate()
    start = services.period_create(scope=Scope.for_user(ministry_user), school_year=YEAR, kind="semester_1",
                                   opens_on=today, closes_on=today, expires_on=today, domains=["results"])
    _class(school_a, 36)
    assert _failing(start, school_a) == {}


def test_a_rule_that_cannot_run_is_recorded_and_does_not_block(period, school_a, monkeypatch):
    _class(school_a, 36)
    broken = rules.Rule("broken", "enrollment", True, "x", "x", "SELECT 1/0 AS school_id, '' , 0, 0")
    monkeypatch.setattr(checks, "RULES", (*rules.RULES, broken))
    failing = _failing(period, school_a)
    assert failing["broken"].status == "error" and not failing["broken"].blocking
    assert failing["class_size"].status == "open"  # the other rules ran


def test_year_on_year_change_warns_above_30_percent(period, school_a):
    make_staff(school_a)
    last = [make_student(school_a, school_year=YEAR - 1) for _ in range(20)]
    for pupil in last[:14]:  # 14 of last year's 20 continue: -30%, not more
        Enrollment.objects.create(student=pupil, school=school_a, school_year=YEAR, grade=4, class_name="4A",
                                  status="studying")
    assert "year_on_year" not in _failing(period, school_a)
    Enrollment.objects.filter(student=last[0], school_year=YEAR).delete()  # 13: -35%
    assert _failing(period, school_a)["year_on_year"].items == [{"item": "20", "value": "13", "limit": "30"}]


def test_outlier_class_size_against_the_other_schools_of_its_level_and_province(period):
    """Leave-one-out z-score: ten other upper secondary schools of the province with 4-6 pupils a class, one
    with 30: it stands out (z far above 3) and they do not. With nine others it is not judged (too few)."""
    from tests.factories import SchoolFactory

    def school_with(per_class: int):
        school = SchoolFactory(level="upper_secondary", province_id="01")
        _class(school, per_class, grade=10, name="10A")
        return school

    others = [school_with(4 + i % 3) for i in range(9)]
    odd = school_with(30)
    assert "outlier_class_size" not in _failing(period, odd)  # nine others: too few to judge
    others.append(school_with(5))
    failing = _failing(period, odd)["outlier_class_size"]
    assert not failing.blocking and failing.items[0]["value"] == "30.0"
    # Measured against the others (mean 5, deviation under 1), not against a mean it pulls up itself (which could
    # never put it more than 10/sqrt(11) = 3.02 deviations away).
    assert float(failing.items[0]["item"]) > 20
    assert all("outlier_class_size" not in _failing(period, school) for school in others)
