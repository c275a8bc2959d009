"""Duplicate pupils: two records of one person (issue 16), found, reviewed and merged.

Finding is PostgreSQL's work, never a home-made fuzzy matcher: names are compared as
lower(unaccent(name)) with pg_trgm's similarity (so "Thuý"/"Thúy", "Hoà"/"Hòa", NFD input and names
typed without diacritics compare equal or close), and candidates are blocked by joins: the same ID
number (a held number, HeldIdNumber, is how a second record of the same number exists), or the same
gender, the same birth date or the same with day and month swapped (Excel with US regional settings),
and the same given name without diacritics (the last word). The national scan reads the country once
and pairs each birth year's pupils with hash joins (_YEAR_PAIRS_SQL), upserting open pairs and leaving
decided ones as they are: a pair marked "not the same person" is never proposed again.

Known limit of the blocking: a typo in the given name itself escapes the name-and-birth-date block
(the ID-number block still catches a pair that shares a number).
"""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.tombstones import (
    DeletedRecord,
    KeyChangeReason,
    RecordKind,
    key_change_create,
    tombstone_create,
)
from schools.models import School

from . import services
from .models import (
    OPEN_ENROLLMENT,
    AcademicResult,
    DuplicateCandidate,
    DuplicateStatus,
    Enrollment,
    EnrollmentStatus,
    PhysicalRecord,
    Student,
    TransferRequest,
)

# A pair is stored from this score on; names must be at least this similar (pg_trgm, 0-1). At 0.7
# bench.duplicates measured precision 0.81 and recall 0.99 on planted duplicates (0.6: 0.53 and 1.0).
MIN_SCORE = 0.7
MIN_NAME_SIMILARITY = 0.5
# The form's warning is stricter than the queue: it interrupts a person typing.
FORM_MIN_NAME_SIMILARITY = 0.6

# The score's parts (they sum to 1): the name's similarity, the birth date (a swap counts 60%), the
# gender (always equal within a block), the birthplace (unknown on either side counts half). A pair
# whose two records carry different ID numbers keeps half of it, below MIN_SCORE: namesakes born the
# same day are common (bench.duplicates: half the pairs found were such). Unless the two numbers are
# one keystroke apart (fuzzystrmatch's levenshtein = 1): that is the typo of a clerk retyping a
# pupil (the demo seed plants it; half its planted pairs carry one), while two namesakes' numbers,
# whose last six digits are drawn at random, are that close about once in 20,000 pairs.
W_NAME, W_DOB, W_GENDER, W_PLACE = 0.55, 0.25, 0.10, 0.10
SWAP_FACTOR, ID_DIFFER_FACTOR, ID_TYPO_FACTOR = 0.6, 0.5, 0.9

# IMMUTABLE SQL functions of migration 0013: lower(unaccent(name)), and its last word (the given name).
_NAME = "student_name_key({t}.full_name)"
_GIVEN = "student_given_key({t}.full_name)"
# The same date with day and month swapped, where that is a date (day <= 12); else the date itself.
_SWAPPED = ("CASE WHEN extract(day FROM {t}.date_of_birth) <= 12 THEN make_date("
            "extract(year FROM {t}.date_of_birth)::int, extract(day FROM {t}.date_of_birth)::int, "
            "extract(month FROM {t}.date_of_birth)::int) ELSE {t}.date_of_birth END")

# A pupil's matching keys, as the pairs' scoring reads them (the national scan's snapshot has the same
# columns): the folded name, the birth date and its swap, gender, birthplace, ID number.
_KEYS = f"""SELECT s.id, s.date_of_birth AS d, {_SWAPPED.format(t="s")} AS sw, s.gender AS g,
       {_NAME.format(t="s")} AS name, s.id_number AS idn, s.birth_province_id AS place
FROM students_student s"""  # noqa: S608 -- module constants only

# The evidence of a pair (x, y) of key rows, and its score (the weights above).
_EVIDENCE = """round(similarity(x.name, y.name)::numeric, 2)::float AS name_sim,
       CASE WHEN x.d = y.d THEN 'same' WHEN y.d = x.sw THEN 'swapped' ELSE 'different' END AS dob,
       x.g = y.g AS gender,
       CASE WHEN x.place IS NULL OR y.place IS NULL THEN 'unknown'
            WHEN x.place = y.place THEN 'same' ELSE 'different' END AS place,
       coalesce(x.idn = y.idn, false) AS same_id,
       (x.idn IS NOT NULL AND y.idn IS NOT NULL AND x.idn <> y.idn) AS ids_differ,
       coalesce(x.idn <> y.idn AND levenshtein(x.idn, y.idn) = 1, false) AS id_typo"""
