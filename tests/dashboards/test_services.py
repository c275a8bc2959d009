"""The refresh (full and per school) against an independent computation over the raw rows,
after random changes made through the services."""
import datetime as dt
import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.scope import Scope
from dashboards.metrics import METRIC_NAMES
from dashboards.models import SchoolStats
from dashboards.services import stats_refresh_all, stats_refresh_schools
from dashboards.tasks import refresh_leavers_due, refresh_school_stats
from edu_portal.common.models import current_school_year
from schools.models import School, grades_taught
from students import services as student_services
from students.models import Enrollment, Student
from teachers.models import StaffMember
from tests import queued
from tests.factories import make_staff, make_student

from .conftest import grade_of, measure_day, pupil, random_ratings, result_record
from .oracle import oracle


def assert_stats_match_raw(year: int) -> int:
    """Every metric of every school's row equals the oracle; returns the number of rows checked."""
    expected, pupil_mm, staff_mm = oracle(year)
    rows = {r.school_id: r for r in SchoolStats.objects.filter(school_year=year)}
    assert set(rows) == set(School.objects.values_list("pk", flat=True))
    for school_id, row in rows.items():
        got = {m: getattr(row, m) for m in METRIC_NAMES}
        want = {m: expected.get(school_id, {}).get(m, 0) for m in METRIC_NAMES}
        assert got == want, {m: (got[m], want[m]) for m in METRIC_NAMES if got[m] != want[m]}
        assert row.pupil_mismatch_fields == dict(pupil_mm.get(school_id, {}))
        assert row.staff_mismatch_fields == dict(staff_mm.get(school_id, {}))
        school = School.objects.get(pk=school_id)
        assert (row.province_id, row.commune_id, row.level, row.ownership) == (
            school.province_id, school.commune_id, school.level, school.ownership)
    return len(rows)


def random_changes(rng: random.Random, schools: list[School], rounds: int = 16) -> set[int]:
    """Uploads, transfers, verification results, results and measurements, at random. Returns
    the ids of the schools touched."""
    scope, year = Scope.country(), current_school_year()
    touched: set[int] = set()
    for _ in range(rounds):
        action = rng.choice(["create", "transfer", "verify", "mismatch", "result", "measure", "drop", "staff"])
        students = list(Student.objects.order_by("pk"))
        student = rng.choice(students)
        if action == "create":
            school = rng.choice(schools)
            pupil(school, rng=rng, grade=rng.randint(*grades_taught(school.level)))
            touched.add(school.pk)
        elif action == "transfer":
            target = rng.choice([s for s in schools if s.pk != student.school_id])
            touched |= {student.school_id, target.pk}
            student_services.student_transfer(scope=scope, student=student, to_school=target,
                                              grade=rng.randint(*grades_taught(target.level)), class_name="9B")
        elif action in ("verify", "mismatch"):
            # What the verification workers write once the registry has answered.
            fields = rng.sample(["full_name", "date_of_birth", "gender"], rng.randint(1, 2)) if action == "mismatch" else []
            Student.objects.filter(pk=student.pk).update(
                verification_status="mismatch" if fields else rng.choice(["verified", "not_found", "error"]),
                verification_mismatch_fields=fields)
            touched.add(student.school_id)
        elif action == "result":
            grade = grade_of(student, year)
            if grade:
                result_record(student, year=year, term=rng.choice([0, 1, 2]), grade=grade,
                              **random_ratings(rng, grade))
                touched.add(student.school_id)
        elif action == "measure":
            student_services.physical_record_add(scope=scope, student=student, measured_on=measure_day(year),
                                                 height_cm=rng.randint(100, 170), weight_kg=rng.randint(15, 80))
            touched.add(student.school_id)
        elif action == "drop":
            student_services.student_enrollment_set_status(scope=scope, student=student,
                                                           status=rng.choice(["dropped_out", "completed"]))
            touched.add(student.school_id)
        else:
            school = rng.choice(schools)
            make_staff(school, qualification=rng.choice(["college", "master"]),
                       position=rng.choice(["teacher", "other"]))
            touched.add(school.pk)
    return touched


def test_full_refresh_equals_raw_aggregates(world):
    assert stats_refresh_all() == len(world)
    assert assert_stats_match_raw(current_school_year()) == len(world)
    assert SchoolStats.objects.filter(school_id=world[-1].pk, staff__gt=0).exists()


@pytest.mark.parametrize("seed", [1, 2])
def test_random_changes_then_full_refresh(world, seed):
    stats_refresh_all()
    random_changes(random.Random(seed), world)
    stats_refresh_all()
    assert_stats_match_raw(current_school_year())


