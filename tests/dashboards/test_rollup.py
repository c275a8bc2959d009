"""The statistics rollup (dashboards.rollup, StatsRollup): after every kind of refresh it equals the
sums of the per-school rows, and the selectors give the same figures from it as from those rows."""
from __future__ import annotations

import datetime as dt
import importlib
import random
from collections import Counter, defaultdict
from itertools import product

import pytest
from django.db import connection
from django.utils import timezone

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from dashboards import selectors
from dashboards.metrics import METRIC_NAMES
from dashboards.models import FlowStats, SchoolStats, StatsRollup
from dashboards.selectors import (
    ROLLUP_BY_COMMUNE,
    ROLLUP_BY_PROVINCE,
    SCHOOL_ROWS,
    stats_by_year_from,
    stats_mismatch_reasons_from,
    stats_rows_source,
    stats_summary,
    stats_summary_from,
)
from dashboards.services import (
    stats_refresh_all,
    stats_refresh_flows,
    stats_refresh_schools,
    stats_years_current,
)
from dashboards.tasks import refresh_current_year, refresh_flows
from edu_portal.common.models import current_school_year
from schools import services as school_services
from schools.models import CONNECTED_WINDOW, School
from students import services as student_services
from students.models import Enrollment, Student
from tests import queued
from tests.factories import SchoolFactory

from .conftest import pupil
from .test_flows import random_history
from .test_services import _run_queued_refreshes, random_changes

COUNTED = ["schools", "rows", *METRIC_NAMES]


def sums_of_school_rows() -> dict[tuple, dict]:
    """The rollup as it should be, summed in Python from SchoolStats: by province (commune '') and by
    commune, each × level × ownership and over every level and ownership (level = ownership = ''), and the
    country's (province ''). The synchronisations kept are those that may still count (rollup.SYNCED_SINCE)."""
    out: dict[tuple, dict] = {}
    since = timezone.now() - CONNECTED_WINDOW - dt.timedelta(days=1)
    for row in SchoolStats.objects.values():
        areas = [(row["province_id"], ""), (row["province_id"], row["commune_id"]), ("", "")]
        for (province, commune), (level, ownership) in product(areas, ((row["level"], row["ownership"]), ("", ""))):
            key = (row["school_year"], province, commune, level, ownership)
            agg = out.setdefault(key, {"counts": Counter(), "synced": [], "computed": [],
                                       "pupil_mm": Counter(), "staff_mm": Counter()})
            agg["counts"].update({m: row[m] for m in METRIC_NAMES})
            agg["counts"]["rows"] += 1
            if row["status"] == "open":
                agg["counts"]["schools"] += 1
                if row["last_synced_at"] is not None and row["last_synced_at"] >= since:
                    agg["synced"].append(row["last_synced_at"])
            agg["computed"].append(row["computed_at"])
            agg["pupil_mm"].update(row["pupil_mismatch_fields"])
            agg["staff_mm"].update(row["staff_mismatch_fields"])
    return {key: {**{c: agg["counts"][c] for c in COUNTED}, "synced": sorted(agg["synced"]),
                  "computed_at_min": min(agg["computed"]), "computed_at_max": max(agg["computed"]),
                  "pupil_mismatch_fields": dict(agg["pupil_mm"]), "staff_mismatch_fields": dict(agg["staff_mm"])}
            for key, agg in out.items()}


def stored_rollup() -> dict[tuple, dict]:
    columns = [*COUNTED, "synced", "computed_at_min", "computed_at_max", "pupil_mismatch_fields",
               "staff_mismatch_fields"]
    return {(r["school_year"], r["province_id"], r["commune_id"], r["level"], r["ownership"]): {c: r[c] for c in columns}
            for r in StatsRollup.objects.values()}


def assert_rollup_is_the_sums() -> int:
    want, got = sums_of_school_rows(), stored_rollup()
    assert set(got) == set(want), (set(got) ^ set(want))
    for key, row in want.items():
        diff = {c: (got[key][c], v) for c, v in row.items() if got[key][c] != v}
        assert not diff, (key, diff)
    return len(got)


def two_years(schools: list[School]) -> int:
    """Last year's enrollments for some pupils (so that there are two years of rows)."""
    last_year = current_school_year() - 1
    for student in Student.objects.order_by("pk")[::3]:
        Enrollment.objects.create(student=student, school=random.Random(student.pk).choice(schools),
                                  school_year=last_year, grade=2, class_name="2A")
    return last_year