_SCORE = f"""CASE WHEN same_id THEN 1.0 ELSE round(((
              {W_NAME} * name_sim
            + {W_DOB} * CASE dob WHEN 'same' THEN 1 WHEN 'swapped' THEN {SWAP_FACTOR} ELSE 0 END
            + {W_GENDER} * CASE WHEN gender THEN 1 ELSE 0 END
            + {W_PLACE} * CASE place WHEN 'same' THEN 1 WHEN 'unknown' THEN 0.5 ELSE 0 END)
            * CASE WHEN id_typo THEN {ID_TYPO_FACTOR} WHEN ids_differ THEN {ID_DIFFER_FACTOR} ELSE 1 END
           )::numeric, 3)::float END"""

# Score and upsert the pairs of a `pairs` CTE (lo, hi: pupil ids, lo < hi), read afresh from the pupils:
# open pairs are refreshed, decided ones ("not the same person", merged) left as they are.
_UPSERT_SQL = f"""
scored AS (
    SELECT p.lo, p.hi, {_EVIDENCE}
    FROM pairs p JOIN ({_KEYS}) x ON x.id = p.lo JOIN ({_KEYS}) y ON y.id = p.hi
),
final AS (SELECT *, {_SCORE} AS score FROM scored)
INSERT INTO students_duplicatecandidate
    (pupil_a_id, pupil_b_id, code_a, code_b, province_a, province_b, score, evidence, status, found_at,
     kept_code, removed_code, undo)
SELECT f.lo, f.hi, x.pupil_code, y.pupil_code, sx.province_id, sy.province_id, f.score,
       jsonb_build_object('id_number', f.same_id, 'name', f.name_sim, 'date_of_birth', f.dob, 'gender', f.gender,
                          'birthplace', f.place, 'id_numbers_differ', f.ids_differ,
                          'id_number_typo', f.id_typo),
       'open', now(), '', '', '{{}}'::jsonb
FROM final f
JOIN students_student x ON x.id = f.lo JOIN schools_school sx ON sx.id = x.school_id
JOIN students_student y ON y.id = f.hi JOIN schools_school sy ON sy.id = y.school_id
WHERE f.score >= %(min_score)s
ON CONFLICT (pupil_a_id, pupil_b_id) DO UPDATE
    SET score = EXCLUDED.score, evidence = EXCLUDED.evidence, code_a = EXCLUDED.code_a,
        code_b = EXCLUDED.code_b, province_a = EXCLUDED.province_a, province_b = EXCLUDED.province_b
    WHERE students_duplicatecandidate.status = 'open'
"""  # noqa: S608 -- module constants only

# Every pair of a few pupils just written (a among them, b anywhere): index probes on the blocks
# (student_dup_block: birth date, gender, given name), once with the date as it is and once swapped (an
# IN or OR there would leave the planner only gender and given name), and on the ID number.
_PUPILS_PAIRS_SQL = f"""
WITH mine AS MATERIALIZED (
    SELECT a.id, a.gender, a.date_of_birth, {_SWAPPED.format(t="a")} AS swapped,
           {_GIVEN.format(t="a")} AS given, {_NAME.format(t="a")} AS name, a.id_number
    FROM students_student a WHERE a.id = ANY(%(ids)s)
),
found AS (
    SELECT m.id AS a_id, b.id AS b_id
    FROM mine m
    JOIN students_student b ON b.date_of_birth = m.date_of_birth AND b.gender = m.gender
         AND {_GIVEN.format(t="b")} = m.given AND b.id <> m.id
    WHERE similarity(m.name, {_NAME.format(t="b")}) >= %(min_name)s
    UNION ALL
    SELECT m.id, b.id
    FROM mine m
    JOIN students_student b ON b.date_of_birth = m.swapped AND b.gender = m.gender
         AND {_GIVEN.format(t="b")} = m.given
    WHERE m.swapped <> m.date_of_birth AND similarity(m.name, {_NAME.format(t="b")}) >= %(min_name)s
    UNION ALL
    SELECT m.id, b.id
    FROM mine m JOIN students_student b ON b.id_number = m.id_number AND b.id <> m.id
    WHERE m.id_number IS NOT NULL
),
pairs AS (SELECT DISTINCT least(a_id, b_id) AS lo, greatest(a_id, b_id) AS hi FROM found),
{_UPSERT_SQL}"""  # noqa: S608 -- module constants only; every value is a parameter

