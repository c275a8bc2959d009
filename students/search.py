"""A name search over a country or a province, in the list's order, fast at national size (issue 16).

The list reads given name first (edu_portal.common.names), and the planner, asked for the first 25
pupils whose name holds "trang", walks that order testing every pupil: all the Trangs sit in one block
late in the order, so it reads most of the country before the first (1.5 s among 284,000 pupils; a
minute among 24 million). Sorting every match instead costs as much for a common name. The first k
matches are found here in up to three steps, cheapest first; each is exact, none guesses:

1. The walk: the first WALK_CAP entries of the scope in the list's order, read from the index alone
   (student_vi_name_search holds each folded name: ~0.4 us an entry instead of a heap fetch and an
   unaccent), tested against the typed words. When k of them match, they are the answer ("nguyen van":
   one pupil in 25 matches, anywhere in the order). A scope of at most WALK_CAP pupils is searched whole.
2. One word, too few in the walk: the word is then a given name's beginning (a block of the order) or
   in a family or middle name (the head). The given-name blocks are read from their start: every given
   name whose folded form begins with the word lies, under ICU's Vietnamese collation, in the range
   [v, v + U+FFFF) of one spelling v of the word with ă/â, đ, ê, ô/ơ, ư restored (tones are secondary
   weights and case tertiary, so they stay inside the range; U+FFFF has the highest primary weight, CLDR's
   bound for such ranges). The heads come from their own trigram index (student_name_head_trgm): few,
   since the walk found few.
3. Several words, too few in the walk: every match through the trigram index, sorted (few, as above).

What is left slow: several words bunched in one given name's block and common there ("thi trang"),
which step 3 sorts in full.
"""
from __future__ import annotations

import itertools
import json
import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Collate
from django.db.models.lookups import Contains

from edu_portal.common.identity import normalize_name
from edu_portal.common.names import VIETNAMESE, given_name, vietnamese_order, vietnamese_order_by_sorting
from edu_portal.common.search import fold_name as fold
from edu_portal.common.search import name_head_search, name_head_words, name_search, name_search_needle

# Entries the walk reads before it gives up on a spread-out match (about 8 ms at national size).
WALK_CAP = 20_000
# How far the second walk may go (_long_walk): ~0.35 us an entry, about 200 ms; and a given name's
# block for a whole name ("do quang huy": the Huy block, 240,000 pupils at national size).
LONG_WALK_CAP = 600_000
BLOCK_WALK_CAP = 300_000
# Matches counted exactly before the count turns to an estimate (a page of 25 and one more), when
# the walk found fewer than a page (PAGE_FROM_WALK): counting further would cost more than the page.
COUNT_EXACT = 26
PAGE_FROM_WALK = 25
# Spellings of one typed word tried as given-name blocks ("nguyen": 4); beyond this, step 3.
MAX_SPELLINGS = 64
# ICU's Vietnamese primary letters that fold to the same letter without diacritics.
_LETTERS = {"a": "aăâ", "d": "dđ", "e": "eê", "o": "oôơ", "u": "uư"}
_TOP = "\uffff"
_PLAIN = re.compile(r"[a-z0-9]+")


def spellings(word: str) -> list[str] | None:
    """The spellings of a folded word in primary letters ("an" -> an, ăn, ân); None when too many."""
    options = [_LETTERS.get(c, c) for c in word]
    count = 1
    for option in options:
        count *= len(option)
    if count > MAX_SPELLINGS:
        return None
    return ["".join(chars) for chars in itertools.product(*options)]


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


def _first_matches(querysets: list[QuerySet], typed: str, k: int, cap: int) -> list[int] | None:
    """The first k matches of each queryset among its first `cap` entries, reading no further than
    its k-th match, in one statement (and one more to count the entries of those with fewer); None
    when one had fewer than k matches and its entries went on past `cap` (its answer is not known)."""
    inners = [_inner(queryset, cap) for queryset in querysets]
    needle = normalize_name(typed)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(
            f"(SELECT {i}, w.id FROM ({sql}) w (id, folded) WHERE strpos(w.folded, vn_name_search(%s)) > 0 "  # noqa: S608
            f"LIMIT {int(k)})" for i, (sql, _params) in enumerate(inners)),
            [p for _sql, params in inners for p in (*params, needle)])
        found: dict[int, list[int]] = {}
        for i, pk in cursor.fetchall():
            found.setdefault(i, []).append(pk)
        short = [i for i in range(len(inners)) if len(found.get(i, [])) < k]
        if short:
            cursor.execute(" UNION ALL ".join(
                f"(SELECT {i}, count(*) FROM ({inners[i][0]}) w)" for i in short),  # noqa: S608 -- as above
                [p for i in short for p in inners[i][1]])
            if any(read >= cap for _i, read in cursor.fetchall()):
                return None
    return [pk for ids in found.values() for pk in ids]


