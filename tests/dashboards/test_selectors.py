"""Rollups, scope and filters of the statistics selectors, checked against raw GROUP BY."""
import pytest
from django.utils import timezone

from accounts.scope import PROVINCE, SCHOOL, Scope
from dashboards.presentation import completeness_by_school, indicator_tables
from dashboards.raw import raw_figures
from dashboards.selectors import school_stats_get, stats_mismatch_reasons, stats_summary
from dashboards.services import stats_refresh_all, stats_refresh_schools
from edu_portal.common.exceptions import AppError, NotInScope
from schools.models import School
from verification.models import VerificationStatus

RAW_KEYS = ["schools", "connected", "pupils", "staff"] + [f"{p}_ver_{v}" for p in ("pupils", "staff")
                                                            for v in VerificationStatus.values]


def assert_same(figures: dict, raw: dict):
    assert {k: figures[k] for k in RAW_KEYS} == {k: raw.get(k, 0) for k in RAW_KEYS}


@pytest.fixture
def refreshed(world):
    School.objects.filter(pk=world[0].pk).update(last_synced_at=timezone.now())
    stats_refresh_all()
    return world


def test_rollups_equal_raw_group_by(refreshed):
    scope = Scope.country()
    groups = ("province", "commune", "level", "ownership", "school")
    summary = stats_summary(scope=scope, groups=groups)
    assert_same(summary.total, raw_figures(scope=scope)[None])
    for group in groups:
        raw = raw_figures(scope=scope, group=group)
        assert {r["key"] for r in summary.groups[group]} == set(raw), group
        for row in summary.groups[group]:
            assert_same(row, raw[row["key"]])


def test_filters_equal_raw(refreshed):
    for filters in [{"level": "preschool"}, {"ownership": "private"}, {"province": "79"},
                    {"province": "01", "level": "primary"}, {"commune": refreshed[0].commune_id}]:
        summary = stats_summary(scope=Scope.country(), filters=filters, groups=("province",))
        assert_same(summary.total, raw_figures(scope=Scope.country(), filters=filters)[None])
        assert summary.total["schools"] >= 1, filters


def test_connected_schools_counted(refreshed):
    total = stats_summary(scope=Scope.country()).total
    assert total["connected"] == 1
    assert total["schools"] == len(refreshed)


def test_province_scope_sees_only_its_province(refreshed):
    scope = Scope(PROVINCE, province_code="01")
    summary = stats_summary(scope=scope, groups=("province", "school"))
    assert [r["key"] for r in summary.groups["province"]] == ["01"]
    assert {r["key"] for r in summary.groups["school"]} == {refreshed[0].pk, refreshed[1].pk}
    # Asking for another province's figures yields nothing, not even counts.
    other = stats_summary(scope=scope, filters={"province": "79"})
    assert other.total["schools"] == 0 and other.total["pupils"] == 0 and other.total["staff"] == 0
    assert_same(summary.total, raw_figures(scope=scope)[None])


def test_school_scope_sees_only_its_school(refreshed):
    school = refreshed[0]
    scope = Scope(SCHOOL, school_id=school.pk, province_code=school.province_id)
    summary = stats_summary(scope=scope, groups=("school",))
    assert [r["key"] for r in summary.groups["school"]] == [school.pk]
    with pytest.raises(NotInScope):
        school_stats_get(scope=scope, pk=refreshed[1].pk)
    assert school_stats_get(scope=scope, pk=school.pk).total["pupils"] == summary.total["pupils"]


def test_bad_filters_are_app_errors(db):
    for filters in [{"level": "university"}, {"school_year": "1990"}, {"province": "xx"}, {"commune": "1' or 1=1"}]:
        with pytest.raises(AppError) as err:
            stats_summary(scope=Scope.country(), filters=filters)
        assert err.value.code == "invalid_filter"


def test_figures_follow_a_refresh(refreshed):
    """The per-process cache is keyed by the statistics version: a refresh shows at once."""
    from .conftest import pupil

    before = stats_summary(scope=Scope.country()).total["pupils"]
    import random

    pupil(refreshed[0], rng=random.Random(1))
    assert stats_summary(scope=Scope.country()).total["pupils"] == before
    stats_refresh_schools(school_ids=[refreshed[0].pk])
    assert stats_summary(scope=Scope.country()).total["pupils"] == before + 1