@pytest.mark.parametrize("seed", [4])
def test_incremental_refresh_of_the_touched_schools(world, seed):
    stats_refresh_all()
    touched = random_changes(random.Random(seed), world)
    stats_refresh_schools(school_ids=sorted(touched))
    assert_stats_match_raw(current_school_year())


def test_incremental_refresh_leaves_other_schools_alone(world):
    stats_refresh_all()
    before = {r.school_id: r.computed_at for r in SchoolStats.objects.all()}
    a, b = world[0], world[1]
    pupil(a, rng=random.Random(9))
    assert stats_refresh_schools(school_ids=[a.pk]) == 1
    after = SchoolStats.objects.get(school=a)
    assert after.pupils == Enrollment.objects.filter(school=a, status="studying").count()
    assert SchoolStats.objects.get(school=b).computed_at == before[b.pk]
    assert stats_refresh_schools(school_ids=[]) == 0


def test_a_pupil_measured_several_times_counts_once_with_the_latest(world):
    """The latest measurement of the year (then the last recorded) is the one counted, by the full refresh and
    the refresh of the school: the weights make the earlier measurements differ from the latest."""
    scope, year = Scope.country(), current_school_year()
    last = measure_day(year)
    students = list(Student.objects.filter(enrollments__school_year=year).order_by("pk")[:4])
    for n, student in enumerate(students):
        for days, weight in [(40, 60), (10, 14), (20 + n, 35)][: 2 + n % 2]:
            student_services.physical_record_add(scope=scope, student=student, measured_on=last - dt.timedelta(days=days),
                                                 height_cm=130, weight_kg=weight)
    stats_refresh_all()
    assert assert_stats_match_raw(year) == len(world)
    nutrition = [m for m in METRIC_NAMES if m.startswith("nutrition_")]
    assert sum(getattr(r, m) for r in SchoolStats.objects.filter(school_year=year) for m in nutrition) == (
        Student.objects.filter(physical_records__school_year=year).distinct().count())
    SchoolStats.objects.all().delete()
    stats_refresh_all(years=[year])
    assert_stats_match_raw(year)
    stats_refresh_schools(school_ids=sorted({s.school_id for s in students}))
    assert_stats_match_raw(year)


def test_a_pupil_measured_at_two_schools_counts_at_the_latest_ones_after_either_refresh(world):
    """Measured at school A, then later in the year at school B (moved, or measured by a visiting team): the
    latest measurement counts, at B; refreshing A alone must not count the earlier one at A (its latest among
    A's records only)."""
    from students.models import PhysicalRecord

    year = current_school_year()
    last = measure_day(year)
    student = Student.objects.filter(enrollments__school_year=year).order_by("pk").first()
    other = School.objects.exclude(pk=student.school_id).order_by("pk").first()
    PhysicalRecord.objects.filter(student=student, school_year=year).delete()
    student_services.physical_record_add(scope=Scope.country(), student=student,
                                         measured_on=last - dt.timedelta(days=30), height_cm=130, weight_kg=30)
    PhysicalRecord.objects.create(student=student, school=other, school_year=year, measured_on=last, height_cm=131,
                                  weight_kg=31, bmi=18, nutrition_status="normal", height_status="normal")
    stats_refresh_all()
    assert_stats_match_raw(year)
    stats_refresh_schools(school_ids=[student.school_id])
    assert_stats_match_raw(year)


def test_pupils_complete_counts_each_pupil_once_whatever_their_terms_and_measurements(world):
    """pupils_complete is counted in the physical records' branch, left-joined to one result row per pupil and year:
    a pupil with results in three terms and two measurements counts once; with results only, or measurements only,
    not at all (by both refreshes: the full one and the one of the school)."""
    from students.models import AcademicResult, PhysicalRecord

    year = current_school_year()
    school = world[0]
    both, results_only, measured_only = (Student.objects.filter(enrollments__school_year=year, school=school,
                                                                enrollments__status="studying",
                                                                enrollments__grade__gte=1)
                                         .order_by("pk")[:3])
    AcademicResult.objects.filter(student__in=[both, results_only, measured_only], school_year=year).delete()
    PhysicalRecord.objects.filter(student__in=[both, results_only, measured_only], school_year=year).delete()
    for pupil_ in (both, results_only):
        grade = grade_of(pupil_, year)
        for term in (0, 1, 2):
            result_record(pupil_, year=year, term=term, grade=grade, **random_ratings(random.Random(term), grade))
    last = measure_day(year)
    for pupil_ in (both, measured_only):
        for days in (0, 10):
            student_services.physical_record_add(scope=Scope.country(), student=pupil_, height_cm=130, weight_kg=30,
                                                 measured_on=last - dt.timedelta(days=days))
    expected = oracle(year)[0][school.pk]
    for refresh in (stats_refresh_all, lambda: stats_refresh_schools(school_ids=[school.pk])):
        refresh()
        row = SchoolStats.objects.get(school=school, school_year=year)
        assert (row.pupils_complete, row.pupils_with_result, row.pupils_with_physical) == (
            expected["pupils_complete"], expected["pupils_with_result"], expected["pupils_with_physical"])
        assert row.pupils_complete >= 1
        assert row.pupils_with_result >= row.pupils_complete + 1 <= row.pupils_with_physical
    assert_stats_match_raw(year)


