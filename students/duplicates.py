"""Duplicate pupils: two records of one person (issue 16), found, reviewed and merged.

Finding is PostgreSQL's work, never a home-made fuzzy matcher: names are compared as
lower(unaccent(name)) with pg_trgm's similarity (so "Thuý"/"Thúy", "Hoà"/"Hòa", NFD input and names
typed without diacritics compare equal or close), and candidates are blocked by joins: the same ID
number (a held number, HeldIdNumber, is how a second record of the same number exists), or the same
gender, the same birth date or the same with day and month swapped (Excel with US regional settings),
and the same given name without diacritics (the last word). The national scan runs one set-based
INSERT ... SELECT per province, upserting open pairs and leaving decided ones as they are: a pair
marked "not the same person" is never proposed again.

Known limit of the blocking: a typo in the given name itself escapes the name-and-birth-date block
(the ID-number block still catches a pair that shares a number).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import NotInScope

from .models import DuplicateCandidate, DuplicateStatus

# A pair is stored from this score on; names must be at least this similar (pg_trgm, 0-1).
MIN_SCORE = 0.6
MIN_NAME_SIMILARITY = 0.5
# The form's warning is stricter than the queue: it interrupts a person typing.
FORM_MIN_NAME_SIMILARITY = 0.6

# The score's parts (they sum to 1): the name's similarity, the birth date (a swap counts 60%), the
# gender (always equal within a block), the birthplace (unknown on either side counts half). A pair
# whose two confirmed-looking ID numbers differ keeps 60% of it: usually two people, sometimes a typo.
W_NAME, W_DOB, W_GENDER, W_PLACE = 0.55, 0.25, 0.10, 0.10
SWAP_FACTOR, ID_DIFFER_FACTOR = 0.6, 0.6

_NAME = "lower(unaccent({t}.full_name))"
_GIVEN = "regexp_replace(lower(unaccent({t}.full_name)), '^.* ', '')"
# The same date with day and month swapped, where that is a date (day <= 12); else the date itself.
_SWAPPED = ("CASE WHEN extract(day FROM {t}.date_of_birth) <= 12 THEN make_date("
            "extract(year FROM {t}.date_of_birth)::int, extract(day FROM {t}.date_of_birth)::int, "
            "extract(month FROM {t}.date_of_birth)::int) ELSE {t}.date_of_birth END")

# Every pair (a in the province, b anywhere) of one province, scored, as (pupil_a, pupil_b) ordered.
_PAIRS_SQL = f"""
WITH pairs AS (
    SELECT a.id AS a_id, b.id AS b_id, false AS same_id
    FROM students_student a
    JOIN schools_school sa ON sa.id = a.school_id AND sa.province_id = %(province)s
    JOIN students_student b ON b.gender = a.gender
         AND b.date_of_birth IN (a.date_of_birth, {_SWAPPED.format(t="a")}) AND b.id <> a.id
    WHERE {_GIVEN.format(t="a")} = {_GIVEN.format(t="b")}
      AND similarity({_NAME.format(t="a")}, {_NAME.format(t="b")}) >= %(min_name)s
    UNION ALL
    SELECT a.id, b.id, true
    FROM students_student a
    JOIN schools_school sa ON sa.id = a.school_id AND sa.province_id = %(province)s
    JOIN students_student b ON b.id_number = a.id_number AND b.id <> a.id
    WHERE a.id_number IS NOT NULL
),
ordered AS (
    SELECT least(a_id, b_id) AS lo, greatest(a_id, b_id) AS hi, bool_or(same_id) AS same_id
    FROM pairs GROUP BY 1, 2
),
scored AS (
    SELECT o.lo, o.hi, x.pupil_code AS code_a, y.pupil_code AS code_b,
           sx.province_id AS province_a, sy.province_id AS province_b, o.same_id,
           round(similarity({_NAME.format(t="x")}, {_NAME.format(t="y")})::numeric, 2)::float AS name_sim,
           CASE WHEN x.date_of_birth = y.date_of_birth THEN 'same'
                WHEN y.date_of_birth = {_SWAPPED.format(t="x")} THEN 'swapped' ELSE 'different' END AS dob,
           x.gender = y.gender AS gender,
           CASE WHEN x.birth_province_id IS NULL OR y.birth_province_id IS NULL THEN 'unknown'
                WHEN x.birth_province_id = y.birth_province_id THEN 'same' ELSE 'different' END AS place,
           (x.id_number IS NOT NULL AND y.id_number IS NOT NULL AND x.id_number <> y.id_number) AS ids_differ
    FROM ordered o
    JOIN students_student x ON x.id = o.lo JOIN schools_school sx ON sx.id = x.school_id
    JOIN students_student y ON y.id = o.hi JOIN schools_school sy ON sy.id = y.school_id
),
final AS (
    SELECT *, CASE WHEN same_id THEN 1.0 ELSE round(((
              {W_NAME} * name_sim
            + {W_DOB} * CASE dob WHEN 'same' THEN 1 WHEN 'swapped' THEN {SWAP_FACTOR} ELSE 0 END
            + {W_GENDER} * CASE WHEN gender THEN 1 ELSE 0 END
            + {W_PLACE} * CASE place WHEN 'same' THEN 1 WHEN 'unknown' THEN 0.5 ELSE 0 END)
            * CASE WHEN ids_differ THEN {ID_DIFFER_FACTOR} ELSE 1 END)::numeric, 3)::float END AS score
    FROM scored
)
INSERT INTO students_duplicatecandidate
    (pupil_a_id, pupil_b_id, code_a, code_b, province_a, province_b, score, evidence, status, found_at,
     kept_code, removed_code, undo)