def test_indicator_tables(refreshed):
    summary, tables = indicator_tables(scope=Scope.country())
    by_name = {t.name: t for t in tables}
    total = summary.total
    grades = by_name["enrollment_by_grade"]
    assert sum(r["count"] for r in grades.rows) == total["pupils"]
    ptr = by_name["pupils_per_teacher"].rows[-1]
    assert ptr["pupils_per_teacher"] == round(total["pupils"] / total["staff_teacher"], 2)
    assert summary.term == 1  # only first-term results so far: the latest term assessed
    assert sum(r["count"] for r in by_name["learning_ratings_primary"].rows) > 0
    assert by_name["mismatch_reasons"].rows == [{"label": "Họ và tên", "count": 2}]
    assert stats_mismatch_reasons(scope=Scope.country()) == [("full_name", 2)]
    assert sum(r["count"] for r in by_name["staff_verification"].rows) == total["staff"]


def test_completeness_weakest_first(refreshed):
    _, table = completeness_by_school(scope=Scope.country())
    pcts = [r["completeness_pct"] for r in table.rows]
    assert pcts == sorted(pcts)
    for row in table.rows:
        assert row["completeness_pct"] == round(row["pupils_complete"] * 100 / row["pupils"], 2)


def test_refresh_task_warms_the_shared_cache_for_every_process(refreshed, django_assert_num_queries):
    """After the worker's refresh, a web process with an empty memo reads the overview from Redis
    instead of summing the per-school rows again, and sees the new figures."""
    import random

    from dashboards import cache
    from dashboards.tasks import refresh_school_stats

    from .conftest import pupil

    before = stats_summary(scope=Scope.country(), filters={}, groups=("province", "level", "ownership")).total
    pupil(refreshed[0], rng=random.Random(2))
    refresh_school_stats(school_ids=[refreshed[0].pk])  # what the worker runs after an upload
    cache._LOCAL["entries"].clear()  # another process
    with django_assert_num_queries(0):
        after = stats_summary(scope=Scope.country(), filters={}, groups=("province", "level", "ownership")).total
    assert after["pupils"] == before["pupils"] + 1
    with django_assert_num_queries(0):  # the refreshed school's province page too
        stats_summary(scope=Scope.country(), filters={"province": refreshed[0].province_id},
                      groups=("commune", "level", "ownership"))


def test_result_distributions_are_apart_with_percentages_per_scale(multi_level):
    """Learning and conduct, one distribution per scale, each over its own pupils."""
    stats_refresh_all()
    summary, tables = indicator_tables(scope=Scope.country())
    by_name = {t.name: t for t in tables}
    assert "learning_ratings" not in by_name and "conduct_ratings" not in by_name

    def dist(name):
        return [(str(r["label"]), r["count"], r["pct"]) for r in by_name[name].rows]

    primary, secondary = by_name["learning_ratings_primary"], by_name["learning_ratings_secondary"]
    assert "Tiểu học — TT 27/2020" in primary.title and primary.scale == "primary"
    assert "THCS, THPT — TT 22/2021" in secondary.title and secondary.scale == "secondary"
    assert dist("learning_ratings_primary") == [("Hoàn thành xuất sắc", 1, 25.0), ("Hoàn thành tốt", 1, 25.0),
                                                ("Hoàn thành", 2, 50.0), ("Chưa hoàn thành", 0, 0.0)]
    assert dist("learning_ratings_secondary") == [("Tốt", 1, 50.0), ("Khá", 1, 50.0), ("Đạt", 0, 0.0),
                                                  ("Chưa đạt", 0, 0.0)]
    assert dist("conduct_ratings_primary") == [("Tốt", 3, 75.0), ("Đạt", 1, 25.0), ("Cần cố gắng", 0, 0.0)]
    assert dist("conduct_ratings_secondary") == [("Tốt", 1, 50.0), ("Khá", 1, 50.0), ("Đạt", 0, 0.0),
                                                 ("Chưa đạt", 0, 0.0)]
    assert by_name["conduct_ratings_primary"].chart["datasets"][0]["data"] == [3, 1, 0]