def synced_variously(schools: list[School]) -> None:
    """Schools synchronised just now, inside and outside the window, long before (not kept in the rollup: it can
    never count again), never (the closed one)."""
    now = timezone.now()
    times = [now, now - CONNECTED_WINDOW + dt.timedelta(minutes=5), now - CONNECTED_WINDOW - dt.timedelta(hours=1),
             now - CONNECTED_WINDOW - dt.timedelta(days=3), None]
    for school, at in zip(schools, times, strict=False):
        School.objects.filter(pk=school.pk).update(last_synced_at=at)
    School.objects.filter(pk=schools[-1].pk).update(status="closed")


def test_the_full_refresh_builds_every_grain(world):
    synced_variously(world)
    two_years(world)
    stats_refresh_all()
    assert assert_rollup_is_the_sums() > 0
    years = set(StatsRollup.objects.values_list("school_year", flat=True))
    assert years == {current_school_year() - 1, current_school_year()}
    # By province: one row per (year, province, level, ownership), none with a commune.
    provinces = StatsRollup.objects.filter(commune_id="").exclude(level="").exclude(province_id="")
    assert provinces.count() == len({(y, s.province_id, s.level, s.ownership) for s in world for y in years})
    assert sum(provinces.values_list("rows", flat=True)) == SchoolStats.objects.count()
    # The country's: one row per (year, level, ownership).
    country = StatsRollup.objects.filter(province_id="", commune_id="").exclude(level="")
    assert country.count() == len({(y, s.level, s.ownership) for s in world for y in years})
    assert sum(country.values_list("rows", flat=True)) == SchoolStats.objects.count()
    # Over every level and ownership: one row per (year, province), per (year, commune) and per year.
    totals = StatsRollup.objects.filter(level="", ownership="")
    assert totals.filter(commune_id="").exclude(province_id="").count() == len({(y, s.province_id) for s in world
                                                                                for y in years})
    assert totals.exclude(commune_id="").count() == len({(y, s.commune_id) for s in world for y in years})
    assert totals.filter(province_id="").count() == len(years)
    for grain in (totals.filter(commune_id="").exclude(province_id=""), totals.filter(province_id="")):
        assert sum(grain.values_list("rows", flat=True)) == SchoolStats.objects.count()


@pytest.mark.parametrize("seed", [1, 4])
def test_a_partial_refresh_keeps_the_rollup_the_sums(world, seed):
    synced_variously(world)
    two_years(world)
    stats_refresh_all()
    touched = random_changes(random.Random(seed), world)
    stats_refresh_schools(school_ids=sorted(touched))
    assert_rollup_is_the_sums()


def test_a_transfer_between_provinces(world):
    stats_refresh_all()
    student = Student.objects.filter(school=world[0]).first()
    target = next(s for s in world if s.province_id != world[0].province_id)
    student_services.student_transfer(scope=Scope.country(), student=student, to_school=target, grade=3,
                                      class_name="3A")
    stats_refresh_schools(school_ids=[world[0].pk, target.pk])
    assert_rollup_is_the_sums()
    assert stats_summary_from(source=ROLLUP_BY_PROVINCE, scope=Scope.country(), filters={"province": target.province_id},
                              metrics=["enrol_transferred_in"]).total["enrol_transferred_in"] == 1


@pytest.mark.parametrize("changes", [{"level": "lower_secondary"}, {"ownership": "private"}, {"status": "closed"},
                                     {"province_id": "48"}])
def test_a_school_that_changes_area_level_ownership_or_status(world, changes, django_capture_on_commit_callbacks):
    """The edit asks for the school's refresh (every year of its rows copies its dimensions)."""
    synced_variously(world)
    two_years(world)
    stats_refresh_all()
    school = world[0]
    if "province_id" in changes:
        changes = changes | {"commune_id": SchoolFactory.build(province_id="48").commune_id}
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        school_services.school_update(scope=Scope.country(), school=school, **changes)
    assert _run_queued_refreshes() == {school.pk}
    assert_rollup_is_the_sums()
    for year in (current_school_year() - 1, current_school_year()):
        row = SchoolStats.objects.get(school=school, school_year=year)
        assert {k: getattr(row, k) for k in changes} == changes


