"""A name search over a country or a province, in the list's order, fast at national size (issue 16).

The list reads given name first (edu_portal.common.names), and the planner, asked for the first 25
pupils whose name holds "trang", walks that order testing every pupil: all the Trangs sit in one block
late in the order, so it reads most of the country before the first (1.5 s among 284,000 pupils; a
minute among 24 million). Sorting every match instead costs as much for a common name. Walking the
pupils of a province in that order is worse still: its entries are one in 34 of the index's.

So the search walks names, not pupils. The directory (PupilName) holds each distinct name once per
province and once for the country: ~54,000 names for 24 million pupils, ~37,000 for a province of
700,000. The first k matches are found in two steps, each exact:

1. The names: the area's first NAMES_WALK_CAP names in the list's order, and for each matching name its
   pupils, in order, from the list's index (a LATERAL join that stops at the k-th pupil). The order of
   names is the order of their pupils, since the list sorts by name first.
2. Matches rare among those names: every matching name of the area from the directory's trigram index,
   sorted, then their pupils as in step 1.

The count is exact below COUNT_EXACT matches; above, it is estimated as the area's pupils times the
share of its names that match ("khoảng N" on the page).
"""
from __future__ import annotations

import functools
import json

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from edu_portal.common.identity import normalize_name
from edu_portal.common.names import (
    VIETNAMESE,
    family_name,
    given_name,
    middle_name,
    vietnamese_order,
    vietnamese_order_by_sorting,
)
from edu_portal.common.search import fold_name as fold

from .models import PupilName, Student

# Names the directory's walk reads before its trigram index takes over (a few ms).
NAMES_WALK_CAP = 5_000
# Matches counted exactly before the count turns to an estimate (a page of 25 and one more).
COUNT_EXACT = 26
# An area's pupils and names, for the estimate, are remembered this long (they change slowly).
AREA_TOTALS_SECONDS = 3600
_VI = f'COLLATE "{VIETNAMESE}"'


@functools.lru_cache(maxsize=256)
def _pupils_of_area_names(area: str, k: int) -> tuple[str, tuple]:
    """_pupils_of_names for an area's pupils (joined to their schools), compiled once per area and k:
    the ORM takes ~10 ms to write it, longer than the statement runs."""
    pupils = Student.objects.all() if not area else Student.objects.filter(school__province_id=area)
    sql, params = _pupils_of_names(pupils, k)
    return sql, tuple(params)


def _pupils_of_names(base: QuerySet, k: int) -> tuple[str, list]:
    """The first k pupils of `base` bearing the name of the directory's row `d` (a LATERAL subquery):
    equality on the list's sort keys, so the index reads them in order and stops at the k-th."""
    keys = {"g": given_name, "m": middle_name, "f": family_name}
    inner = (base.annotate(**{f"key_{k_}": Collate(fn(), VIETNAMESE) for k_, fn in keys.items()})
             .filter(key_g=RawSQL("d.given", []), key_m=RawSQL("d.middle", []), key_f=RawSQL("d.family", []),
                     full_name=RawSQL("d.full_name", []))
             .order_by(*vietnamese_order(), "pk").values("pk")[:k])
    sql, params = inner.query.sql_with_params()
    return sql, list(params)


_NAMES_ORDER = f"d.given {_VI}, d.middle {_VI}, d.family {_VI}"


def _names_walk(area: str, typed: str, k: int, cap: int) -> tuple[list[int], int, int, bool]:
    """Step 1: (the first k matches among the pupils of the area's first `cap` names; how many of those
    names match; how many were read; whether they were all the area's names)."""
    pupils, params = _pupils_of_area_names(area, k)
    names = PupilName._meta.db_table
    first = f"SELECT * FROM {names} d WHERE d.area = %s ORDER BY d.area, {_NAMES_ORDER} LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        # One round trip: the first k pupils, and the share of matching names among those read.
        cursor.execute(
            f"SELECT coalesce((SELECT array_agg(pk) FROM (SELECT p.pk FROM ({first}) d "  # noqa: S608 -- ORM SQL
            f"CROSS JOIN LATERAL ({pupils}) p WHERE strpos(d.folded, vn_name_search(%s)) > 0 "
            f"ORDER BY {_NAMES_ORDER}, p.pk LIMIT %s) x), '{{}}'), "
            f"(SELECT count(*) FILTER (WHERE strpos(d.folded, vn_name_search(%s)) > 0) "
            f"FROM ({first}) d), "
            f"(SELECT count(*) FROM ({first.replace('LIMIT %s', 'LIMIT %s + 1')}) d)",
            [area, cap, *params, needle := normalize_name(typed), k, needle, area, cap, area, cap])
        found, matching, read = cursor.fetchone()
    return list(found), matching, min(read, cap), read <= cap


def _names_matching(area: str, typed: str, k: int) -> tuple[list[int], int]:
    """Step 2: (the first k matches among the pupils of every matching name of the area, the names found
    by the directory's trigram index and sorted; how many names match)."""
    pupils, params = _pupils_of_area_names(area, k)
    names = PupilName._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH d AS MATERIALIZED (SELECT * FROM {names} d WHERE d.area = %s "  # noqa: S608 -- ORM SQL
            # LIKE, for the trigram index; the typed text's own % and _ escaped.
            f"AND d.folded LIKE '%%' || replace(replace(replace(vn_name_search(%s), '\\', '\\\\'), "
            f"'%%', '\\%%'), '_', '\\_') || '%%') "
            # The names sorted first, so that the LATERAL reads pupils only until the k-th.
            f"SELECT (SELECT count(*) FROM d), coalesce((SELECT array_agg(pk) FROM (SELECT p.pk FROM "
            f"(SELECT * FROM d ORDER BY {_NAMES_ORDER}) d "
            f"CROSS JOIN LATERAL ({pupils}) p ORDER BY {_NAMES_ORDER}, p.pk LIMIT %s) x), '{{}}')",
            [area, normalize_name(typed), *params, k])
        matching, found = cursor.fetchone()
        return list(found), matching