# The national scan reads the pupils of the birth years one job scans into a snapshot of their keys
# (dup_scan_keys, a temporary table: one sequential read instead of millions of index probes), then pairs
# each birth year's pupils inside it: a pair shares a birth date or its swap, and the swap keeps the year.
# `open`: no valid 12-digit number, so that any block-mate may be the same person.
_SCAN_KEYS_SQL = f"""
CREATE TEMPORARY TABLE dup_scan_keys AS
SELECT k.*, extract(year FROM k.d)::int AS yr,
       hashtextextended(k.g || ' ' || regexp_replace(k.name, '^.* ', ''), 0) AS blk,
       (k.idn IS NULL OR k.idn !~ '^[0-9]{{12}}$') AS open
FROM ({_KEYS} WHERE extract(year FROM s.date_of_birth)::int = ANY(%(years)s)) k
"""  # noqa: S608 -- constants; the years are a parameter

# Two numbered pupils of one block whose valid numbers are one digit apart: two of the three 4-digit
# parts of their numbers agree, an equality a hash join finds (one join per part; the date, the same
# or swapped, is checked on the few rows that share block and part).
_TYPO_JOINS = "".join(
    f"""    UNION ALL
    SELECT a.id, b.id FROM k a JOIN k b ON b.blk = a.blk AND b.{part} = a.{part}
    WHERE b.id <> a.id AND (b.d = a.d OR b.d = a.sw)
"""  # noqa: S608 -- constants only
    for part in ("p1", "p2", "p3"))

# One birth year's pairs, in two statements. First the candidates (dup_scan_cand). Two records whose
# valid numbers differ in more than one digit are namesakes, never stored (ID_DIFFER_FACTOR puts them
# below MIN_SCORE), and they are most block-mates: so only an `open` pupil is paired with its whole block
# (the block: the same birth date or its swap, gender and given name, `blk` hashing the last two), and
# numbered pupils by _TYPO_JOINS. All by hash joins (the session forbids the others for this statement:
# the planner cannot estimate these self-joins, and once chose sorts and nested loops, minutes a year).
_YEAR_CANDIDATES_SQL = f"""
CREATE TEMPORARY TABLE dup_scan_cand AS
WITH k AS MATERIALIZED (
    SELECT id, d, sw, blk, open,
           CASE WHEN NOT open THEN substr(idn, 5)::bigint END AS p1,
           CASE WHEN NOT open THEN (left(idn, 4) || right(idn, 4))::bigint END AS p2,
           CASE WHEN NOT open THEN left(idn, 8)::bigint END AS p3
    FROM dup_scan_keys WHERE yr = %(year)s
),
found AS (
    SELECT a.id AS a_id, b.id AS b_id FROM k a JOIN k b ON b.d = a.d AND b.blk = a.blk AND b.id <> a.id
    WHERE a.open
    UNION ALL
    SELECT a.id, b.id FROM k a JOIN k b ON b.d = a.sw AND b.blk = a.blk WHERE a.open AND a.sw <> a.d
{_TYPO_JOINS})
SELECT DISTINCT least(a_id, b_id) AS lo, greatest(a_id, b_id) AS hi FROM found"""  # noqa: S608 -- constants

# Then, the candidates analyzed, those that score at least MIN_SCORE on the snapshot (the same evidence
# and score as _UPSERT_SQL's) into dup_scan_pairs.
_YEAR_PAIRS_SQL = f"""
CREATE TEMPORARY TABLE dup_scan_pairs AS
WITH snapshot AS (
    SELECT c.lo, c.hi, {_EVIDENCE}
    FROM dup_scan_cand c JOIN dup_scan_keys x ON x.id = c.lo JOIN dup_scan_keys y ON y.id = c.hi
    -- The block again (`blk` is a hash), written so that it is no join clause.
    WHERE (x.g || ' ' || regexp_replace(x.name, '^.* ', '')) IS NOT DISTINCT FROM
          (y.g || ' ' || regexp_replace(y.name, '^.* ', ''))
      AND (x.open OR y.open OR levenshtein(x.idn, y.idn) <= 1) AND similarity(x.name, y.name) >= %(min_name)s
)
SELECT lo, hi FROM snapshot WHERE {_SCORE} >= %(min_score)s"""  # noqa: S608 -- constants; values are parameters

# Then those pairs, few, scored again from the pupils as they are now and upserted.
_YEAR_UPSERT_SQL = f"""
WITH pairs AS MATERIALIZED (SELECT lo, hi FROM dup_scan_pairs),
{_UPSERT_SQL}"""  # noqa: S608 -- module constants only

