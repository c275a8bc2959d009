"""The year-end (xét lên lớp) and the new year's enrollments (issue 17).

For each pupil studying at a school in year Y, the year-end proposes from the year's results:

- Primary, grades 1-5 (Thông tư 27/2020/TT-BGDĐT, Điều 11-12): a pupil rated Hoàn thành xuất sắc, Hoàn
  thành tốt or Hoàn thành has completed the grade's programme and goes up; Chưa hoàn thành is helped over
  the summer and assessed again (đánh giá bổ sung), then goes up or stays in the grade.
- Lower and upper secondary, grades 6-12 (Thông tư 22/2021/TT-BGDĐT, Điều 12-13): kết quả học tập and
  kết quả rèn luyện both at least Đạt: up; a Chưa đạt in either is re-assessed in summer (kiểm tra lại,
  rèn luyện trong hè), then up or stays. (The 45-day absence rule of Điều 12 needs attendance, which the
  portal does not hold.)
- The summer's re-assessment is the result of term RESIT, read in place of the whole year's.
- Up from the last grade a school teaches (5, 9; a preschool's 5-6-year-olds) completes the level: the
  pupil waits for a school of the next level to take them in (a transfer request from it, or its intake
  upload). Grade 12 completes upper secondary.
- Preschool children (grade 0) move up by age (students.preschool): the 5-6-year-olds complete preschool.

Committing writes, in one set-based statement for any number of schools, the decisions and, for those
going up or staying, an enrollment in year Y+1 at the same school, `provisional` until the school
confirms its classes (class "3A" proposed as "4A"); completions close the year's enrollment as
completed on 31 May. Pupils awaiting the summer, without a whole-year result, in transit or already
enrolled in Y+1 are left for a later commit. A commit can be undone while the new year is not in use:
its enrollments untouched and provisional, and no result or measurement recorded for Y+1.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from edu_portal.common import period_locks
from edu_portal.common.bulk import bulk_statements
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year, school_year_label
from edu_portal.common.queue import enqueue_on_commit
from schools.models import LEVEL_GRADES, School

from . import services
from .models import (
    AcademicResult,
    ConductRating,
    Enrollment,
    EnrollmentStatus,
    LearningRating,
    PhysicalRecord,
    Term,
    YearEnd,
    YearEndOutcome,
    YearRollover,
)
from .preschool import age_group_sql

PRIMARY_PASS = (LearningRating.EXCELLENT, LearningRating.COMPLETED_WELL, LearningRating.COMPLETED)
SECONDARY_PASS = (LearningRating.GOOD, LearningRating.FAIR, LearningRating.PASS)
CONDUCT_PASS = (ConductRating.GOOD, ConductRating.FAIR, ConductRating.PASS)
PENDING = (YearEndOutcome.SUMMER, YearEndOutcome.NO_RESULT)
DECIDED = (YearEndOutcome.PROMOTED, YearEndOutcome.REPEATS, YearEndOutcome.COMPLETED_LEVEL,
           YearEndOutcome.GRADUATED)
LAST_PRESCHOOL_GROUP = "mg_5_6"


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


# The highest grade each level of school teaches (schools.models.LEVEL_GRADES).
_TOP_GRADE = "CASE sc.level " + " ".join(f"WHEN '{level}' THEN {top}" for level, (_low, top) in LEVEL_GRADES.items()) \
    + " ELSE 12 END"
_UP = (f"CASE WHEN e.grade = 12 THEN 'graduated' WHEN e.grade + 1 > {_TOP_GRADE} THEN 'completed_level' "
       "ELSE 'promoted' END")

# One row per pupil studying at the schools in the year and not decided yet, with the proposal.
# Every test of another table is an index probe per pupil (a LATERAL subquery with LIMIT, which
# PostgreSQL can only run as a nested loop over the index), never a join the planner sizes from
# statistics: during the rollover the next year's enrollments and the decisions grow by millions between
# statistics, and a join planned for "none" (a nested loop over a materialized scan) ran for hours where
# probes take microseconds (bench year_end).
_PASSED = {alias: (f"CASE WHEN e.grade <= 5 THEN {alias}.learning IN ({_sql_list(PRIMARY_PASS)}) "
                   f"ELSE {alias}.learning IN ({_sql_list(SECONDARY_PASS)}) "
                   f"AND {alias}.conduct IN ({_sql_list(CONDUCT_PASS)}) END") for alias in ("r", "z")}
_RESULT = ("LEFT JOIN LATERAL (SELECT x.learning_rating AS learning, x.conduct_rating AS conduct "
           "FROM students_academicresult x WHERE x.student_id = e.student_id AND x.school_year = e.school_year "
           "AND x.term = {term} LIMIT 1) {alias} ON true")
# The pupil's open enrollment of the next year, if any (one at most: the partial unique index), and whether
# it is one the rollover carried and the school has not touched (`replaceable`): a commit replaces those.
_REPLACEABLE = "(n.provisional AND n.carried AND n.status = 'studying')"
_COLUMNS = f"""e.id AS enrollment_id, e.student_id, e.school_id, e.grade, e.class_name, e.status, e.age_group,
       CASE
         WHEN e.grade = 0 AND e.age_group <> '{LAST_PRESCHOOL_GROUP}' THEN 'promoted'
         WHEN e.grade = 0 THEN {_UP}
         WHEN z.learning IS NOT NULL THEN CASE WHEN {_PASSED["z"]} THEN {_UP} ELSE 'repeats' END
         WHEN r.learning IS NULL THEN 'no_result'
         WHEN {_PASSED["r"]} THEN {_UP}
         ELSE 'summer'
       END AS outcome,
       {_UP} AS up,
       CASE WHEN nx.replaceable THEN nx.id END AS carried_id"""
_PUPILS = ("e.school_id = ANY(%(schools)s) AND e.school_year = %(year)s AND e.status = 'studying' "
           "AND (nx.id IS NULL OR nx.replaceable)")
_NO_TRANSFER = ("NOT EXISTS (SELECT 1 FROM students_transferrequest t WHERE t.student_id = e.student_id "
                "AND t.status = 'pending')")
PROPOSALS_SQL = f"""
SELECT {_COLUMNS}
FROM students_enrollment e
JOIN schools_school sc ON sc.id = e.school_id
{_RESULT.format(term=Term.WHOLE_YEAR, alias="r")}
{_RESULT.format(term=Term.RESIT, alias="z")}
LEFT JOIN LATERAL (SELECT 1 AS found FROM students_yearenddecision d JOIN students_yearend y ON y.id = d.year_end_id
                   WHERE d.enrollment_id = e.id AND y.undone_at IS NULL AND d.outcome IN ({_sql_list(DECIDED)})
                   LIMIT 1) decided ON true