def _sorted(queryset: QuerySet, k: int) -> list[int]:
    # Few rows, sorted: the order written so that no index walk is chosen (names.vietnamese_order_by_sorting;
    # in the index's own order the planner walked the name index to meet 26 ids, 12 ms at national size).
    return list(queryset.order_by(*vietnamese_order_by_sorting(), "pk").values_list("pk", flat=True)[:k])


class NameSearchResults:
    """A name search's pupils, for a Paginator: count() and slices, in the list's order.

    `queryset`: the list with every filter, the search included (students.selectors.student_list);
    `base`: the same without the search (the scope and other filters); `area`: the directory's area of
    the scope (a province's code, "" for the country)."""

    def __init__(self, queryset: QuerySet, base: QuerySet, typed: str, area: str = "",
                 rows=None) -> None:
        self.queryset, self.base, self.typed, self.area = queryset, base, typed, area
        self.model = queryset.model
        # The pupils of each name are read from the area's pupils (_pupils_of_area_names), each entry's
        # school probed by its primary key: a province's scope as the list writes it, an array of ~1,600
        # school ids, costs ~10 ms to plan for a 1 ms statement (as a semi-join on the province's schools,
        # the planner read their sorted list once per entry). The page's rows are read by id from `rows`
        # (the list without a scope, the ids being in the scope already; a callable, built when needed).
        self._rows = rows
        self.words = fold(typed).split()
        self.estimated = False
        self._count: int | None = None
        # (names of the area matching, names whose match was tested, names of the area), once known.
        self._share: tuple[int, int, int | None] | None = None
        self._ids: tuple[int, list[int]] = (0, [])
        self._code_ids: list[int] | None = None
        self.step = ""  # which step answered: "names" or "trigrams" (bench, tests)

    # --- the steps ----------------------------------------------------------------------------

    def _code(self) -> list[int]:
        # search_q also finds a pupil by the exact code typed: one row at most, merged in by the order.
        if self._code_ids is None:
            # By the unique code alone, then the scope checked on the one row: a province's scope written
            # into the query (its schools' ids) costs more to plan than the lookup.
            pupil = self.model.objects.filter(pupil_code=normalize_name(self.typed)).values_list("pk", flat=True)[:1]
            self._code_ids = list(self.base.filter(pk__in=list(pupil)).values_list("pk", flat=True)) if pupil else []
        return self._code_ids

    def _first_ids(self, k: int) -> list[int]:
        """The ids of the first k matches, in the list's order (remembered: a page and its count ask twice)."""
        asked, ids = self._ids
        if k <= asked or len(ids) < asked:  # known, or fewer matches than were asked for: all of them
            return ids[:k]
        self._ids = (k, self._find(k))
        return self._ids[1]

    def _find(self, k: int) -> list[int]:
        found, matching, read, whole = _names_walk(self.area, self.typed, k, NAMES_WALK_CAP)
        self.step = "names"
        self._share = (matching, read, read if whole else None)
        if len(found) < k and not whole:
            found, matching = _names_matching(self.area, self.typed, k)
            self.step = "trigrams"
            self._share = (matching, None, None)
        # The LATERALs answer in the list's order (name keys, then id): as they are, unless a pupil whose
        # code was typed joins them; then sorted by id alone (they are in the area already, and the
        # scope's own conditions would only cost planning time).
        code = [pk for pk in self._code() if pk not in found]
        if not code:
            return found[:k]
        return _sorted(self.model.objects.filter(pk__in=found + code), k)

    # --- the Paginator's side -----------------------------------------------------------------

    def count(self) -> int:
        """Exact when fewer than COUNT_EXACT match; otherwise an estimate (`estimated`): the area's
        pupils times the share of its names that match, never below what was found (so that the first
        pages are never cut short)."""
        if self._count is None:
            first = self._first_ids(COUNT_EXACT)
            if len(first) < COUNT_EXACT:
                self._count = len(first)
            else:
                self.estimated = True
                pupils = cache.get_or_set(f"name_search:pupils:{self.area}", lambda: _planned_rows(self.base),
                                          AREA_TOTALS_SECONDS)
                self._count = max(COUNT_EXACT, round(self._matching_share() * pupils))
        return self._count

    def _matching_share(self) -> float:
        matching, read, total = self._share
        if read:  # the walk's names: its share of matches
            return matching / read
        if total is None:
            total = cache.get_or_set(f"name_search:names:{self.area}",
                                     lambda: PupilName.objects.filter(area=self.area).count(), AREA_TOTALS_SECONDS)
        return matching / total if total else 0.0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop = index.start or 0, index.stop
        ids = self._first_ids(stop)[start:stop]
        source = self.base if self._rows is None else self._rows()
        rows = source.filter(pk__in=ids).in_bulk() if ids else {}
        return [rows[pk] for pk in ids if pk in rows]


def _planned_rows(queryset: QuerySet) -> int:
    """The planner's estimate of a query's rows (EXPLAIN, no execution)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 -- ORM SQL
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def is_name_search(typed: str) -> bool:
    """A search this module serves: words of a name (a letter in it; numbers and codes are exact lookups)."""
    return any(c.isalpha() for c in fold(typed))