def test_previous_years_get_their_own_rows(world):
    last_year = current_school_year() - 1
    student = Student.objects.filter(school=world[0]).first()
    Enrollment.objects.create(student=student, school=world[1], school_year=last_year, grade=2, class_name="2A")
    stats_refresh_all()
    assert SchoolStats.objects.filter(school_year=last_year).count() == len(world)
    assert assert_stats_match_raw(last_year) == len(world)


def test_incremental_refresh_keeps_a_row_per_school_and_year(world):
    last_year = current_school_year() - 1
    student = Student.objects.filter(school=world[0]).first()
    Enrollment.objects.create(student=student, school=world[1], school_year=last_year, grade=2, class_name="2A")
    stats_refresh_all()
    # The only pupil of last year leaves school 1's history: school 1 still has a row for that year.
    Enrollment.objects.filter(school_year=last_year).update(school=world[2])
    stats_refresh_schools(school_ids=[world[1].pk, world[2].pk])
    assert SchoolStats.objects.filter(school_year=last_year).count() == len(world)
    assert_stats_match_raw(last_year)


def test_celery_task_refreshes_the_given_schools(world):
    result = refresh_school_stats.apply(args=[[world[0].pk, world[2].pk]])
    assert result.get() == 2
    assert set(SchoolStats.objects.values_list("school_id", flat=True)) == {world[0].pk, world[2].pk}


def test_mismatch_reasons_counted_per_field(world):
    StaffMember.objects.update(verification_status="verified", verification_mismatch_fields=[])
    Student.objects.filter(pk__in=Student.objects.filter(school=world[0]).values("pk")[:2]).update(
        verification_status="mismatch", verification_mismatch_fields=["full_name", "gender"])
    stats_refresh_all()
    row = SchoolStats.objects.get(school=world[0])
    assert row.pupil_mismatch_fields == {"full_name": 2, "gender": 2}
    assert row.pupils_ver_mismatch == 2


def test_management_command(world):
    from django.core.management import call_command

    call_command("stats_refresh", verbosity=0)
    assert SchoolStats.objects.count() == len(world)
    call_command("stats_refresh", school=[world[0].pk], verbosity=0)
    assert SchoolStats.objects.count() == len(world)
    SchoolStats.objects.filter(school=world[0]).delete()
    call_command("stats_refresh", if_empty=True, verbosity=0)  # rows exist: nothing done
    assert SchoolStats.objects.count() == len(world) - 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_do_not_collide(world):
    """A partial refresh started while a full one runs waits for it instead of failing on the
    unique (school, year) constraint."""
    import threading

    from django.db import connection

    stats_refresh_all()
    errors = []

    def partial():
        try:
            stats_refresh_schools(school_ids=[world[0].pk])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    from django.db import transaction

    with transaction.atomic():
        stats_refresh_all()  # holds the lock until this block commits
        thread = threading.Thread(target=partial)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the lock
    thread.join(timeout=30)
    assert not errors
    assert SchoolStats.objects.filter(school_id=world[0].pk).count() == 1
    assert_stats_match_raw(current_school_year())