# Records sharing an ID number (a held number: HeldIdNumber), whatever their names and birth dates.
_SHARED_ID_PAIRS_SQL = f"""
WITH shared AS MATERIALIZED (
    SELECT id_number FROM students_student WHERE id_number IS NOT NULL GROUP BY id_number HAVING count(*) > 1
),
pairs AS (
    SELECT a.id AS lo, b.id AS hi
    FROM shared JOIN students_student a ON a.id_number = shared.id_number
    JOIN students_student b ON b.id_number = shared.id_number AND b.id > a.id
),
{_UPSERT_SQL}"""  # noqa: S608 -- module constants only


def _params() -> dict:
    return {"min_name": MIN_NAME_SIMILARITY, "min_score": MIN_SCORE}


def duplicates_scan_pupils(*, ids: list[int]) -> int:
    """The pairs of pupils just created or whose identity changed (a form, the API, an upload): they
    reach the review queue within seconds of the commit, not at the next national scan. Returns how
    many rows were written or refreshed."""
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_PUPILS_PAIRS_SQL, {"ids": [int(i) for i in ids], **_params()})
        return cursor.rowcount


def scan_birth_years() -> list[int]:
    """The pupils' birth years, one statement each in the national scan (student_dup_block's first column)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extract(year FROM min(date_of_birth))::int, extract(year FROM max(date_of_birth))::int "
                       "FROM students_student")
        first, last = cursor.fetchone()
    return [] if first is None else list(range(first, last + 1))


def scan_jobs(years: list[int], jobs: int) -> list[list[int]]:
    """The birth years dealt to `jobs` jobs in turn (neighbouring years, of similar sizes, apart)."""
    return [part for part in (years[i::max(1, jobs)] for i in range(max(1, jobs))) if part]


def _temp_buffers(cursor) -> None:
    # The snapshot is read once per birth year: held in this session's memory (temporary tables bypass
    # shared_buffers; the default 8 MB would reread it from the OS on every pass). Only settable before
    # the session's first temporary table: a connection that had one keeps what it had.
    try:
        with transaction.atomic():
            cursor.execute("SET temp_buffers = '2GB'")
    except DatabaseError:
        pass


def duplicates_scan_years(*, years: list[int], progress=None) -> dict[int, int]:
    """One job of the national scan: the pairs of pupils born in `years`, in one connection (its
    snapshot is a temporary table). Returns rows written or refreshed per year; safe to run twice."""
    written: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS dup_scan_keys")
        try:
            _temp_buffers(cursor)
            cursor.execute(_SCAN_KEYS_SQL, {"years": [int(y) for y in years]})
            cursor.execute("CREATE INDEX ON dup_scan_keys (id)")
            cursor.execute("ANALYZE dup_scan_keys")
            for year in years:
                cursor.execute("DROP TABLE IF EXISTS dup_scan_cand, dup_scan_pairs")
                with transaction.atomic():
                    # A year's hash joins hold a few million narrow rows at once.
                    cursor.execute("SET LOCAL work_mem = '512MB'")
                    cursor.execute("SET LOCAL enable_mergejoin = off")
                    cursor.execute("SET LOCAL enable_nestloop = off")
                    cursor.execute(_YEAR_CANDIDATES_SQL, {"year": int(year)})
                cursor.execute("ANALYZE dup_scan_cand")
                cursor.execute(_YEAR_PAIRS_SQL, _params())
                with transaction.atomic():
                    cursor.execute(_YEAR_UPSERT_SQL, _params())
                    written[year] = cursor.rowcount
                if progress:
                    progress(year, written[year])
        finally:
            cursor.execute("DROP TABLE IF EXISTS dup_scan_keys, dup_scan_cand, dup_scan_pairs")
    return written


def duplicates_scan_shared_ids() -> int:
    """The national scan's pairs of records sharing an ID number."""
    with connection.cursor() as cursor:
        cursor.execute(_SHARED_ID_PAIRS_SQL, _params())
        return cursor.rowcount


def duplicates_scan_country(*, jobs: int = 1, progress=None) -> dict:
    """The national scan: shared ID numbers, then every birth year, in `jobs` parallel jobs (threads,
    each with its own database connection; with 1, all in this connection and its transaction if any).
    Returns rows written or refreshed: "ids", and per birth year."""
    written: dict = {"ids": duplicates_scan_shared_ids()}
    groups = scan_jobs(scan_birth_years(), jobs)
    if jobs <= 1 or len(groups) <= 1:
        for group in groups:
            written.update(duplicates_scan_years(years=group, progress=progress))
        return written

    def job(group: list[int]) -> dict[int, int]:
        try:
            return duplicates_scan_years(years=group, progress=progress)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(job, groups):
            written.update(result)
    return written


# --- reads ---------------------------------------------------------------------------------