def test_a_school_moved_to_another_commune_leaves_its_old_commune(world):
    from geo.models import Commune

    stats_refresh_all()
    school = world[0]
    old = school.commune_id
    alone = not School.objects.filter(commune_id=old).exclude(pk=school.pk).exists()
    other = Commune.objects.filter(province_id=school.province_id).exclude(code=old).order_by("code").first()
    school_services.school_update(scope=Scope.country(), school=school, commune_id=other.code)
    stats_refresh_schools(school_ids=[school.pk])
    assert_rollup_is_the_sums()
    assert StatsRollup.objects.filter(commune_id=other.code).exists()
    assert StatsRollup.objects.filter(commune_id=old).exists() != alone


def test_a_deleted_school_leaves_the_rollup(school_a, school_b, django_capture_on_commit_callbacks):
    stats_refresh_all()
    queued.clear()
    deleted = school_b.pk
    with django_capture_on_commit_callbacks(execute=True):
        school_services.school_delete(scope=Scope.country(), school=school_b)  # an empty school entered by mistake
    assert _run_queued_refreshes() == {deleted}
    assert not SchoolStats.objects.filter(school_id=deleted).exists()
    assert_rollup_is_the_sums()
    assert StatsRollup.objects.exclude(level="").exclude(province_id="").get(
        commune_id="", school_year=current_school_year()).rows == 1


def test_a_refresh_of_one_year_leaves_the_others_and_the_flows(world):
    last_year = two_years(world)
    stats_refresh_all()
    before = dict(SchoolStats.objects.filter(school_year=last_year).values_list("school_id", "computed_at"))
    rollup_before = set(StatsRollup.objects.filter(school_year=last_year).values_list("computed_at_max", "pupils"))
    flows_before = list(FlowStats.objects.order_by("pk").values_list("pk", "computed_at"))
    pupil(world[0], rng=random.Random(3), grade=2)
    Enrollment.objects.filter(school_year=last_year).update(grade=4)  # a past year's change, left alone
    rows = stats_refresh_all(years=[current_school_year()])
    assert rows == len(world)
    assert dict(SchoolStats.objects.filter(school_year=last_year).values_list("school_id", "computed_at")) == before
    assert set(StatsRollup.objects.filter(school_year=last_year).values_list("computed_at_max", "pupils")) == rollup_before
    assert list(FlowStats.objects.order_by("pk").values_list("pk", "computed_at")) == flows_before
    assert_rollup_is_the_sums()
    # The current year's rows are those a refresh of every year computes.
    current = {r["school_id"]: {m: r[m] for m in METRIC_NAMES}
               for r in SchoolStats.objects.filter(school_year=current_school_year()).values()}
    stats_refresh_all()
    assert current == {r["school_id"]: {m: r[m] for m in METRIC_NAMES}
                       for r in SchoolStats.objects.filter(school_year=current_school_year()).values()}


def test_a_refresh_of_a_year_without_rows_writes_none(world):
    stats_refresh_all()
    stats_refresh_all(years=[current_school_year() - 5])
    assert not SchoolStats.objects.filter(school_year=current_school_year() - 5).exists()
    assert SchoolStats.objects.filter(school_year=current_school_year()).count() == len(world)


def test_the_beat_refreshes_the_current_year_and_the_next_once_opened(world):
    current = current_school_year()
    assert stats_years_current() == [current]
    assert refresh_current_year.apply().get() == len(world)
    assert set(SchoolStats.objects.values_list("school_year", flat=True)) == {current}
    # A year-end opened the next year for one pupil.
    student = Student.objects.order_by("pk").first()
    Enrollment.objects.create(student=student, school=world[0], school_year=current + 1, grade=4, class_name="4A")
    assert stats_years_current() == [current, current + 1]
    assert refresh_current_year.apply().get() == 2 * len(world)
    assert SchoolStats.objects.filter(school_year=current + 1).count() == len(world)
    assert_rollup_is_the_sums()


def test_the_flows_are_refreshed_nightly_and_by_the_refresh_of_every_year(db):
    random_history(2)
    stats_refresh_all(years=[current_school_year()])
    assert not FlowStats.objects.exists()
    assert refresh_flows.apply().get() == FlowStats.objects.count() > 0
    flows = set(FlowStats.objects.values_list("school_id", "school_year", "grade", "gender", "age", "base"))
    FlowStats.objects.all().delete()
    stats_refresh_all()
    assert set(FlowStats.objects.values_list("school_id", "school_year", "grade", "gender", "age", "base")) == flows
    assert stats_refresh_flows() == len(flows)


