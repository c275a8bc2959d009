"""One list component for every list page: sortable columns, numbered pages with a page size, and the
export of what is on screen (templates/includes/list_*.html draw it).

A page declares its columns once (ListSpec): the header's label, the sort key and its ORDER BY, and the
cell's value in an export; the template draws its own cells (links, badges).

Sorting at national size (26.6 million pupils): a page of a list sorted by OFFSET/LIMIT is cheap only when
an index gives the order. So each sortable column says whether its order is `indexed` (e.g. pupils by name,
the Vietnamese-order index, walked forwards or backwards; schools, uploads, transfers are few enough to sort
anyway). Any other sort is offered only on a narrowed list (`ListSpec.narrowed`: a school's or a commune's
records, a few thousand rows sorted in memory by PostgreSQL); asked for on a wide list it is ignored and the
page says so. Every order ends with the primary key in the same direction: rows of equal keys keep one
order from page to page (and the index on (key..., id) serves it)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import BaseExpression
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PAGE_SIZES = (25, 50, 100)
# What one download may hold: a large commune's pupils (~11,000) or a province's schools, not a country's
# pupils (the API's keyset pages are for that). Beyond it the page asks for narrower filters.
EXPORT_MAX = 50_000
# Parameters of the page itself, not filters (dropped from the filters described in an export).
LIST_PARAMS = ("page", "per_page", "sort", "export")
# A page with several lists (the transfers page) names each list's parameters with a prefix ("out_sort").


@dataclass(frozen=True)
class Column:
    label: object  # the header (a lazy translation)
    key: str = ""  # the sort key in the URL (?sort=key, ?sort=-key); "" for a column that does not sort
    order: tuple = ()  # the ORDER BY of an ascending sort: field names or expressions
    indexed: bool = False  # an index gives this order: offered on lists of any size
    unique: bool = False  # the key alone orders the rows (no primary key after it)
    # The ORDER BY on a narrowed list, when it differs: e.g. names sorted, not walked through the country's
    # name index (edu_portal.common.names.vietnamese_order_by_sorting says why).
    narrowed_order: tuple = ()
    value: Callable | None = None  # the cell's value in an export: value(row, scope)
    css: str = ""  # the header cell's class (e.g. text-end for numbers)
    screen: bool = True  # False: in exports only (e.g. a code the screen shows inside another column's cell)


@dataclass(frozen=True)
class ListSpec:
    what: object  # the list's name (a lazy translation): the export's file name and title
    columns: tuple[Column, ...]
    # Is the list narrow enough to sort by anything? (scope, filters) -> bool; None: always.
    narrowed: Callable | None = None
    # The list shows ID numbers (as the scope may see them): full numbers shown or exported are audited.
    id_numbers: bool = False

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key and c.key == key), None)


@dataclass
class SortState:
    key: str = ""  # the column sorted by ("" the list's own order)
    descending: bool = False
    refused: str = ""  # the sort asked for and not applied (a message on the page)

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.key if self.key else ""


def sort_parse(spec: ListSpec, value: str | None, *, narrowed: bool) -> SortState:
    """The sort asked for in ?sort=, if the spec allows it here: an unknown key is ignored (the list keeps
    its own order); an unindexed one on a wide list is ignored and named in `refused`."""
    value = (value or "").strip()
    key = value.lstrip("-")
    column = spec.column(key)
    if column is None or not column.order:
        return SortState()
    if not column.indexed and not narrowed:
        return SortState(refused=str(column.label))
    return SortState(key=key, descending=value.startswith("-"))


def _term(term, descending: bool):
    expr = F(term) if isinstance(term, str) else term
    if not isinstance(expr, BaseExpression):
        expr = F(str(term))
    return expr.desc() if descending else expr.asc()


def sort_apply(queryset, spec: ListSpec, state: SortState, *, narrowed: bool = False):
    """The queryset in the chosen order, the primary key last in the same direction (a stable order). A list
    already read (a school's few dozen classes, counted) is sorted in memory by the column's fields."""
    if not state.key:
        return queryset
    column = spec.column(state.key)
    order = column.narrowed_order if narrowed and column.narrowed_order else column.order
    if not isinstance(queryset, QuerySet):
        return _sorted_in_memory(queryset, order, state.descending)
    terms = [_term(t, state.descending) for t in order]
    if not column.unique:
        terms.append(F("pk").desc() if state.descending else F("pk").asc())
    return queryset.order_by(*terms)


def _sorted_in_memory(rows, order: tuple, descending: bool) -> list:
    """Rows (objects or dicts) by the order's field names; empty values last, as PostgreSQL puts NULLs last in
    an ascending order (and first in a descending one). Python's sort is stable: equal keys keep the list's
    own order."""
    names = [term for term in order if isinstance(term, str)]

    def key(row):
        return tuple((True, 0) if value is None else (False, _text_key(value) if isinstance(value, str) else value)
                     for value in (lookup(row, name) for name in names))
    return sorted(rows, key=key, reverse=descending)


# The Vietnamese alphabet (ă, â, đ, ê, ô, ơ, ư are letters of their own) and its tones, in dictionary order.
_LETTERS = {letter: rank for rank, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_LETTER_MARKS = ("\u0306", "\u0302", "\u031b")  # breve, circumflex, horn: part of the letter
_TONES = {tone: rank for rank, tone in enumerate(("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"))}


def _text_key(value: str) -> tuple:
    """Text in a Vietnamese dictionary's order, for a list sorted in memory (the database sorts with ICU): letters
    first (case ignored; Đ after D, Ă and Â after A), then tones (ngang, huyền, hỏi, ngã, sắc, nặng)."""
    letters, tones = [], []
    for char in value.casefold():
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        # Digits, spaces and signs before letters (as ICU puts them); letters of other alphabets after.
        letters.append(_LETTERS.get(letter, ord(letter[0]) + (100 if letter.isalpha() else -1_000_000)))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
    return tuple(letters), tuple(tones), value


class ListPaginator(Paginator):
    """Numbered pages offer the last page in one click: at national size OFFSET 26 million rows would walk the
    whole index to reach it. A page past the middle is read in the reversed order instead (the same index
    walked backwards, as far as from the nearer end) and turned round: the last page costs what the first does.
    The pages in the middle of a country's list still walk far (the page says how many rows; filters narrow)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not rows.ordered or bottom <= self.count // 2:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(list(rows.reverse()[self.count - top:self.count - bottom])[::-1], number, self)


def per_page_parse(value) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def page_links(page, query: QueryDict, param: str = "page") -> list[dict]:
    """The numbered links of a page: 1 2 … 7 8 [9] 10 11 … 1553 (the far pages elided)."""
    paginator = page.paginator
    query = query.copy()
    links = []
    for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if n == Paginator.ELLIPSIS:
            links.append({"ellipsis": True, "label": n})
            continue
        query[param] = n
        links.append({"number": n, "url": "?" + query.urlencode(), "current": n == page.number})
    return links


def header_cells(spec: ListSpec, state: SortState, query: QueryDict, *, narrowed: bool, prefix: str = "") -> list[dict]:
    """The header of the table: each sortable column a link that sorts by it (ascending first, then the
    other way), the sorted one with its arrow and aria-sort; the page number dropped (a new order starts
    at page 1), the filters and the page size kept."""
    query = query.copy()
    query.pop(prefix + "page", None)
    cells = []
    for column in (c for c in spec.columns if c.screen):
        cell = {"label": column.label, "css": column.css, "url": "", "aria_sort": "", "arrow": ""}
        if column.key and column.order and (column.indexed or narrowed):
            descending = state.key == column.key and not state.descending
            query[prefix + "sort"] = ("-" if descending else "") + column.key
            cell["url"] = "?" + query.urlencode()
            if state.key == column.key:
                cell["aria_sort"] = "descending" if state.descending else "ascending"
                cell["arrow"] = "▼" if state.descending else "▲"
            else:
                cell["aria_sort"] = "none"
        cells.append(cell)
    return cells


def export_rows(spec: ListSpec, rows: Sequence, scope) -> tuple[list, list[list]]:
    """(header, rows) of an export: the spec's columns, their values from each row (ID numbers as the
    scope shows them: the columns' values call scope.show_id_number)."""
    columns = [c for c in spec.columns if c.value is not None]
    return [str(c.label) for c in columns], [[c.value(row, scope) for c in columns] for row in rows]


def too_many_message(limit: int = EXPORT_MAX) -> str:
    return _("Danh sách có hơn %(limit)s dòng: hãy lọc hẹp hơn (theo xã hoặc trường) rồi tải lại, hoặc dùng API "
             "để lấy toàn bộ.") % {"limit": number_format(limit, force_grouping=True)}


def narrowed_to_commune(scope, filters) -> bool:
    """A list of pupils or staff is narrow enough to sort by anything once it holds a school's or a
    commune's records (a commune's largest: ~11,000 pupils, sorted in 0.1 s)."""
    return getattr(scope, "kind", "") == "school" or any(filters.get(k) for k in ("school", "school_code", "commune"))


def display(name: str) -> Callable:
    """An export value: a choice field's label (get_<name>_display)."""
    return lambda row, scope: getattr(row, f"get_{name}_display")()


def lookup(row, path: str):
    """The row's value at a path dotted through relations ("school.name"); a dict's (a values() row) by key."""
    for part in path.split("."):
        row = row.get(part) if isinstance(row, dict) else getattr(row, part, None)
        if row is None:
            return None
    return row


def attr(path: str) -> Callable:
    """An export value: the row's attribute, dotted through relations ("school.name"), or a dict's key."""
    return lambda row, scope: lookup(row, path)
