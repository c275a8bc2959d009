"""A name search over a country or a province, in the list's order, fast at national size (issue 16).

The list reads given name first (edu_portal.common.names), and the planner, asked for the first 25
pupils whose name holds "trang", walks that order testing every pupil: all the Trangs sit in one block
late in the order, so it reads most of the country before the first (1.5 s among 284,000 pupils; a
minute among 24 million). Sorting every match instead costs as much for a common name. The first k
matches are found here in up to three steps, cheapest first; each is exact, none guesses:

1. The walk: the first WALK_CAP entries of the scope in the list's order, read from the index alone
   (student_vi_name_search holds each folded name), tested against the typed words. When k of them
   match, they are the answer ("nguyen van": one pupil in 25 matches, anywhere in the order). A scope of
   at most WALK_CAP pupils is searched whole. Its share of matches also estimates the count.
2. The names: the scope's directory of distinct names (PupilName: ~100,000 for the country or a
   province, against millions of pupils) walked in the same order, up to NAMES_WALK_CAP names, and for
   each matching name its pupils, in order, from the list's index (a LATERAL join that stops at the
   k-th pupil). The order of names is the order of their pupils, since the list sorts by name first.
3. Matches rare among the names: the matching names from the directory's trigram index (few), sorted,
   then their pupils as in step 2.
"""
from __future__ import annotations

import json

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from edu_portal.common.identity import normalize_name
from edu_portal.common.names import VIETNAMESE, family_name, given_name, middle_name, vietnamese_order
from edu_portal.common.search import fold_name as fold
from edu_portal.common.search import name_search

from .models import PupilName

# Entries the walk reads before it gives up on a spread-out match (about 8 ms at national size).
WALK_CAP = 20_000
# Names the directory's walk reads before its trigram index takes over (a few ms).
NAMES_WALK_CAP = 5_000
# Matches counted exactly before the count turns to an estimate (a page of 25 and one more), when
# the walk found fewer than a page (PAGE_FROM_WALK): counting further would cost more than the page.
COUNT_EXACT = 26
PAGE_FROM_WALK = 25
_VI = f'COLLATE "{VIETNAMESE}"'


def _inner(queryset: QuerySet, cap: int) -> tuple[str, list]:
    # The first `cap` entries of the list's order with their folded names: the planner reads them from
    # student_vi_name_search alone (index-only) when the queryset's conditions are in the index.
    inner = (queryset.order_by(*vietnamese_order(), "pk").annotate(folded=name_search())
             .values_list("pk", "folded")[:cap])
    sql, params = inner.query.sql_with_params()
    return sql, list(params)


def _walk(queryset: QuerySet, typed: str, cap: int) -> tuple[list[int], int]:
    """(ids of every match among the first `cap` entries of `queryset` in the list's order, in that
    order; entries read): one pass."""
    sql, params = _inner(queryset, cap)
    with connection.cursor() as cursor:
        # row_number() numbers the entries as the index yields them (the list's order); the matches
        # are gathered in that order.
        cursor.execute(
            f"SELECT count(*), coalesce(array_agg(id ORDER BY n) FILTER (WHERE strpos(folded, "  # noqa: S608
            f"vn_name_search(%s)) > 0), '{{}}') FROM (SELECT w.*, row_number() OVER () AS n "
            f"FROM ({sql}) w (id, folded)) x",
            [normalize_name(typed), *params])
        read, ids = cursor.fetchone()
    return list(ids), read


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


def _names_walk(base: QuerySet, area: str, typed: str, k: int, cap: int) -> tuple[list[int], bool]:
    """Step 2: (the first k matches among the pupils of the area's first `cap` names, whether those
    were all its names)."""
    pupils, params = _pupils_of_names(base, k)
    names = PupilName._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.pk FROM (SELECT * FROM {names} d WHERE d.area = %s "  # noqa: S608 -- ORM SQL
            f"ORDER BY d.area, {_NAMES_ORDER} LIMIT %s) d "
            f"CROSS JOIN LATERAL ({pupils}) p WHERE strpos(d.folded, vn_name_search(%s)) > 0 "
            f"ORDER BY {_NAMES_ORDER}, p.pk LIMIT %s",
            [area, cap, *params, normalize_name(typed), k])
        found = cursor.fetchall()
        if len(found) >= k:
            return [pk for (pk,) in found], True
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {names} WHERE area = %s LIMIT %s) x",  # noqa: S608
                       [area, cap + 1])
        return [pk for (pk,) in found], cursor.fetchone()[0] <= cap