SELECT lo, hi, code_a, code_b, province_a, province_b, score,
       jsonb_build_object('id_number', same_id, 'name', name_sim, 'date_of_birth', dob, 'gender', gender,
                          'birthplace', place, 'id_numbers_differ', ids_differ),
       'open', now(), '', '', '{{}}'::jsonb
FROM final WHERE score >= %(min_score)s
ON CONFLICT (pupil_a_id, pupil_b_id) DO UPDATE
    SET score = EXCLUDED.score, evidence = EXCLUDED.evidence, code_a = EXCLUDED.code_a,
        code_b = EXCLUDED.code_b, province_a = EXCLUDED.province_a, province_b = EXCLUDED.province_b
    WHERE students_duplicatecandidate.status = 'open'
"""  # noqa: S608 -- module constants only; every value is a parameter


def duplicates_scan_province(*, province_code: str) -> int:
    """Find and upsert the candidate pairs touching one province (its pupils against the whole
    country): one statement, safe to run twice. Returns how many rows were written or refreshed;
    pairs already decided (merged, "not the same person") are left as they are."""
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL, {"province": province_code, "min_name": MIN_NAME_SIMILARITY,
                                    "min_score": MIN_SCORE})
        return cursor.rowcount


def scan_provinces() -> list[str]:
    """The provinces with schools: one scan statement each."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT province_id FROM schools_school ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def duplicates_scan_country(*, progress=None) -> dict[str, int]:
    """The national scan: every province in turn (each its own statement and transaction)."""
    written = {}
    for code in scan_provinces():
        written[code] = duplicates_scan_province(province_code=code)
        if progress:
            progress(code, written[code])
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
    if scope.kind != COUNTRY:
        # By the provinces copied on the pair, as the tombstone feed filters on its copies; a school
        # token hears of its province's merges (the codes only, no personal data).
        qs = qs.filter(Q(province_a=scope.province_code) | Q(province_b=scope.province_code))
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
               similarity({_NAME.format(t="s")}, lower(unaccent(%(name)s))) AS sim
        FROM students_student s JOIN schools_school sc ON sc.id = s.school_id
        WHERE s.gender = %(gender)s AND s.date_of_birth IN (%(dob)s, %(swapped)s)
          AND (%(exclude)s::bigint IS NULL OR s.school_id <> %(exclude)s::bigint)
          AND similarity({_NAME.format(t="s")}, lower(unaccent(%(name)s))) >= %(min_name)s
        ORDER BY sim DESC, s.id LIMIT %(limit)s"""  # noqa: S608 -- constants; values are parameters
    params = {"name": full_name, "gender": gender, "dob": date_of_birth, "swapped": swapped,
              "exclude": getattr(exclude_school, "pk", exclude_school), "min_name": FORM_MIN_NAME_SIMILARITY,
              "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [LikelyDuplicate(full_name=name, date_of_birth=dob, school_name=school, score=round(sim, 2))
                for name, dob, school, sim in cursor.fetchall()]