def duplicate_candidates(*, scope: Scope, status: str = DuplicateStatus.OPEN) -> QuerySet[DuplicateCandidate]:
    """The review queue: a province sees the pairs with at least one pupil in it; the ministry all;
    a school none (a pair spans schools it may not see)."""
    qs = DuplicateCandidate.objects.filter(status=status).select_related(
        "pupil_a__school", "pupil_b__school", "pupil_a__birth_province", "pupil_b__birth_province")
    if scope.kind == COUNTRY:
        return qs
    if scope.kind == PROVINCE:
        return qs.filter(Q(province_a=scope.province_code) | Q(province_b=scope.province_code))
    return qs.none()


def duplicate_candidate_get(*, scope: Scope, pk: int, for_update: bool = False) -> DuplicateCandidate:
    qs = duplicate_candidates(scope=scope)
    if for_update:
        qs = DuplicateCandidate.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    candidate = qs.filter(pk=pk).first()
    if candidate is None or candidate.pupil_a is None or candidate.pupil_b is None:
        raise NotInScope()
    return candidate


def merges_since(*, scope: Scope, since: dt.datetime | None = None) -> QuerySet[DuplicateCandidate]:
    """The key changes (old code -> new code) of merges, for the merged/ feed: API clients following
    `updated_since` learn which code a removed pupil now goes by."""
    qs = DuplicateCandidate.objects.filter(status=DuplicateStatus.MERGED)
    if scope.kind == PROVINCE:
        # By the provinces copied on the pair, as the tombstone feed filters on its copies.
        qs = qs.filter(Q(province_a=scope.province_code) | Q(province_b=scope.province_code))
    elif scope.kind != COUNTRY:
        # A school hears of the merges that touched its pupils: the kept one is its pupil now, or the
        # removed one was (its tombstone carries the school).
        removed_here = DeletedRecord.objects.filter(kind=RecordKind.STUDENT, code=OuterRef("removed_code"),
                                                    school_id=scope.school_id)
        qs = qs.filter(Q(pupil_a__school_id=scope.school_id) | Q(pupil_b__school_id=scope.school_id)
                       | Exists(removed_here))
    if since is not None:
        qs = qs.filter(decided_at__gte=since)
    return qs.order_by("decided_at", "id")


@dataclass(frozen=True)
class LikelyDuplicate:
    """What the add-pupil form may tell about a pupil of any school: name, birth date, school. Never
    the ID number or the pupil code."""

    full_name: str
    date_of_birth: dt.date
    school_name: str
    score: float


def student_likely_duplicates(full_name: str, date_of_birth: dt.date, gender: str, exclude_school=None,
                              *, limit: int = 5) -> list[LikelyDuplicate]:
    """Pupils a new record may duplicate, for the warning before it is created: the same gender,
    the same birth date (or day/month swapped), and a similar name without diacritics. One indexed
    query (student_dob_gender). `exclude_school`: a school whose own pupils are not meant."""
    swapped = date_of_birth
    if date_of_birth.day <= 12:
        swapped = dt.date(date_of_birth.year, date_of_birth.day, date_of_birth.month)
    sql = f"""
        SELECT s.full_name, s.date_of_birth, sc.name,
               similarity({_NAME.format(t="s")}, student_name_key(%(name)s)) AS sim
        FROM students_student s JOIN schools_school sc ON sc.id = s.school_id
        WHERE s.gender = %(gender)s AND s.date_of_birth IN (%(dob)s, %(swapped)s)
          AND (%(exclude)s::bigint IS NULL OR s.school_id <> %(exclude)s::bigint)
          AND similarity({_NAME.format(t="s")}, student_name_key(%(name)s)) >= %(min_name)s
        ORDER BY sim DESC, s.id LIMIT %(limit)s"""  # noqa: S608 -- constants; values are parameters
    params = {"name": full_name, "gender": gender, "dob": date_of_birth, "swapped": swapped,
              "exclude": getattr(exclude_school, "pk", exclude_school), "min_name": FORM_MIN_NAME_SIMILARITY,
              "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [LikelyDuplicate(full_name=name, date_of_birth=dob, school_name=school, score=round(sim, 2))
                for name, dob, school, sim in cursor.fetchall()]