def _todo(school) -> dict:
    from dashboards.selectors import school_todo

    scope = Scope(SCHOOL, school_id=school.pk, province_code=school.province_id)
    return {group.key: {item["pk"] for item in group.items} for group in school_todo(scope=scope)}


def test_school_todo_leaves_out_leavers_and_asks_teachers_main_subject(school_a):
    """Leavers and staff who left are asked nothing; a teacher without a main subject is missing data;
    a pupil with no enrollment at all (NULL latest status) is still listed."""
    import datetime as dt

    from students.models import Enrollment, EnrollmentStatus
    from students.services import school_year_start, student_withdraw
    from teachers.models import StaffMember
    from tests.factories import make_staff, make_student

    country = Scope.country(can_view_id_numbers=True)
    leaver = make_student(school_a, id_number=None)
    start = school_year_start(Enrollment.objects.get(student=leaver).school_year)
    student_withdraw(scope=country, student=leaver, status=EnrollmentStatus.COMPLETED,
                     left_on=min(timezone.localdate(), start + dt.timedelta(days=1)))
    no_number = make_student(school_a, id_number=None)
    never_enrolled = make_student(school_a)
    Enrollment.objects.filter(student=never_enrolled).delete()
    teacher = make_staff(school_a, main_subject="")
    with_subject = make_staff(school_a, main_subject="Toán")
    retired = make_staff(school_a, main_subject="")
    StaffMember.objects.filter(pk=retired.pk).update(employment_status="retired")
    todo = _todo(school_a)
    assert todo["student_no_id_number"] == {no_number.pk}
    assert todo["student_no_enrollment"] == {never_enrolled.pk}
    assert todo["staff_no_main_subject"] == {teacher.pk}
    assert with_subject.pk not in todo["staff_no_main_subject"]


def test_school_todo_shows_why_a_pupil_has_no_id_number(school_a):
    """Intake without an ID number (issue 16): the to-do line carries the reason given at intake."""
    from dashboards.selectors import school_todo
    from tests.factories import make_student

    pending = make_student(school_a, id_number=None, id_number_missing_reason="pending")
    other = make_student(school_a, id_number=None, id_number_missing_reason="other",
                         id_number_missing_note="Gia đình chưa làm khai sinh")
    scope = Scope(SCHOOL, school_id=school_a.pk, province_code=school_a.province_id)
    group = next(g for g in school_todo(scope=scope) if g.key == "student_no_id_number")
    reasons = {item["pk"]: item["reason"] for item in group.items}
    assert reasons[pending.pk].startswith("Lý do chưa có số định danh: Đang chờ cấp. Chưa có số định danh cá nhân")
    assert reasons[other.pk].startswith("Lý do chưa có số định danh: Gia đình chưa làm khai sinh.")


def test_cleaned_filters_are_kept_and_follow_the_years_on_record(refreshed):
    """Valid filters are cleaned once per process (dashboards.selectors.stats_clean), not again after every refresh.
    What was valid can stop being so: a year whose statistics are gone is no longer offered, and refused (the
    years on record are part of what is kept)."""
    from dashboards.cache import stats_version_bump
    from dashboards.models import SchoolStats
    from dashboards.selectors import stats_clean

    with pytest.raises(AppError):
        stats_clean(filters={"school_year": "2019"})
    first = stats_clean(filters={"level": "primary"})
    first.pop("level")  # a caller's copy: what it drops is not dropped for the next caller
    assert stats_clean(filters={"level": "primary"})["level"] == "primary"
    row = SchoolStats.objects.first()
    row.pk, row.school_year = None, 2019
    row.save()
    stats_version_bump()  # what a refresh does at commit
    assert stats_clean(filters={"school_year": "2019"})["school_year"] == 2019
    SchoolStats.objects.filter(school_year=2019).delete()
    stats_version_bump()
    with pytest.raises(AppError):
        stats_clean(filters={"school_year": "2019"})