def _names_matching(base: QuerySet, area: str, typed: str, k: int) -> list[int]:
    """Step 3: the first k matches among the pupils of every matching name of the area, the names
    found by the directory's trigram index and sorted."""
    pupils, params = _pupils_of_names(base, k)
    names = PupilName._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.pk FROM (SELECT * FROM {names} d WHERE d.area = %s "  # noqa: S608 -- ORM SQL
            # LIKE, for the trigram index; the typed text's own % and _ escaped.
            f"AND d.folded LIKE '%%' || replace(replace(replace(vn_name_search(%s), '\\', '\\\\'), "
            f"'%%', '\\%%'), '_', '\\_') || '%%' OFFSET 0) d "
            f"CROSS JOIN LATERAL ({pupils}) p ORDER BY {_NAMES_ORDER}, p.pk LIMIT %s",
            [area, normalize_name(typed), *params, k])
        return [pk for (pk,) in cursor.fetchall()]


def _sorted(queryset: QuerySet, k: int) -> list[int]:
    return list(queryset.order_by(*vietnamese_order(), "pk").values_list("pk", flat=True)[:k])


class NameSearchResults:
    """A name search's pupils, for a Paginator: count() and slices, in the list's order.

    `queryset`: the list with every filter, the search included (students.selectors.student_list);
    `base`: the same without the search (the scope and other filters); `area`: the directory's area of
    the scope (a province's code, "" for the country)."""

    def __init__(self, queryset: QuerySet, base: QuerySet, typed: str, area: str = "") -> None:
        self.queryset, self.base, self.typed, self.area = queryset, base, typed, area
        self.model = queryset.model
        self.words = fold(typed).split()
        self.estimated = False
        self._count: int | None = None
        self._walk: tuple[list[int], int] | None = None
        self._ids: tuple[int, list[int]] = (0, [])
        self._code_ids: list[int] | None = None
        self.step = ""  # which step answered: "walk", "names" or "trigrams" (bench, tests)

    # --- the steps ----------------------------------------------------------------------------

    def _walked(self) -> tuple[list[int], int]:
        if self._walk is None:
            self._walk = _walk(self.base, self.typed, WALK_CAP)
        return self._walk

    def _code(self) -> list[int]:
        # search_q also finds a pupil by the exact code typed: one row at most, merged in by the order.
        if self._code_ids is None:
            self._code_ids = list(self.base.filter(pupil_code=normalize_name(self.typed)).values_list("pk", flat=True))
        return self._code_ids

    def _first_ids(self, k: int) -> list[int]:
        """The ids of the first k matches, in the list's order (remembered: a page and its count ask twice)."""
        asked, ids = self._ids
        if k <= asked or len(ids) < asked:  # known, or fewer matches than were asked for: all of them
            return ids[:k]
        self._ids = (k, self._find(k))
        return self._ids[1]

    def _find(self, k: int) -> list[int]:
        with transaction.atomic(), connection.cursor() as cursor:
            # Each statement here reads a few thousand index entries at most: parallel workers cost more
            # to start (~15 ms) than they save.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return self._find_serial(k)

    def _find_serial(self, k: int) -> list[int]:
        walked, read = self._walked()
        code = self._code()
        if len(walked) >= k or read < WALK_CAP:
            self.step = "walk"
            if not code:
                return walked[:k]
            candidates = walked[:k] + code
        else:
            found, whole = _names_walk(self.base, self.area, self.typed, k, NAMES_WALK_CAP)
            self.step = "names"
            if len(found) < k and not whole:
                found = _names_matching(self.base, self.area, self.typed, k)
                self.step = "trigrams"
            candidates = found + code
        # The candidates are matches already: read them by id from the list without the search, whose
        # name condition would lead the planner to the trigram index instead of the primary key.
        return _sorted(self.base.filter(pk__in=set(candidates)), k)

    # --- the Paginator's side -----------------------------------------------------------------

    def count(self) -> int:
        """Exact when the walk read the whole scope, or when fewer than COUNT_EXACT match; otherwise
        an estimate (`estimated`): the walk's share of matches times the scope's size, or the
        planner's estimate of the matches, never below what was found (so that the first pages are
        never cut short)."""
        if self._count is None:
            walked, read = self._walked()
            if read < WALK_CAP:
                self._count = len(set(walked) | set(self._code()))
            elif len(walked) >= PAGE_FROM_WALK:
                # The walk serves the first page; its share of matches tells the rest.
                self.estimated = True
                self._count = max(len(walked), round(len(walked) / read * _planned_rows(self.base)))
            elif len(first := self._first_ids(COUNT_EXACT)) < COUNT_EXACT:
                self._count = len(first)
            else:
                self.estimated = True
                self._count = max(COUNT_EXACT, _planned_rows(self.queryset))
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop = index.start or 0, index.stop
        ids = self._first_ids(stop)[start:stop]
        rows = self.base.filter(pk__in=ids).in_bulk() if ids else {}
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