def test_the_rows_each_selection_is_read_from(db):
    country, province = Scope.country(), Scope(PROVINCE, province_code="01")
    school = Scope(SCHOOL, school_id=1, province_code="01")
    assert stats_rows_source(scope=country, groups=("province", "level", "ownership")) == ROLLUP_BY_PROVINCE
    assert stats_rows_source(scope=province, filters={"province": "01"},
                             groups=("commune", "level", "ownership")) == ROLLUP_BY_COMMUNE
    assert stats_rows_source(scope=country, filters={"commune": "00004"}) == ROLLUP_BY_COMMUNE
    assert stats_rows_source(scope=country, filters={"commune": ""}) == ROLLUP_BY_PROVINCE
    assert stats_rows_source(scope=country, groups=("school",)) == SCHOOL_ROWS
    assert stats_rows_source(scope=country, filters={"school": 5}) == SCHOOL_ROWS
    assert stats_rows_source(scope=school) == SCHOOL_ROWS


def selections(schools: list[School]):
    """Scopes, filters and groups the pages and the API ask for, and some they could."""
    country, hanoi = Scope.country(), Scope(PROVINCE, province_code="01")
    commune = schools[0].commune_id
    for scope in (country, hanoi):
        for filters in ({}, {"level": "primary"}, {"ownership": "private"}, {"province": "01"}, {"province": "79"},
                        {"province": "01", "commune": commune}, {"commune": commune, "level": "primary"},
                        {"school_year": str(current_school_year() - 1)}):
            for groups in ((), ("province", "level", "ownership"), ("commune", "level", "ownership"),
                           ("level",), ("ownership", "province"), ("commune", "province")):
                yield scope, filters, groups


def test_the_figures_are_the_same_from_the_rollup_and_from_the_school_rows(world):
    synced_variously(world)
    two_years(world)
    random_changes(random.Random(2), world)
    stats_refresh_all()
    asked = 0
    for scope, filters, groups in selections(world):
        source = stats_rows_source(scope=scope, filters=filters, groups=groups)
        assert source != SCHOOL_ROWS
        for metrics in (None, METRIC_NAMES):
            rollup = stats_summary_from(source=source, scope=scope, filters=filters, groups=groups, metrics=metrics)
            rows = stats_summary_from(source=SCHOOL_ROWS, scope=scope, filters=filters, groups=groups, metrics=metrics)
            assert rollup == rows, (scope, filters, groups)
            asked += 1
        if not groups:
            assert stats_mismatch_reasons_from(source=source, scope=scope, filters=filters) == (
                stats_mismatch_reasons_from(source=SCHOOL_ROWS, scope=scope, filters=filters))
            assert stats_by_year_from(source=source, scope=scope, filters=filters) == (
                stats_by_year_from(source=SCHOOL_ROWS, scope=scope, filters=filters))
    # The figures compared are not all zeros: connected schools and mismatches among them.
    total = stats_summary_from(source=ROLLUP_BY_PROVINCE, scope=Scope.country()).total
    assert total["schools"] == len(world) - 1 and 0 < total["connected"] < total["schools"]
    assert stats_mismatch_reasons_from(source=ROLLUP_BY_PROVINCE, scope=Scope.country())
    assert len(stats_by_year_from(source=ROLLUP_BY_PROVINCE, scope=Scope.country())) == 2
    assert asked > 100


def test_connected_counts_the_window_to_the_microsecond(world, monkeypatch):
    """A school synchronised exactly CONNECTED_WINDOW ago is connected; one a microsecond earlier is not."""
    now = timezone.now()
    School.objects.filter(pk=world[0].pk).update(last_synced_at=now - CONNECTED_WINDOW)
    School.objects.filter(pk=world[1].pk).update(last_synced_at=now - CONNECTED_WINDOW - dt.timedelta(microseconds=1))
    stats_refresh_all()
    monkeypatch.setattr(selectors.timezone, "now", lambda: now)
    for source in (ROLLUP_BY_PROVINCE, ROLLUP_BY_COMMUNE, SCHOOL_ROWS):
        assert stats_summary_from(source=source, scope=Scope.country()).total["connected"] == 1, source


