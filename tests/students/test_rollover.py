"""The turn of the school year (students.yearend.year_rollover): every continuing pupil enrolled in the
new year, the undecided provisionally and decided later by their school; once a year; past years untouched."""
import datetime as dt

import pytest

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from students import yearend
from students.models import Enrollment, EnrollmentStatus, Term, YearEndDecision, YearRollover
from tests.factories import SchoolFactory
from tests.students.test_yearend import YEAR, enrol, outcomes, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(school_a):
    return school_a, SchoolFactory(province_id="79", level="lower_secondary")


def test_the_rollover_enrols_every_continuing_pupil_and_leaves_the_year_as_it_was(schools):
    primary, secondary = schools
    up, last, summer, none, top_none = (enrol(primary, 3), enrol(primary, 5), enrol(primary, 2), enrol(primary, 4),
                                        enrol(primary, 5, class_name="5B"))
    result(up, primary, Term.WHOLE_YEAR, "hoan_thanh_tot", "tot")
    result(last, primary, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    result(summer, primary, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    eighth = enrol(secondary, 8, class_name="8A")
    before = {(e.pk, e.grade, e.class_name, e.status) for e in Enrollment.objects.filter(school_year=YEAR)}

    marker = yearend.year_rollover(year=YEAR)

    nxt = {e.student_id: (e.grade, e.class_name, e.provisional) for e in Enrollment.objects.filter(school_year=YEAR + 1)}
    assert nxt == {up.pk: (4, "4A", True),        # decided: promoted
                   summer.pk: (2, "2A", True),    # awaiting the summer: carried in the same grade
                   none.pk: (5, "5A", True),      # no result yet: carried up
                   eighth.pk: (9, "9A", True)}    # another school, another province: the whole country turns
    # Completed grade 5 leaves; a grade-5 pupil without a result is not carried (they leave either way).
    assert Enrollment.objects.get(student=last, school_year=YEAR).status == EnrollmentStatus.COMPLETED
    assert top_none.pk not in nxt
    assert marker.finished_at and marker.counts == {"promoted": 1, "completed_level": 1, "carried_summer": 1,
                                                    "carried_no_result": 2}
    # The year itself is as it was, but for the completion the year-end records.
    after = {(e.pk, e.grade, e.class_name, e.status) for e in Enrollment.objects.filter(school_year=YEAR)}
    assert {row for row in before if row[0] != Enrollment.objects.get(student=last, school_year=YEAR).pk} <= after
    # Once a year: a second run changes nothing.
    assert yearend.year_rollover(year=YEAR).pk == marker.pk
    assert Enrollment.objects.filter(school_year=YEAR + 1).count() == 4


def test_the_school_decides_its_carried_pupils_later(schools):
    primary, _secondary = schools
    summer, none = enrol(primary, 2), enrol(primary, 4)
    result(summer, primary, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    yearend.year_rollover(year=YEAR)
    # Still theirs to decide: the proposals list them.
    assert outcomes(primary) == {summer.pk: "summer", none.pk: "no_result"}
    result(summer, primary, Term.RESIT, "hoan_thanh", "dat")      # passed the re-assessment: up
    result(none, primary, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    result(none, primary, Term.RESIT, "chua_hoan_thanh", "dat")   # failed: repeats grade 4
    counts = yearend.year_end_commit(scope=Scope.country(), user=None, school_ids=[primary.pk], year=YEAR)
    assert counts == {"promoted": 1, "repeats": 1}
    nxt = {e.student_id: (e.grade, e.provisional) for e in Enrollment.objects.filter(school_year=YEAR + 1)}
    assert nxt == {summer.pk: (3, True), none.pk: (4, True)}
    assert outcomes(primary) == {}
    # The carried enrollments are gone, and no decision points at a row that no longer exists.
    assert not YearEndDecision.objects.filter(outcome__in=["summer", "no_result"], next_enrollment__isnull=False).exists()


def test_a_carried_enrollment_the_school_confirmed_is_kept(schools):
    primary, _secondary = schools
    none = enrol(primary, 4)
    yearend.year_rollover(year=YEAR)
    carried = Enrollment.objects.get(student=none, school_year=YEAR + 1)
    yearend.classes_confirm(scope=Scope.country(), school=primary, year=YEAR + 1)
    # Confirmed: the school has decided by confirming its class; the pupil is not proposed again.
    assert outcomes(primary) == {}
    assert Enrollment.objects.get(student=none, school_year=YEAR + 1).pk == carried.pk


def test_a_school_may_undo_the_rollovers_commit_of_its_own(schools):
    primary, _secondary = schools
    up = enrol(primary, 3)
    result(up, primary, Term.WHOLE_YEAR, "hoan_thanh_tot", "tot")
    yearend.year_rollover(year=YEAR)
    commit = yearend.latest_commits(school=primary, year=YEAR).first()
    yearend.year_end_undo(scope=Scope.country(), user=None, year_end_id=commit.pk)
    assert not Enrollment.objects.filter(school_year=YEAR + 1).exists()
    assert outcomes(primary) == {up.pk: "promoted"}


def test_the_rollover_is_due_once_in_the_weeks_after_the_first_of_august(db):
    assert yearend.year_rollover_due(dt.date(2026, 8, 1)) == 2025
    assert yearend.year_rollover_due(dt.date(2026, 9, 30)) == 2025
    assert yearend.year_rollover_due(dt.date(2026, 7, 31)) is None
    assert yearend.year_rollover_due(dt.date(2026, 12, 2)) is None   # a portal installed mid-year does not guess
    YearRollover.objects.create(school_year=2025, finished_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    assert yearend.year_rollover_due(dt.date(2026, 8, 2)) is None


def test_a_year_not_over_does_not_turn(db):
    with pytest.raises(AppError):
        yearend.year_rollover(year=current_school_year())


def _proposals(sql: str, schools: list[int]) -> set[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, {"schools": schools, "year": YEAR})
        return set(cursor.fetchall())


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rollovers_hash_join_proposals_equal_a_schools_probes(schools, seed):
    """The rollover computes the country's proposals with joins (ROLLOVER_PROPOSALS_SQL), a school's commit
    with index probes (PROPOSALS_SQL): on a random mix of results, decisions, carried and confirmed next-year
    enrollments and pending transfers, both give the same rows."""
    import random

    from students.models import TransferRequest

    rng = random.Random(seed)
    primary, secondary = schools
    pupils = []
    for _ in range(30):
        school = rng.choice(schools)
        low, top = (1, 5) if school is primary else (6, 9)
        pupil = enrol(school, rng.randint(low, top))
        pupils.append((pupil, school))
        if rng.random() < 0.6:
            result(pupil, school, Term.WHOLE_YEAR, *(("hoan_thanh", "dat") if school is primary else ("kha", "kha"))
                   if rng.random() < 0.7 else (("chua_hoan_thanh", "dat") if school is primary else ("chua_dat", "dat")))
    yearend.year_rollover_part(year=YEAR, school_ids=[primary.pk])  # decided and carried at one school
    for pupil, school in rng.sample(pupils, 8):
        nxt = Enrollment.objects.filter(student=pupil, school_year=YEAR + 1).first()
        if nxt is not None and rng.random() < 0.5:
            nxt.provisional = False  # the school confirmed the class
            nxt.save(update_fields=["provisional"])
        elif nxt is None and rng.random() < 0.5:
            TransferRequest.objects.create(student=pupil, from_school=school, to_school=rng.choice(schools),
                                           grade=3, class_name="3A")
    ids = [primary.pk, secondary.pk]
    probes = _proposals(yearend.PROPOSALS_SQL, ids)
    assert probes == _proposals(yearend.ROLLOVER_PROPOSALS_SQL, ids)
    assert len({row[7] for row in probes}) >= 2  # not vacuous
    assert any(row[9] is not None for row in probes)  # carried pupils are proposed again, with their enrollment


def test_a_rollover_part_run_twice_writes_nothing_more(schools):
    primary, secondary = schools
    up, summer, none = enrol(primary, 3), enrol(primary, 2), enrol(secondary, 7)
    result(up, primary, Term.WHOLE_YEAR, "hoan_thanh", "dat")
    result(summer, primary, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    first = yearend.year_rollover_part(year=YEAR, school_ids=[primary.pk, secondary.pk])
    assert first == {"promoted": 1, "carried_summer": 1, "carried_no_result": 1}
    rows = set(Enrollment.objects.filter(school_year=YEAR + 1).values_list("pk", "student_id", "grade", "carried"))
    assert {r[1:] for r in rows} == {(up.pk, 4, False), (summer.pk, 2, True), (none.pk, 8, True)}
    # A task delivered again (acks_late): the same rows, nothing counted twice.
    assert yearend.year_rollover_part(year=YEAR, school_ids=[primary.pk, secondary.pk]) == {}
    assert set(Enrollment.objects.filter(school_year=YEAR + 1).values_list("pk", "student_id", "grade",
                                                                           "carried")) == rows
    # Carried pupils get no journal row: they are undecided.
    assert not YearEndDecision.objects.filter(student__in=[summer, none]).exists()


def test_the_schools_are_dealt_into_the_parts_round_robin():
    assert yearend.rollover_parts([5, 1, 4, 2, 3], 2) == [[1, 3, 5], [2, 4]]
    assert yearend.rollover_parts([7], 2) == [[7]]  # no empty part
    assert yearend.rollover_parts([], 2) == []


@pytest.mark.django_db(transaction=True)
def test_two_parts_written_at_the_same_time_neither_wait_nor_differ_from_one_part(school_a):
    """The workers run the rollover's parts at once (ROLLOVER_PARTS), each in a transaction of its own: both are
    open and written together (a part that waited for the other would miss the barrier), and the new year is what
    one part for every school makes."""
    import threading

    from django.db import connection, transaction

    primary, secondary = school_a, SchoolFactory(province_id="79", level="lower_secondary")
    up, summer, none, eighth = enrol(primary, 3), enrol(primary, 2), enrol(primary, 4), enrol(secondary, 8)
    result(up, primary, Term.WHOLE_YEAR, "hoan_thanh_tot", "tot")
    result(summer, primary, Term.WHOLE_YEAR, "chua_hoan_thanh", "dat")
    parts = yearend.rollover_parts([primary.pk, secondary.pk])
    assert len(parts) == 2
    barrier, counts, errors = threading.Barrier(2, timeout=30), [], []

    def run(part):
        try:
            with transaction.atomic():
                counts.append(yearend.year_rollover_part(year=YEAR, school_ids=part))
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks, at once
                barrier.wait()  # both parts written and not committed
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(part,)) for part in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(counts, start=type(counts[0])()) == {"promoted": 1, "carried_summer": 1, "carried_no_result": 2}
    nxt = {e.student_id: (e.school_id, e.grade, e.class_name, e.provisional, e.carried)
           for e in Enrollment.objects.filter(school_year=YEAR + 1)}
    assert nxt == {up.pk: (primary.pk, 4, "4A", True, False), summer.pk: (primary.pk, 2, "2A", True, True),
                   none.pk: (primary.pk, 5, "5A", True, True), eighth.pk: (secondary.pk, 9, "9A", True, True)}
