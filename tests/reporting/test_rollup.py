"""The official rollup (reporting.official_rollup) always equals the sums of the frozen rows it stands for: after an
approval, a re-opening and a re-approval with other figures, a school moved to another commune or province, an
exception and the national freeze; and the official sums read from it are those read from the frozen rows."""
from __future__ import annotations

from collections import defaultdict

import pytest

from accounts.scope import PROVINCE, Scope
from dashboards.metrics import METRIC_NAMES
from dashboards.services import stats_refresh_all, stats_refresh_schools
from edu_portal.common.prepared import statement_text
from geo.models import Commune
from reporting import selectors, services
from reporting.models import OfficialFigures, OfficialRollup
from schools.models import School
from tests.factories import SchoolFactory, make_staff, make_student

pytestmark = pytest.mark.django_db


def _expected(period) -> dict[tuple, dict]:
    """The oracle: the period's frozen rows summed in Python, by province (commune '') and by commune, x level x
    ownership (the level and ownership frozen with the figures), and by commune over every level and ownership."""
    sums: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for row in OfficialFigures.objects.filter(submission__period=period):
        f = row.figures
        for key in ((row.province_id, "", f["level"], f["ownership"]),
                    (row.province_id, row.commune_id, f["level"], f["ownership"]),
                    (row.province_id, row.commune_id, "", "")):
            sums[key]["approved"] += 1
            for m in METRIC_NAMES:
                sums[key][m] += f.get(m) or 0
    return {k: dict(v) for k, v in sums.items()}


def _rollup(period) -> dict[tuple, dict]:
    return {(r.province_id, r.commune_id, r.level, r.ownership): {k: getattr(r, k) for k in ["approved", *METRIC_NAMES]}
            for r in OfficialRollup.objects.filter(period=period)}


def _assert_exact(period) -> dict[tuple, dict]:
    rollup = _rollup(period)
    assert rollup == _expected(period)
    return rollup


def _pupils(rollup, province: str, commune: str = "") -> int:
    """The area's pupils from its rows by level and ownership; a commune's own total row must say the same."""
    pupils = sum(v["pupils"] for k, v in rollup.items() if k[0] == province and k[1] == commune and k[2])
    if commune:
        assert rollup.get((province, commune, "", ""), {"pupils": 0})["pupils"] == pupils
    return pupils


@pytest.fixture
def approved(period, province_user, ministry_user, school_a, school_b, school_other_province):
    """A (3 pupils) and B (2) of Hà Nội approved by the province, the Sài Gòn school (1) by the ministry."""
    for school, n in ((school_a, 3), (school_b, 2), (school_other_province, 1)):
        make_staff(school)
        for _ in range(n):
            make_student(school)
    stats_refresh_all()
    for school in (school_a, school_b, school_other_province):
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    services.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                 school_ids=[school_a.pk, school_b.pk])
    services.submissions_approve(scope=Scope.country(), user=ministry_user, period_id=period.pk,
                                 school_ids=[school_other_province.pk])
    return period


def test_the_migration_adds_each_communes_total_as_the_approvals_write_it(approved):
    import importlib

    from django.apps import apps
    from django.db import connection

    OfficialRollup.objects.exclude(commune_id="").filter(level="").delete()
    migration = importlib.import_module("reporting.migrations.0009_official_rollup_commune_totals")
    with connection.schema_editor() as editor:
        migration.add_totals(apps, editor)
        migration.add_totals(apps, editor)  # twice: the same rows (an approval may have written them already)
    assert OfficialRollup.objects.exclude(commune_id="").filter(level="").exists()
    _assert_exact(approved)


def test_the_rollup_is_the_frozen_rows_summed_after_approval(approved, school_a):
    rollup = _assert_exact(approved)
    assert _pupils(rollup, "01") == 5 and _pupils(rollup, "79") == 1
    assert _pupils(rollup, "01", school_a.commune_id) >= 3


def test_reopen_and_reapprove_with_other_figures_and_another_commune(approved, province_user, school_a):
    before = _assert_exact(approved)
    scope = Scope.for_user(province_user)
    services.submission_reopen(scope=scope, user=province_user, period_id=approved.pk, school_id=school_a.pk,
                               reason="Thiếu học sinh")
    # Re-opened: the frozen row stays official until approved again, and so does the rollup.
    assert _assert_exact(approved) == before
    make_student(school_a)
    make_student(school_a)
    old_commune = school_a.commune_id
    new_commune = (Commune.objects.filter(province_id="01").exclude(pk=old_commune).order_by("pk")
                   .values_list("pk", flat=True).first())
    School.objects.filter(pk=school_a.pk).update(commune_id=new_commune)
    stats_refresh_schools(school_ids=[school_a.pk])
    services.submission_submit(scope=Scope.country(), user=None, period_id=approved.pk, school_id=school_a.pk)
    services.submissions_approve(scope=scope, user=province_user, period_id=approved.pk, school_ids=[school_a.pk])
    after = _assert_exact(approved)
    assert _pupils(after, "01") == _pupils(before, "01") + 2
    assert _pupils(after, "01", new_commune) == 5
    assert not any(k[1] == old_commune for k in after) or _pupils(after, "01", old_commune) == _pupils(
        before, "01", old_commune) - 3