@pytest.mark.parametrize("refresh", ["all", "years", "schools"])
def test_each_rating_scale_is_counted_by_the_pupils_grade(multi_level, refresh):
    """A multi-level school: grades 1-5 on Circular 27/2020's scale, 6-12 on 22/2021's, whatever
    the school's level; conduct "tot" counted once per scale; a rating of the wrong scale nowhere. The same from
    the refresh of the current year alone (the beat's), which limits the results' enrollments to the year."""
    if refresh == "all":
        stats_refresh_all()
    elif refresh == "years":
        stats_refresh_all(years=[current_school_year()])
    else:
        stats_refresh_schools(school_ids=[multi_level.pk])
    row = SchoolStats.objects.get(school=multi_level, school_year=current_school_year())
    learning = {r: getattr(row, f"learning_1_{r}") for r in
                ("hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "chua_hoan_thanh", "tot", "kha", "dat",
                 "chua_dat")}
    assert learning == {"hoan_thanh_xuat_sac": 1, "hoan_thanh_tot": 1, "hoan_thanh": 2, "chua_hoan_thanh": 0,
                        "tot": 1, "kha": 1, "dat": 0, "chua_dat": 0}
    assert {r: getattr(row, f"conduct_1_primary_{r}") for r in ("tot", "dat", "can_co_gang")} == {
        "tot": 3, "dat": 1, "can_co_gang": 0}
    assert {r: getattr(row, f"conduct_1_secondary_{r}") for r in ("tot", "kha", "dat", "chua_dat")} == {
        "tot": 1, "kha": 1, "dat": 0, "chua_dat": 0}
    assert assert_stats_match_raw(current_school_year()) == 1


def test_a_released_transfer_counts_out_at_the_old_school_and_in_at_the_new(school_a, school_other_province,
                                                                            school_user):
    """Released across provinces: the sending school counts the pupil as transferred out (not studying),
    the receiving one as studying, the pupil's result counted once, by its school of record."""
    from accounts.models import Role
    from tests.factories import UserFactory, make_student

    year = current_school_year()
    moving, staying = make_student(school_a), make_student(school_a)
    result_record(moving, year=year, term=1, grade=3, **random_ratings(random.Random(1), 3))
    clerk = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    transfer = student_services.transfer_request_create(
        scope=Scope.for_user(clerk), user=clerk, to_school=school_other_province, pupil_code=moving.pupil_code,
        date_of_birth=moving.date_of_birth, grade=3, class_name="3A")
    student_services.transfer_release(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk)
    stats_refresh_all()
    old = SchoolStats.objects.get(school=school_a, school_year=year)
    new = SchoolStats.objects.get(school=school_other_province, school_year=year)
    assert (old.pupils, old.enrol_transferred_out, old.enrol_transferred_in) == (1, 1, 0)
    assert (new.pupils, new.enrol_transferred_out, new.enrol_transferred_in, new.pupils_grade_3) == (1, 0, 1, 1)
    results = [m for m in METRIC_NAMES if m.startswith("learning_1_")]
    assert sum(getattr(old, m) for m in results) + sum(getattr(new, m) for m in results) == 1
    assert staying.school_id == school_a.pk
    assert_stats_match_raw(year)


# --- Issue 15: moves and leavers counted from their dates, refreshed when their day comes ----------

def _run_queued_refreshes() -> set[int]:
    """Run the statistics refreshes the writes asked for (the real task, as a worker would), and
    return the schools they named."""
    named: set[int] = set()
    for name, args, _kwargs in queued.queued_tasks():
        if name == "dashboards.refresh_schools":
            named |= set(args[0])
            refresh_school_stats(*args)
    queued.clear()
    return named


def _row(school) -> SchoolStats:
    return SchoolStats.objects.get(school=school, school_year=current_school_year())


def test_a_release_refreshes_both_schools_transferred_out_and_in(school_a, school_b, school_user, school_user_b,
                                                                 django_capture_on_commit_callbacks):
    moving = make_student(school_a, grade=4)
    make_student(school_a, grade=4)
    stats_refresh_all()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transfer = student_services.transfer_request_create(
            scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_b,
            pupil_code=moving.pupil_code, date_of_birth=moving.date_of_birth, grade=4, class_name="4B")
        student_services.transfer_release(scope=Scope.for_user(school_user), user=school_user,
                                          transfer_id=transfer.pk)
    assert _run_queued_refreshes() == {school_a.pk, school_b.pk}
    old, new = _row(school_a), _row(school_b)
    assert (old.pupils, old.enrol_transferred_out, old.enrol_transferred_in) == (1, 1, 0)
    assert (new.pupils, new.enrol_transferred_out, new.enrol_transferred_in, new.pupils_grade_4) == (1, 0, 1, 1)
    assert_stats_match_raw(current_school_year())