LEFT JOIN LATERAL (SELECT n.id, {_REPLACEABLE} AS replaceable FROM students_enrollment n
                   WHERE n.student_id = e.student_id AND n.school_year = %(year)s + 1 AND n.status <> 'transferred_out'
                   LIMIT 1) nx ON true
WHERE {_PUPILS} AND decided.found IS NULL AND {_NO_TRANSFER}
"""  # noqa: S608 -- constants only; values are parameters

# The same proposals for the whole country at once (the rollover), shaped for hash joins: each table is read
# once, where 24 million index probes of each kind cost more than the writes (bench year_end). Run with
# nested loops off (year_rollover_part): the next year's enrollments may be "none" in the statistics.
_YEAR_RESULT = ("LEFT JOIN (SELECT x.student_id, x.learning_rating AS learning, x.conduct_rating AS conduct "
                "FROM students_academicresult x WHERE x.school_year = %(year)s AND x.term = {term}) {alias} "
                "ON {alias}.student_id = e.student_id")
ROLLOVER_PROPOSALS_SQL = f"""
SELECT {_COLUMNS}
FROM students_enrollment e
JOIN schools_school sc ON sc.id = e.school_id
{_YEAR_RESULT.format(term=Term.WHOLE_YEAR, alias="r")}
{_YEAR_RESULT.format(term=Term.RESIT, alias="z")}
LEFT JOIN (SELECT n.id, n.student_id, {_REPLACEABLE} AS replaceable FROM students_enrollment n
           WHERE n.school_year = %(year)s + 1 AND n.status <> 'transferred_out') nx ON nx.student_id = e.student_id
WHERE {_PUPILS}
  AND NOT EXISTS (SELECT 1 FROM students_yearenddecision d JOIN students_yearend y ON y.id = d.year_end_id
                  WHERE d.enrollment_id = e.id AND y.school_year = %(year)s AND y.undone_at IS NULL
                    AND d.outcome IN ({_sql_list(DECIDED)}))
  AND {_NO_TRANSFER}