def students_likely_duplicates_many(rows: list[tuple], exclude_school=None) -> dict[int, list[LikelyDuplicate]]:
    """student_likely_duplicates for many new rows at once (an upload's preview): one set-based
    query for all of them, so that the check costs little per row. Blocked as the national scan is
    (the given name without diacritics must agree), where the form's single check is broader. `rows`:
    (full_name, date_of_birth, gender[, id_number]); the answer maps a row's index to its likely
    duplicates (rows with none are left out). As the queue's score says, two valid ID numbers more than
    one digit apart are two people: a row with one is not warned of a pupil with such another
    (student_dup_block holds the number and the name, so the test needs no read of the table)."""
    if not rows:
        return {}
    swapped = [r[1].replace(month=r[1].day, day=r[1].month) if r[1].day <= 12 else r[1] for r in rows]
    # Each candidate is tested from student_dup_block alone (migration 0022): the folded name and the
    # number's validity are index columns, so nothing is computed per candidate but the similarity of
    # those the number leaves in. Two valid numbers one digit apart agree on their first or last six
    # digits: a LIKE (cheap) before the edit distance. Only the few that remain are read from the table.
    sql = f"""
        WITH typed AS MATERIALIZED (
            SELECT i - 1 AS i, student_name_key(name) AS name, dob, swapped, gender,
                   CASE WHEN student_id_valid(idn) THEN idn END AS idn
            FROM unnest(%(names)s::text[], %(dobs)s::date[], %(swapped)s::date[], %(genders)s::text[],
                        %(ids)s::text[]) WITH ORDINALITY AS t(name, dob, swapped, gender, idn, i)
        ), new AS MATERIALIZED (
            SELECT i, name, regexp_replace(name, '^.* ', '') AS given, d AS dob, gender, idn,
                   '______' || right(idn, 6) AS idn_tail, left(idn, 6) || '______' AS idn_head
            FROM typed CROSS JOIN LATERAL (SELECT DISTINCT d FROM unnest(ARRAY[dob, swapped]) AS u(d)) AS dates
        )
        SELECT new.i, s.full_name, s.date_of_birth, sc.name, similarity({_NAME.format(t="s")}, new.name) AS sim
        FROM new
        JOIN students_student s ON s.date_of_birth = new.dob AND s.gender = new.gender
             AND {_GIVEN.format(t="s")} = new.given
        JOIN schools_school sc ON sc.id = s.school_id
        WHERE (new.idn IS NULL OR student_id_valid(s.id_number) IS NOT TRUE
               OR ((s.id_number LIKE new.idn_tail OR s.id_number LIKE new.idn_head)
                   AND levenshtein_less_equal(new.idn, s.id_number, 1) <= 1))
          AND (%(exclude)s::bigint IS NULL OR s.school_id <> %(exclude)s::bigint)
          AND similarity({_NAME.format(t="s")}, new.name) >= %(min_name)s
        ORDER BY new.i, sim DESC, s.full_name, sc.name"""  # noqa: S608 -- constants; values are parameters
    params = {"names": [r[0] for r in rows], "dobs": [r[1] for r in rows], "swapped": swapped,
              "genders": [r[2] for r in rows], "ids": [(r[3] or None) if len(r) > 3 else None for r in rows],
              "exclude": getattr(exclude_school, "pk", exclude_school), "min_name": FORM_MIN_NAME_SIMILARITY}
    found: dict[int, list[LikelyDuplicate]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for i, name, dob, school, sim in cursor.fetchall():
            found.setdefault(i, []).append(LikelyDuplicate(full_name=name, date_of_birth=dob, school_name=school,
                                                           score=round(sim, 2)))
    return found

# --- writes: decisions on a pair ------------------------------------------------------------

def _pair_for(keep: Student, remove: Student) -> DuplicateCandidate:
    """The pair's row, locked; a pair the scan never proposed (a user who found it themselves) gets
    one, so that every merge leaves the same key change behind."""
    lo, hi = sorted((keep, remove), key=lambda s: s.pk)
    candidate, _created = DuplicateCandidate.objects.select_for_update().get_or_create(
        pupil_a=lo, pupil_b=hi,
        defaults={"code_a": lo.pupil_code, "code_b": hi.pupil_code, "province_a": lo.school.province_id,
                  "province_b": hi.school.province_id, "score": 0.0, "evidence": {"manual": True}})
    return candidate


def _may_decide(scope: Scope, *pupils: Student) -> None:
    # A province decides on pairs touching it; a school never (the pair spans schools it cannot see).
    if scope.kind == COUNTRY:
        return
    if scope.kind != PROVINCE or not any(scope.contains_school(p.school) for p in pupils):
        raise NotInScope()


@transaction.atomic
def duplicate_dismiss(*, scope: Scope, user, candidate_id: int) -> DuplicateCandidate:
    """"Không phải cùng một người": remembered, so that no later scan proposes the pair again."""
    candidate = duplicate_candidate_get(scope=scope, pk=candidate_id, for_update=True)
    _may_decide(scope, candidate.pupil_a, candidate.pupil_b)
    candidate.status = DuplicateStatus.NOT_SAME
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate


def _rows(queryset) -> list[dict]:
    return json.loads(json.dumps(serializers.serialize("python", queryset), cls=DjangoJSONEncoder))


# Identity fields the kept record takes from the removed one when its own is blank (survivorship:
# the kept record's identity wins wherever it has a value).
FILL_FIELDS = ("id_number", "birth_province_id")


@transaction.atomic
def student_merge(*, scope: Scope, user, keep: Student, remove: Student) -> DuplicateCandidate:
    """Merge two records of one pupil into `keep` (issue 16).

    Survivorship: `keep`'s identity fields stay, blanks are filled from `remove` (ID number,
    birthplace); every enrollment, result and measurement of `remove` moves to `keep`. Clashes on
    the one-per-year/term/day rules: of two open enrollments of one school year the latest stays
    open and the other is closed as a duplicate ("transferred_out" with the reason, the only status
    that may stand beside an open one); of two results of one year and term, or two measurements of
    one day, `keep`'s stay and `remove`'s are dropped (kept in the undo snapshot). `remove` is deleted
    through the tombstone path with the reason "gộp vào <code>", and the pair keeps the key change
    (old code -> new code) for the merged/ feed. Undo: student_merge_undo within MERGE_UNDO_HOURS."""
    if keep.pk == remove.pk:
        raise AppError(_("Chọn hai hồ sơ khác nhau để gộp."))
    locked = {s.pk: s for s in Student.objects.select_for_update(of=("self",)).select_related("school")
              .filter(pk__in=[keep.pk, remove.pk])}
    if len(locked) != 2:
        raise NotInScope()
    keep, remove = locked[keep.pk], locked[remove.pk]
    _may_decide(scope, keep, remove)
    services.student_in_transit_check(keep)
    services.student_in_transit_check(remove)
    candidate = _pair_for(keep, remove)
    if candidate.status != DuplicateStatus.OPEN:
        raise AppError(_("Cặp hồ sơ này đã được xử lý."), code="already_decided", status_code=409)
    now = timezone.now()
    reason = _("Hồ sơ trùng, gộp vào %(code)s") % {"code": keep.pupil_code}
    undo = {"student": _rows(Student.objects.filter(pk=remove.pk)),
            "keep_before": {f: getattr(keep, f) for f in FILL_FIELDS} | {"id_number_hold": keep.id_number_hold,
                                                                         "school_id": keep.school_id},
            "dropped": [], "closed": [], "moved": {}}

    # Enrollments: the latest open one of a year stays open.
    open_keep = {e.school_year: e for e in Enrollment.objects.select_for_update().filter(OPEN_ENROLLMENT, student=keep)}
    for enrollment in Enrollment.objects.select_for_update().filter(OPEN_ENROLLMENT, student=remove):
        other = open_keep.get(enrollment.school_year)
        if other is None:
            continue
        older = min((enrollment, other), key=lambda e: (e.started_on or dt.date.min, e.created_at, e.pk))
        undo["closed"].append({"id": older.pk, "status": older.status, "left_on": older.left_on,
                               "leave_reason": older.leave_reason})
        Enrollment.objects.filter(pk=older.pk).update(
            status=EnrollmentStatus.TRANSFERRED_OUT, left_on=older.left_on or timezone.localdate(),
            leave_reason=reason[:200], updated_at=now)
    # Results and measurements: keep's stay where both have one.
    clashes = [
        AcademicResult.objects.filter(Exists(AcademicResult.objects.filter(
            student=keep, school_year=OuterRef("school_year"), term=OuterRef("term"))), student=remove),
        PhysicalRecord.objects.filter(Exists(PhysicalRecord.objects.filter(
            student=keep, measured_on=OuterRef("measured_on"))), student=remove),
    ]
    for dropped in clashes:
        undo["dropped"] += _rows(dropped)
        dropped.delete()
    for model in (Enrollment, AcademicResult, PhysicalRecord, TransferRequest):
        rows = model.objects.filter(student=remove)
        undo["moved"][model._meta.label] = list(rows.values_list("pk", flat=True))
        rows.update(student=keep)

    # Open pairs of the removed record go with it; decided ones stay (the history).
    DuplicateCandidate.objects.filter(Q(pupil_a=remove) | Q(pupil_b=remove), status=DuplicateStatus.OPEN
                                      ).exclude(pk=candidate.pk).delete()
    candidate.status = DuplicateStatus.MERGED
    candidate.decided_by, candidate.decided_at = user, now
    candidate.kept_code, candidate.removed_code = keep.pupil_code, remove.pupil_code
    candidate.undo = json.loads(json.dumps(undo, cls=DjangoJSONEncoder))
    candidate.save()

    filled = {f: getattr(remove, f) for f in FILL_FIELDS if not getattr(keep, f) and getattr(remove, f)}
    removed_school = remove.school
    tombstone_create(kind=RecordKind.STUDENT, record_id=remove.pk, code=remove.pupil_code,
                     school_id=removed_school.pk, province_id=removed_school.province_id, reason=reason,
                     school_code=removed_school.code, id_number=remove.id_number)
    remove_pk = remove.pk  # delete() forgets it
    remove.delete()
    for field, value in filled.items():
        setattr(keep, field, value)
    if "id_number" in filled:
        keep.id_number_hold = undo["student"][0]["fields"]["id_number_hold"]
    # The pupil's school is that of their latest open enrollment (the survivor of the clash above).
    latest = Enrollment.objects.filter(OPEN_ENROLLMENT, student=keep).order_by("-school_year", "-id").first()
    if latest is not None:
        keep.school_id = latest.school_id
    keep.updated_at = now
    keep.save()
    # The key-changes/ feed: the removed record's natural key now points at the kept one (issue 20).
    key_change_create(kind=RecordKind.STUDENT, reason=KeyChangeReason.MERGE, old_id=remove_pk,
                      old_code=candidate.removed_code, old_school_code=removed_school.code,
                      old_id_number=remove.id_number, new_id=keep.pk,
                      new_code=keep.pupil_code, new_school_code=School.objects.values_list("code", flat=True).get(
                          pk=keep.school_id), new_id_number=keep.id_number,
                      school_id=removed_school.pk, province_id=removed_school.province_id)
    if "id_number" in filled:
        services._identity_changed(keep)
    services._age_groups_refresh(keep)
    services._statistics_changed(keep.school_id, removed_school.pk, undo["keep_before"]["school_id"])
    return candidate


def merge_undo_deadline(candidate: DuplicateCandidate) -> dt.datetime | None:
    if candidate.status != DuplicateStatus.MERGED or candidate.decided_at is None:
        return None
    return candidate.decided_at + dt.timedelta(hours=settings.MERGE_UNDO_HOURS)


@transaction.atomic
def student_merge_undo(*, scope: Scope, user, candidate_id: int) -> Student:
    """Undo a merge within MERGE_UNDO_HOURS: the removed pupil comes back with the same id and code,
    its rows go back, the dropped ones are restored, the closed enrollments reopened, and the kept
    record's filled fields blanked again. The pair returns to the queue. Rows written on the kept
    record after the merge stay on it."""
    qs = DuplicateCandidate.objects.select_for_update().filter(pk=candidate_id, status=DuplicateStatus.MERGED)
    if scope.kind != COUNTRY:
        qs = qs.filter(Q(province_a=scope.province_code) | Q(province_b=scope.province_code)) \
            if scope.kind == PROVINCE else qs.none()
    candidate = qs.first()
    if candidate is None:
        raise NotInScope()
    deadline = merge_undo_deadline(candidate)
    if timezone.now() > deadline:
        raise AppError(_("Đã quá %(h)d giờ kể từ khi gộp: không hoàn tác được nữa.")
                       % {"h": settings.MERGE_UNDO_HOURS}, code="undo_expired", status_code=409)
    undo = candidate.undo
    keep = Student.objects.select_for_update(of=("self",)).select_related("school").get(pupil_code=candidate.kept_code)
    for field, value in undo["keep_before"].items():
        setattr(keep, field, value)
    keep.updated_at = timezone.now()
    keep.save()
    for obj in serializers.deserialize("python", undo["student"]):
        obj.object.updated_at = keep.updated_at
        obj.save()
    removed = Student.objects.select_related("school").get(pk=undo["student"][0]["pk"])
    for label, ids in undo["moved"].items():
        apps.get_model(label).objects.filter(pk__in=ids).update(student=removed)
    for closed in undo["closed"]:
        Enrollment.objects.filter(pk=closed["id"]).update(
            status=closed["status"], left_on=closed["left_on"], leave_reason=closed["leave_reason"])
    for obj in serializers.deserialize("python", undo["dropped"]):
        obj.save()
    candidate.pupil_a_id, candidate.pupil_b_id = sorted((keep.pk, removed.pk))
    candidate.status, candidate.undo = DuplicateStatus.OPEN, {}
    candidate.decided_by, candidate.decided_at = user, timezone.now()
    candidate.kept_code = candidate.removed_code = ""
    candidate.save()
    services._statistics_changed(keep.school_id, removed.school_id)
    return removed