def test_a_school_moved_to_another_province_leaves_its_old_provinces_rollup(approved, ministry_user, school_a):
    services.submission_reopen(scope=Scope.country(), user=ministry_user, period_id=approved.pk, school_id=school_a.pk,
                               reason="Chuyển tỉnh")
    School.objects.filter(pk=school_a.pk).update(
        province_id="79", commune_id=Commune.objects.filter(province_id="79").values_list("pk", flat=True).first())
    stats_refresh_schools(school_ids=[school_a.pk])
    services.submission_submit(scope=Scope.country(), user=None, period_id=approved.pk, school_id=school_a.pk)
    services.submissions_approve(scope=Scope.country(), user=ministry_user, period_id=approved.pk,
                                 school_ids=[school_a.pk])
    after = _assert_exact(approved)
    assert (_pupils(after, "01"), _pupils(after, "79")) == (2, 4)


def test_an_exception_and_a_return_do_not_move_the_rollup(approved, province_user, school_a, school_b):
    before = _assert_exact(approved)
    scope = Scope.for_user(province_user)
    services.exception_grant(scope=scope, user=province_user, period_id=approved.pk, school_id=school_a.pk, hours=2,
                             reason="Bổ sung")
    make_student(school_a)
    stats_refresh_schools(school_ids=[school_a.pk])
    late = SchoolFactory(province_id="01", name="Trường Nộp Muộn")
    make_student(late)
    stats_refresh_schools(school_ids=[late.pk])
    services.submission_submit(scope=Scope.country(), user=None, period_id=approved.pk, school_id=late.pk)
    services.submissions_return(scope=scope, user=province_user, period_id=approved.pk, school_ids=[late.pk],
                                comment="Sai sĩ số")
    assert _assert_exact(approved) == before


def test_the_national_freeze_fills_the_rollup(period, ministry_user, school_a, school_b, school_other_province):
    for school in (school_a, school_b, school_other_province):
        make_student(school)
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    services.period_freeze_national(scope=Scope.for_user(ministry_user), user=ministry_user, period_id=period.pk)
    rollup = _assert_exact(period)
    assert (_pupils(rollup, "01"), _pupils(rollup, "79")) == (2, 1)


@pytest.mark.parametrize(("scope", "filters", "groups"), [
    (Scope.country(), {}, ("province", "level", "ownership")),
    (Scope.country(), {}, ("level", "ownership")),
    (Scope.country(), {}, ("province",)),
    (Scope.country(), {"level": "primary"}, ("province",)),
    (Scope.country(), {"province": "01"}, ("commune", "level", "ownership")),
    (Scope(PROVINCE, province_code="01"), {"province": "01"}, ("commune", "level", "ownership")),
    (Scope(PROVINCE, province_code="01"), {"province": "79"}, ("commune",)),
    (Scope(PROVINCE, province_code="79"), {}, ()),
    # The communes' totals read as they are (a province's page), whatever the groups' order; the rows by commune x
    # level x ownership summed when a level, an ownership or a commune is chosen.
    (Scope.country(), {"province": "01"}, ("ownership", "commune")),
    (Scope.country(), {}, ("commune",)),
    (Scope.country(), {"province": "01", "level": "primary"}, ("commune", "level")),
    (Scope.country(), {"commune": "school_a"}, ("level", "ownership")),
])
def test_official_sums_from_the_rollup_are_those_from_the_frozen_rows(approved, ministry_user, school_a, scope, filters,
                                                                        groups, django_assert_num_queries):
    services.province_accept(scope=Scope.country(), user=ministry_user, period_id=approved.pk, province_code="01")
    filters = {k: school_a.commune_id if v == "school_a" else v for k, v in filters.items()}
    metrics = ["pupils", "pupils_female", "staff", "pupils_without_id"]
    args = {"scope": scope, "period": approved.pk, "school_year": approved.school_year,
            "filters": {"school_year": approved.school_year, **filters}, "groups": groups, "metrics": metrics}
    with django_assert_num_queries(1) as queries:
        from_rollup = selectors.official_sums(**args)
    assert "reporting_officialrollup" in statement_text(queries.captured_queries[0]["sql"])
    assert from_rollup == selectors._frozen_sums(**args)
    assert from_rollup[0]["approved"] > 0 or filters.get("province") == "79"
    # A year the period is not of has no official figures (as from the frozen rows).
    other = {**args, "school_year": approved.school_year - 1}
    assert selectors.official_sums(**other) == selectors._frozen_sums(**other)