"""  # noqa: S608 -- constants only; values are parameters

# A pupil's date of birth, probed per row (only preschool children need it, for their age group).
_BORN = "(SELECT s.date_of_birth FROM students_student s WHERE s.id = p.student_id)"

# The proposals of the schools being committed, computed once into a temporary table and analyzed, so
# that the statements after it (release, commit, the rollover's carry) are planned on true sizes.
_PROPOSALS_TABLE = ("DROP TABLE IF EXISTS _ye_proposals; "
                    "CREATE TEMP TABLE _ye_proposals ON COMMIT DROP AS {select}; "
                    "ANALYZE _ye_proposals")
PROPOSALS_TABLE_SQL = _PROPOSALS_TABLE.format(select=PROPOSALS_SQL)
ROLLOVER_PROPOSALS_TABLE_SQL = _PROPOSALS_TABLE.format(select=ROLLOVER_PROPOSALS_SQL)

# The next grade, and the class proposed in it: "3A" -> "4A" (a class named after its grade), else the same.
_NEXT_GRADE = "CASE WHEN p.grade = 0 AND p.age_group <> '" + LAST_PRESCHOOL_GROUP + \
    "' THEN 0 WHEN p.outcome = 'repeats' THEN p.grade ELSE p.grade + 1 END"
_NEXT_CLASS = (f"CASE WHEN p.class_name ~ ('^' || p.grade || '(\\D|$)') "
               f"THEN ({_NEXT_GRADE})::text || substr(p.class_name, length(p.grade::text) + 1) ELSE p.class_name END")

COMMIT_SQL = f"""
WITH decided AS MATERIALIZED (SELECT * FROM _ye_proposals WHERE outcome IN ({_sql_list(DECIDED)})),
ye AS (
    INSERT INTO students_yearend (school_id, school_year, committed_at, committed_by_id)
    SELECT DISTINCT school_id, %(year)s, now(), %(user)s::bigint FROM decided RETURNING id, school_id
),
next AS (
    INSERT INTO students_enrollment (student_id, school_year, school_id, grade, class_name, status, age_group,
                                     provisional, leave_reason, created_at, updated_at)
    SELECT p.student_id, %(year)s + 1, p.school_id, {_NEXT_GRADE}, left({_NEXT_CLASS}, 20), 'studying',
           CASE WHEN ({_NEXT_GRADE}) = 0 THEN {age_group_sql(grade="0", date_of_birth=_BORN,
                                                              school_year="(%(year)s + 1)")} ELSE '' END,
           true, '', now(), now()
    FROM decided p
    WHERE p.outcome IN ('promoted', 'repeats')
    RETURNING id, student_id
),
closed AS (
    UPDATE students_enrollment e SET status = 'completed', left_on = make_date(%(year)s + 1, 5, 31),
           leave_reason = %(completed_reason)s, updated_at = now()
    FROM decided p WHERE e.id = p.enrollment_id AND p.outcome IN ('completed_level', 'graduated')
    RETURNING e.id
),
decisions AS (
    INSERT INTO students_yearenddecision (year_end_id, student_id, enrollment_id, status_before, outcome, grade,
                                          next_enrollment_id)
    SELECT ye.id, p.student_id, p.enrollment_id, p.status, p.outcome, p.grade, next.id
    FROM decided p JOIN ye ON ye.school_id = p.school_id LEFT JOIN next ON next.student_id = p.student_id
    RETURNING outcome
)
SELECT outcome, count(*) FROM decisions GROUP BY outcome
"""  # noqa: S608 -- constants only; values are parameters

# Before a commit: the next-year enrollments the rollover carried for pupils now decided are let go (while
# still provisional and untouched: `carried_id` of the proposals), so that the commit makes the decided
# ones. A decision that still points at one (the pending journal rows of rollovers before migration 0026)
# is unlinked in the same statement.
RELEASE_SQL = f"""
WITH carried AS MATERIALIZED (
    SELECT carried_id AS id FROM _ye_proposals WHERE carried_id IS NOT NULL AND outcome IN ({_sql_list(DECIDED)})
),
unlinked AS (UPDATE students_yearenddecision d SET next_enrollment_id = NULL FROM carried
             WHERE d.next_enrollment_id = carried.id RETURNING d.id)