def test_a_leaver_recorded_ahead_counts_until_the_day_then_the_daily_task_takes_them_out(
        school_a, school_b, django_capture_on_commit_callbacks):
    leaving, _staying = make_student(school_a), make_student(school_a)
    make_student(school_b)
    stats_refresh_all()
    scope, today = Scope.country(), timezone.localdate()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        student_services.student_withdraw(scope=scope, student=leaving, status="dropped_out",
                                          left_on=today + dt.timedelta(days=3), reason="Theo gia đình")
    _run_queued_refreshes()
    row = _row(school_a)
    assert (row.pupils, row.enrol_dropped_out) == (2, 0)  # still studying until the day
    assert_stats_match_raw(current_school_year())
    # Nothing is due today: the daily task refreshes no school.
    assert refresh_leavers_due() == []
    # The day comes (the calendar cannot be moved in a test: the leaver's day is moved to today).
    Enrollment.objects.filter(student=leaving).update(left_on=today)
    assert (_row(school_a).pupils, _row(school_a).enrol_dropped_out) == (2, 0)  # pre-aggregated: not yet
    assert refresh_leavers_due() == [school_a.pk]
    assert (_row(school_a).pupils, _row(school_a).enrol_dropped_out) == (1, 1)
    assert refresh_leavers_due() == [school_a.pk]  # twice: the same figures
    assert (_row(school_a).pupils, _row(school_a).enrol_dropped_out) == (1, 1)
    assert _row(school_b).pupils == 1
    assert_stats_match_raw(current_school_year())


def test_a_leaver_of_the_past_leaves_at_once(school_a):
    pupil_ = make_student(school_a)
    student_services.student_withdraw(scope=Scope.country(), student=pupil_, status="moved_abroad",
                                      left_on=timezone.localdate())
    stats_refresh_schools(school_ids=[school_a.pk])
    assert (_row(school_a).pupils, _row(school_a).enrol_moved_abroad) == (0, 1)


def test_the_movements_show_on_the_school_page_and_the_area_tables(client, school_a, school_b, ministry_user):
    moving = make_student(school_a)
    student_services.student_transfer(scope=Scope.country(), student=moving, to_school=school_b, grade=3,
                                      class_name="3A")
    leaver = make_student(school_b)
    student_services.student_withdraw(scope=Scope.country(), student=leaver, status="dropped_out",
                                      left_on=timezone.localdate(), reason="Đi làm")
    stats_refresh_all()
    client.force_login(ministry_user)
    page = client.get(reverse("dashboards:school", args=[school_b.pk])).content.decode()
    table = page.split('data-testid="table-movements"', 1)[1].split("</table>", 1)[0]
    assert "Chuyển đến" in table and "Chuyển đi" in table and "Bỏ học" in table
    counts = dict(re.findall(r'<td data-col="label">([^<]+)</td><td data-col="count">(\d+)</td>', table))
    assert (counts["Chuyển đến"], counts["Chuyển đi"], counts["Bỏ học"]) == ("1", "0", "1")
    area = client.get(reverse("dashboards:province", args=["01"])).content.decode()
    table = area.split('data-testid="table-movements"', 1)[1].split("</table>", 1)[0]
    row_b = table.split(f'data-key="{school_b.commune_id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-col="enrol_transferred_in">1</td>' in row_b and '<td data-col="enrol_dropped_out">1</td>' in row_b
    csv = client.get(reverse("dashboards:province", args=["01"]), {"export": "csv", "table": "movements"})
    assert "Chuyển đến" in csv.content.decode()


def test_a_past_year_counts_its_pupils_as_of_its_last_day_of_teaching(school_a):
    """Issue 17: a past year's figures keep the pupils who completed it (closed on 31 May by the year-end)
    and no longer move with the calendar; one who dropped out during it has left it."""
    from edu_portal.common.models import current_school_year
    from students.models import Enrollment
    from tests.factories import make_student

    year = current_school_year() - 1
    completer = make_student(school_a, grade=5, class_name="5A", school_year=year, id_number=None)
    Enrollment.objects.filter(student=completer, school_year=year).update(
        status="completed", left_on=dt.date(year + 1, 5, 31))
    dropout = make_student(school_a, grade=4, class_name="4A", school_year=year, id_number=None)
    Enrollment.objects.filter(student=dropout, school_year=year).update(status="dropped_out",
                                                                         left_on=dt.date(year + 1, 1, 15))
    stats_refresh_all()
    row = SchoolStats.objects.get(school=school_a, school_year=year)
    assert (row.pupils, row.pupils_grade_5, row.pupils_grade_4) == (1, 1, 0)
    assert (row.enrol_completed, row.enrol_dropped_out) == (1, 1)
