"""The order of a date column (day-first or month-first), decided from the whole column, never cell by cell.

Vietnam writes dd/mm/yyyy (the national standard, e.g. Thông tư 01/2011/TT-BNV on document formats), but a
file saved by Excel with US regional settings carries mm/dd/yyyy. Read cell by cell, such a column comes out
day-first where it can and refused where it cannot, so a user who fixes only the refused cells saves wrong
birth dates. Instead every text date of a column is tallied first:

- a value only one order can read (13/02/2015: day-first; 02/13/2015: month-first) is evidence;
- a value both orders read differently (03/04/2015) is ambiguous; one both read the same (05/05/2015) is not.

A value that can only be read one way settles the column: day-first evidence alone settles it day-first,
month-first evidence alone settles it month-first (its ambiguous values are then read month-first too, as the
rest of the column says), and the preview tells the user so in a notice naming the column as their file heads
it. A column with both kinds of evidence (mixed), or only ambiguous values, stops the preview with a question,
answered once per column and applied to every cell of it. A column with nothing but values read the same either
way is day-first (nothing to decide). Excel cells holding real dates are unambiguous and not tallied.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DAY_FIRST, MONTH_FIRST = "dmy", "mdy"
ORDERS = (DAY_FIRST, MONTH_FIRST)
EXAMPLES = 3

_TEXT_DATE = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def reading(value) -> str | None:
    """How a cell can be read: 'dmy' or 'mdy' (only that order), 'either' (both, differently), 'same'
    (both alike), or None (not a text date of the form a/b/yyyy, or no valid reading)."""
    if value.__class__ is not str:
        return None
    m = _TEXT_DATE.fullmatch(value)
    if m is None:
        return None
    a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day_first, month_first = _valid(year, b, a), _valid(year, a, b)
    if day_first and month_first:
        return "same" if a == b else "either"
    if day_first:
        return DAY_FIRST
    if month_first:
        return MONTH_FIRST
    return None


def read_both(value: str) -> tuple[str, str]:
    """The cell as dd/mm/yyyy read day-first and read month-first ('—' where that order cannot read it)."""
    m = _TEXT_DATE.fullmatch(value)
    if m is None:
        return "—", "—"
    a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    first = f"{a:02d}/{b:02d}/{year}" if _valid(year, b, a) else "—"
    second = f"{b:02d}/{a:02d}/{year}" if _valid(year, a, b) else "—"
    return first, second


@dataclass
class DateColumnTally:
    """What the text dates of one column allow, with a few rows to show the user."""

    key: str
    counts: dict = field(default_factory=lambda: {DAY_FIRST: 0, MONTH_FIRST: 0, "either": 0, "same": 0})
    examples: list = field(default_factory=list)   # (row, value, reading)
    # The first value of each reading, kept whatever comes before it: the example a notice or a question
    # shows of the evidence, even when it comes after the first ambiguous rows.
    first: dict = field(default_factory=dict)      # reading -> (row, value, reading)

    def add(self, rownum: int, value) -> None:
        kind = reading(value)
        if kind is None:
            return
        self.counts[kind] += 1
        if kind == "same":
            return
        if kind not in self.first:
            self.first[kind] = (rownum, value.strip(), kind)
        if len(self.examples) < EXAMPLES * 3:
            self.examples.append((rownum, value.strip(), kind))

    @property
    def settled(self) -> str | None:
        """The order the column itself settles without a question, or None when the user must choose: one kind
        of evidence alone settles it; both kinds (mixed), or none with ambiguous values, leave it open."""
        c = self.counts
        if c[MONTH_FIRST] == 0 and (c[DAY_FIRST] > 0 or c["either"] == 0):
            return DAY_FIRST
        if c[MONTH_FIRST] > 0 and c[DAY_FIRST] == 0:
            return MONTH_FIRST
        return None

    @property
    def suggested(self) -> str:
        """The order proposed in a question (mixed or ambiguous only): the national standard."""
        return DAY_FIRST

    def notice(self, header: str) -> dict:
        """What the preview says of a column the file settled month-first: why (the cells only that order
        reads), with one of them read. `header` is the column's header as the user's file wrote it. The
        file settled it; the user chose nothing."""
        c = self.counts
        row, value, _kind = self.first[MONTH_FIRST]
        read = read_both(value)[1]
        message = _("Cột «%(header)s»: đọc theo tháng/ngày/năm vì %(count)d ô chỉ đọc được theo cách này "
                    "(ví dụ dòng %(row)s: %(value)s → %(read)s)") % {
            "header": header, "count": c[MONTH_FIRST], "row": row, "value": value, "read": read}
        if c["either"]:
            message += _("; %(either)d ô đọc được theo cả hai cách cũng được đọc theo tháng/ngày/năm") % {
                "either": c["either"]}
        return {"row": None, "column": self.key, "header": header, "order": MONTH_FIRST, "counts": dict(c),
                "example": {"row": row, "value": value, "read": read}, "message": message}

    def question(self, header: str) -> dict:
        """The question stored on the upload: three rows of the file, each shown read both ways, evidence of
        either order first. `header` is the column's header as the user's file wrote it."""
        evidence = [self.first[k] for k in (DAY_FIRST, MONTH_FIRST) if k in self.first]
        rest = sorted((e for e in self.examples if e not in evidence), key=lambda e: e[2] == "either")
        chosen = sorted((evidence + rest)[:EXAMPLES])
        c = self.counts
        if c[DAY_FIRST] and c[MONTH_FIRST]:
            why = _("cột có cả ngày chỉ đọc được theo ngày/tháng (%(dmy)d ô) và ngày chỉ đọc được theo "
                    "tháng/ngày (%(mdy)d ô)") % {"dmy": c[DAY_FIRST], "mdy": c[MONTH_FIRST]}
        else:
            why = _("mọi ngày trong cột (%(either)d ô) đều đọc được theo cả hai cách") % {"either": c["either"]}
        return {"column": self.key, "header": header, "why": why, "suggested": self.suggested,
                "counts": dict(c),
                "examples": [{"row": row, "value": value, "day_first": read_both(value)[0],
                              "month_first": read_both(value)[1]} for row, value, _kind in chosen]}