DELETE FROM students_enrollment n USING carried WHERE n.id = carried.id
"""  # noqa: S608 -- constants only; values are parameters

# The rollover (year_rollover): pupils still undecided on the turn of the year are carried into it
# provisionally, so that the new year counts them, in the grade the year-end will most likely give:
# the next one without a whole-year result yet (most pupils pass), the same one while awaiting the
# summer's re-assessment. The enrollment is flagged `carried` and no decision is written (they are
# undecided: a journal row per pupil of the country cost more than the enrollments themselves); the school's
# later commit replaces the carried enrollment. Pupils whose "next grade" would end the school's level are
# not carried: they leave the school either way. Returns the pupils carried by their pending outcome.
CARRY_SQL = f"""
WITH pending AS MATERIALIZED (
    SELECT p.*, CASE WHEN p.outcome = 'summer' THEN 'repeats' ELSE 'promoted' END AS way FROM _ye_proposals p
    WHERE p.outcome IN ({_sql_list(PENDING)}) AND (p.outcome = 'summer' OR p.up = 'promoted')
      AND p.carried_id IS NULL
),
next AS (
    INSERT INTO students_enrollment (student_id, school_year, school_id, grade, class_name, status, age_group,
                                     provisional, carried, leave_reason, created_at, updated_at)
    SELECT p.student_id, %(year)s + 1, p.school_id, {_NEXT_GRADE.replace("p.outcome", "p.way")},
           left({_NEXT_CLASS.replace("p.outcome", "p.way")}, 20), 'studying', '', true, true, '', now(), now()
    FROM pending p
    ORDER BY p.student_id
)
SELECT outcome, count(*) FROM pending GROUP BY outcome
"""  # noqa: S608 -- constants only; values are parameters


@dataclass(frozen=True)
class Proposal:
    enrollment_id: int
    student_id: int
    school_id: int
    grade: int
    class_name: str
    outcome: str


def year_end_proposals(*, school_ids: list[int], year: int) -> list[Proposal]:
    """The year-end's proposal for every pupil of the schools not decided yet (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(PROPOSALS_SQL + " ORDER BY e.grade, e.class_name, e.student_id",
                       {"schools": [int(i) for i in school_ids], "year": int(year)})
        return [Proposal(enrollment_id=row[0], student_id=row[1], school_id=row[2], grade=row[3],
                         class_name=row[4], outcome=row[7]) for row in cursor.fetchall()]


def _schools_in_scope(scope: Scope, school_ids: list[int]) -> list[int]:
    wanted = {int(i) for i in school_ids}
    allowed = list(scope.filter(School.objects.filter(pk__in=wanted), "").values_list("pk", flat=True))
    if len(allowed) != len(wanted):
        raise NotInScope()
    return sorted(allowed)


@transaction.atomic
def year_end_commit(*, scope: Scope, user, school_ids: list[int], year: int, refresh: bool = True) -> Counter:
    """Commit the proposals of the schools for `year` (one statement; see the module's docstring).
    Returns how many pupils got each outcome. `refresh=False`: the caller refreshes the statistics
    (the rollover: all of them at once)."""
    schools = _schools_in_scope(scope, school_ids)
    with connection.cursor() as cursor:
        counts = _commit(cursor, schools=schools, year=year, user=user, proposals=PROPOSALS_TABLE_SQL)
    if counts and refresh:
        services._statistics_changed(*schools)
    return counts