def _sorted(queryset: QuerySet, k: int) -> list[int]:
    # Few rows, sorted: the order written so that no index walk is chosen (names.vietnamese_order_by_sorting).
    return list(queryset.order_by(*vietnamese_order_by_sorting(), "pk").values_list("pk", flat=True)[:k])


class NameSearchResults:
    """A name search's pupils, for a Paginator: count() and slices, in the list's order.

    `queryset`: the list with every filter, the search included (students.selectors.student_list);
    `base`: the same without the search (the scope and other filters)."""

    def __init__(self, queryset: QuerySet, base: QuerySet, typed: str) -> None:
        self.queryset, self.base, self.typed = queryset, base, typed
        self.model = queryset.model
        self.words = fold(typed).split()
        self.estimated = False
        self._count: int | None = None
        self._walk: tuple[list[int], int] | None = None
        self._ids: tuple[int, list[int]] = (0, [])
        self._code_ids: list[int] | None = None
        self.step = ""  # which step answered: "walk", "long walk", "blocks", "heads" or "sorted" (bench)

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

    def _heads_q(self, words: list[str], *, prefix_last: bool) -> SearchQuery | None:
        """The head index's query: each of `words` a word of the family or middle name, the last one
        as a word's beginning if `prefix_last`. None when a word is not plain letters and digits (the
        text-search parser would split it differently from the folded name)."""
        if not words or not all(_PLAIN.fullmatch(w) for w in words):
            return None
        terms = [*words[:-1], f"{words[-1]}:*" if prefix_last else words[-1]]
        return SearchQuery(" & ".join(terms), search_type="raw", config="simple")

    def _in_heads(self, query: SearchQuery) -> QuerySet:
        return self.base.annotate(head_words=name_head_words()).filter(head_words=query)

    def _given_blocks(self, k: int) -> list[int] | None:
        """The first k matches whose given name begins with the last word, block by block (each walk
        capped); None when that is not the cheap way (too many spellings, or a block of many pupils
        where the other words are rare: step 3 then)."""
        found = spellings(self.words[-1]) if self.words else None
        if not found:
            return None
        given = Collate(given_name(), VIETNAMESE)
        blocks = [self.base.annotate(given_vi=given).filter(given_vi__gte=spelling, given_vi__lt=spelling + _TOP)
                  for spelling in found]
        # One word: every pupil of a block matches (tested anyway, on the index's folded name, so that the
        # answer rests on the match itself, not only on the collation's ranges): k entries are enough.
        return _first_matches(blocks, self.typed, k, k if len(self.words) == 1 else BLOCK_WALK_CAP)

    def _long_walk(self, k: int) -> list[int] | None:
        """The walk again, further (up to LONG_WALK_CAP entries), stopping at the k-th match. The order
        is given name, then middle name, then family name, so words of family and middle names match
        in segments of each given name's block: "nguyen van" (one pupil in 25) first matches where
        the middle names reach "Văn" inside the first block, 170,000 entries in at national size
        (~60 ms), while sorting its million matches took 20 s. None when fewer than k matched: the
        matches are then rare in the order, and the indexes below find few to sort."""
        return _first_matches([self.base], self.typed, k, LONG_WALK_CAP)

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
            # to start (~15 ms) than they save, and the planner, misled by the text-search estimate, asks
            # for them.
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
        elif (long := self._long_walk(k)) is not None:
            self.step = "long walk"
            candidates = long + code
        else:
            blocks = self._given_blocks(k)
            heads = self._heads_q(self.words, prefix_last=True)
            if blocks is not None and heads is not None:
                # Step 2: the given-name blocks, and the matches inside family or middle names.
                in_head = self._in_heads(heads).filter(Contains(name_head_search(), name_search_needle(self.typed)))
                candidates = blocks + _sorted(in_head, k)
                self.step = "blocks"
            elif len(self.words) > 1 and (whole := self._heads_q(self.words[:-1], prefix_last=False)) is not None:
                # Step 3: every match has the words but the last in its head (each is followed by
                # another word): the head index finds the pupils with all of them, few.
                candidates = _sorted(self._in_heads(whole).filter(Contains(name_search(), name_search_needle(self.typed))), k)
                self.step = "heads"
            else:
                candidates = _sorted(self.queryset, k)
                self.step = "sorted"
            candidates += code
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