def test_the_pages_read_the_rollup(world):
    """The overview reads the rollup (a school row changed behind the refresh's back does not show),
    a school's figures the school's row."""
    stats_refresh_all()
    SchoolStats.objects.filter(school=world[0]).update(pupils=10_000)
    overview = stats_summary.uncached(scope=Scope.country(), groups=("province", "level", "ownership"))
    assert overview.total["pupils"] < 10_000
    assert selectors.school_stats_get(scope=Scope.country(), pk=world[0].pk).total["pupils"] == 10_000


def test_the_migration_fills_the_rollup_from_the_school_rows(world):
    synced_variously(world)
    two_years(world)
    Student.objects.filter(school=world[0]).update(verification_status="mismatch",
                                                   verification_mismatch_fields=["gender"])
    stats_refresh_all()
    built = stored_rollup()
    StatsRollup.objects.all().delete()
    migration = importlib.import_module("dashboards.migrations.0011_stats_rollup")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.fill(apps, editor)
        # The rows over every level and ownership came later, summed from those rows by their own migration; the
        # country's rows, and the synchronisations that can no longer count left out, later still.
        assert stored_rollup().keys() == {key for key in built if key[3] != "" and key[1] != ""}
        importlib.import_module("dashboards.migrations.0014_rollup_area_totals").fill(apps, editor)
        assert stored_rollup().keys() == {key for key in built if key[1] != ""}
        importlib.import_module("dashboards.migrations.0015_rollup_country_grain").fill(apps, editor)
    assert stored_rollup() == built


def test_per_key_sums_of_the_mismatch_fields(world):
    Student.objects.filter(school__province_id="01").update(verification_status="mismatch",
                                                            verification_mismatch_fields=["gender", "full_name"])
    stats_refresh_all()
    want: dict[str, Counter] = defaultdict(Counter)
    for row in SchoolStats.objects.filter(province_id="01"):
        want[row.level].update(row.pupil_mismatch_fields)
    got = {r.level: r.pupil_mismatch_fields for r in StatsRollup.objects.filter(province_id="01", commune_id="")}
    # The province's row over every level ('') sums the rows by level again.
    assert got == {level: dict(c) for level, c in want.items()} | {"": dict(sum(want.values(), Counter()))}
    assert sum(c["gender"] for c in want.values()) == Student.objects.filter(school__province_id="01").count()


def test_the_management_command_refreshes_the_years_asked_for(world):
    from django.core.management import call_command

    last_year = two_years(world)
    call_command("stats_refresh", year=[last_year], verbosity=0)
    assert set(SchoolStats.objects.values_list("school_year", flat=True)) == {last_year}
    assert set(StatsRollup.objects.values_list("school_year", flat=True)) == {last_year}
    assert_rollup_is_the_sums()


def test_a_schools_figures_summed_in_python_are_the_grouping_sets(world):
    """A school's page sums its row in Python (selectors._grouping_in_python), not by GROUPING SETS: the same
    figures as the query gives, checked over many schools' rows at once (closed, connected or not, two years)."""
    synced_variously(world)
    two_years(world)
    random_changes(random.Random(3), world)
    stats_refresh_all()
    since = timezone.now() - CONNECTED_WINDOW
    for scope in (Scope.country(), Scope(PROVINCE, province_code="79"),
                  *(Scope(SCHOOL, school_id=s.pk, province_code=s.province_id) for s in world)):
        for groups in ((), ("level",), ("level", "ownership")):
            for filters in ({}, {"school_year": str(current_school_year() - 1)}):
                summed = stats_summary_from(source=SCHOOL_ROWS, scope=scope, filters=filters, groups=groups,
                                            metrics=METRIC_NAMES)
                cleaned = selectors.stats_clean(filters=filters)
                rows = [dict(r) for r in SchoolStats.objects.filter(school_year=cleaned["school_year"]).values()
                        if scope.kind == COUNTRY or (scope.kind == PROVINCE and r["province_id"] == "79")
                        or r["school_id"] == scope.school_id]
                dims = [selectors.GROUPS[g] for g in groups]
                in_python = selectors._summary_of(selectors._grouping_in_python(rows, dims, METRIC_NAMES, since),
                                                  groups, dims, METRIC_NAMES, set(), selectors.derive, cleaned)
                assert in_python.total == summed.total, (scope, groups, filters)
                assert in_python.groups == summed.groups, (scope, groups, filters)
    assert stats_summary(scope=Scope(SCHOOL, school_id=world[0].pk, province_code=world[0].province_id)).total["pupils"]