def _commit(cursor, *, schools: list[int], year: int, user, proposals: str) -> Counter:
    """The commit's statements, the proposals computed by `proposals` (a school's: index probes; the
    rollover's: hash joins). Leaves the proposals in _ye_proposals for the rollover's carry."""
    params = {"schools": schools, "year": int(year)}
    # The year-end writes a year whose reporting period may be approved: it closes completions after the last
    # day of teaching (the year's figures are as of 30 May) and opens the next year (period_locks).
    period_locks.bypass(cursor)
    # One commit at a time per school: a second would find the same pupils undecided.
    cursor.execute("SELECT id FROM schools_school WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [schools])
    cursor.execute(proposals, params)
    cursor.execute(RELEASE_SQL, params)
    cursor.execute(COMMIT_SQL, params | {"user": getattr(user, "pk", None),
                                         "completed_reason": _("Hoàn thành cấp học / chương trình")[:200]})
    return Counter(dict(cursor.fetchall()))


# The rollover runs in the first two months of the new year only: later, a school's own year-end is the
# way (a portal installed mid-year, or whose beat was down all summer, does not guess its pupils' years).
ROLLOVER_WINDOW = ((8, 1), (9, 30))


def year_rollover_due(today: dt.date | None = None) -> int | None:
    """The year to turn today, or None: in the window after 1 August, once per year."""
    today = today or timezone.localdate()
    start, end = (dt.date(today.year, *ROLLOVER_WINDOW[0]), dt.date(today.year, *ROLLOVER_WINDOW[1]))
    year = today.year - 1
    if not start <= today <= end or YearRollover.objects.filter(school_year=year, finished_at__isnull=False).exists():
        return None
    return year


# The rollover in parts (groups of schools), each part in a transaction of its own (a Celery task), run at the
# same time by the workers: as many parts as the database has cores (ROLLOVER_PARTS). Each part reads the tables
# once with hash joins (ROLLOVER_PROPOSALS_SQL: in parallel, on every core), then writes its pupils' enrollments
# and decisions, and checks their foreign keys at its commit: that writing is one process per transaction (an
# INSERT is never parallel in PostgreSQL; the deferred foreign-key checks are per row, ~40 % of the time), so that
# one part for the whole country kept one core idle for most of its 808 s (bench year_end, issue 17). The schools
# are dealt round-robin (by id), so that the parts have about the same number of pupils. The parts write disjoint
# pupils (one open enrollment per pupil and year) and lock disjoint schools: they do not wait for each other.
ROLLOVER_PARTS = 2


def rollover_parts(schools: list[int], parts: int = ROLLOVER_PARTS) -> list[list[int]]:
    """The schools (ids) dealt into `parts` parts, each sorted, none empty."""
    schools = sorted(schools)
    return [part for part in (schools[i::parts] for i in range(parts)) if part]


# A rollover started this long ago and not finished (a worker lost mid-way) may be started again: its
# parts are safe to run twice (the pupils decided or carried are not proposed again).
ROLLOVER_RESTART_AFTER = dt.timedelta(hours=6)


@transaction.atomic
def year_rollover_start(*, year: int, user=None) -> tuple[YearRollover, list[list[int]]]:
    """Begin turning `year` into the next (1 August; issue 17): the record of it, and the parts (groups of
    schools) to run, none when it is done or running."""
    if year >= current_school_year():
        raise AppError(_("Năm học %(year)s chưa kết thúc.") % {"year": school_year_label(year)},
                       code="year_not_over", status_code=409)
    marker, created = YearRollover.objects.select_for_update().get_or_create(
        school_year=year, defaults={"started_by": user})
    if marker.finished_at is not None or (not created and marker.parts_total
                                          and timezone.now() - marker.started_at < ROLLOVER_RESTART_AFTER):
        return marker, []
    schools = list(School.objects.order_by("pk").values_list("pk", flat=True))
    parts = rollover_parts(schools)
    marker.started_at, marker.parts_total, marker.part_counts = timezone.now(), len(parts), {}
    marker.save(update_fields=["started_at", "parts_total", "part_counts"])
    return marker, parts


@transaction.atomic
def year_rollover_part(*, year: int, school_ids: list[int]) -> Counter:
    """One part of the rollover: each school's year-end not committed yet is committed as proposed, and
    the pupils still undecided are carried into the new year provisionally (CARRY_SQL), so that the new
    year counts every continuing pupil from its first day. Every school keeps its own commit, which it may
    undo while the new year is not in use."""
    with connection.cursor() as cursor:
        # A row for every decided pupil: the decisions journal each (students_yearenddecision); the audit
        # trail records each statement once (edu_portal.common.bulk).
        bulk_statements(cursor, f"students_yearenddecision: year_rollover {year}")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Hash joins only while the proposals are computed (ROLLOVER_PROPOSALS_SQL); the statements after
        # them are planned on the analyzed proposals.
        cursor.execute("SET LOCAL enable_nestloop = off")
        schools = sorted({int(i) for i in school_ids})
        counts = _commit(cursor, schools=schools, year=year, user=None,
                         proposals=ROLLOVER_PROPOSALS_TABLE_SQL + "; SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute(CARRY_SQL, {"year": int(year)})
        carried = Counter({f"carried_{outcome}": n for outcome, n in cursor.fetchall()})
    return counts + carried


@transaction.atomic
def year_rollover_part_done(*, marker_id: int, part: int, counts: dict) -> YearRollover:
    """Record part number `part`'s counts; the last part finishes the rollover and refreshes every
    statistic. A part recorded twice (its task delivered again) counts once: the later run decided none."""
    marker = YearRollover.objects.select_for_update().get(pk=marker_id)
    marker.part_counts[str(part)] = dict(Counter(marker.part_counts.get(str(part), {})) + Counter(counts))
    marker.counts = dict(sum((Counter(c) for c in marker.part_counts.values()), Counter()))
    if len(marker.part_counts) >= marker.parts_total and marker.finished_at is None:
        marker.finished_at = timezone.now()
        enqueue_on_commit("dashboards.tasks.refresh_all_stats")
    marker.save(update_fields=["counts", "part_counts", "finished_at"])
    return marker


def year_rollover(*, year: int, user=None) -> YearRollover:
    """The whole rollover in this process, part after part (the Celery task runs parts in parallel)."""
    marker, parts = year_rollover_start(year=year, user=user)
    for number, part in enumerate(parts):
        marker = year_rollover_part_done(marker_id=marker.pk, part=number,
                                         counts=year_rollover_part(year=year, school_ids=part))
    return marker


def year_end_undo_blockers(year_end: YearEnd) -> list[str]:
    """Why a commit cannot be undone any more (empty: it can): the new year is in use."""
    decisions = year_end.decisions.all()
    made = [d.next_enrollment_id for d in decisions if d.next_enrollment_id]
    reasons = []
    if year_end.undone_at:
        reasons.append(_("Lần xét này đã được hoàn tác."))
    changed = Enrollment.objects.filter(pk__in=made).exclude(provisional=True, status=EnrollmentStatus.STUDYING)
    if changed.exists() or len(made) != Enrollment.objects.filter(pk__in=made).count():
        reasons.append(_("Trường đã xác nhận hoặc thay đổi lớp của năm học mới."))
    students = [d.student_id for d in decisions]
    if AcademicResult.objects.filter(student_id__in=students, school_year=year_end.school_year + 1).exists() or \
            PhysicalRecord.objects.filter(student_id__in=students, school_year=year_end.school_year + 1).exists():
        reasons.append(_("Năm học mới đã có kết quả học tập hoặc số đo thể lực."))
    return reasons


@transaction.atomic
def year_end_undo(*, scope: Scope, user, year_end_id: int) -> YearEnd:
    """Undo a commit while the new year is not in use: its enrollments are deleted, the completed ones
    reopened as they were."""
    year_end = YearEnd.objects.select_for_update().select_related("school").filter(pk=year_end_id).first()
    if year_end is None or not scope.contains_school(year_end.school):
        raise NotInScope()
    blockers = year_end_undo_blockers(year_end)
    if blockers:
        raise AppError(" ".join(blockers), code="year_in_use", status_code=409)
    decisions = list(year_end.decisions.all())
    with connection.cursor() as cursor:
        period_locks.bypass(cursor)  # as the commit it undoes (_commit)
    Enrollment.objects.filter(pk__in=[d.next_enrollment_id for d in decisions if d.next_enrollment_id]).delete()
    for status in {d.status_before for d in decisions}:
        Enrollment.objects.filter(pk__in=[d.enrollment_id for d in decisions if d.status_before == status
                                          and d.outcome in (YearEndOutcome.COMPLETED_LEVEL, YearEndOutcome.GRADUATED)]
                                  ).update(status=status, left_on=None, leave_reason="")
    year_end.undone_at, year_end.undone_by = timezone.now(), user
    year_end.save(update_fields=["undone_at", "undone_by"])
    services._statistics_changed(year_end.school_id)
    return year_end


def classes_confirm(*, scope: Scope, school: School, year: int, class_names: list[str] | None = None) -> int:
    """The school confirms its classes of `year` (all, or those named): their enrollments stop being
    provisional. Returns how many."""
    if not scope.contains_school(school):
        raise NotInScope()
    qs = Enrollment.objects.filter(school=school, school_year=year, provisional=True)
    if class_names:
        qs = qs.filter(class_name__in=class_names)
    return qs.update(provisional=False)


def latest_commits(*, school: School, year: int):
    return YearEnd.objects.filter(school=school, school_year=year).order_by("-committed_at")
