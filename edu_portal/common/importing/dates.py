"""The order of a date column (day-first or month-first), decided from the whole column, never cell by cell.

Vietnam writes dd/mm/yyyy (the national standard, e.g. Thông tư 01/2011/TT-BNV on document formats), but a
file saved by Excel with US regional settings carries mm/dd/yyyy. Read cell by cell, such a column comes out
day-first where it can and refused where it cannot, so a user who fixes only the refused cells saves wrong
birth dates. Instead every text date of a column is tallied first:

- a value only one order can read (13/02/2015: day-first; 02/13/2015: month-first) is evidence;
- a value both orders read differently (03/04/2015) is ambiguous; one both read the same (05/05/2015) is not.

Day-first evidence alone settles the column as day-first. Anything else that is not the same either way
(month-first evidence, both kinds of evidence, or only ambiguous values) stops the preview with a question,
answered once per column and applied to every cell of it. Excel cells holding real dates are unambiguous
and not tallied.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

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

    def add(self, rownum: int, value) -> None:
        kind = reading(value)
        if kind is None:
            return
        self.counts[kind] += 1
        if kind != "same" and len(self.examples) < EXAMPLES * 3:
            self.examples.append((rownum, value.strip(), kind))

    @property
    def settled(self) -> str | None:
        """The order the column itself settles without a question, or None when the user must choose."""
        c = self.counts
        if c[MONTH_FIRST] == 0 and (c[DAY_FIRST] > 0 or c["either"] == 0):
            return DAY_FIRST
        return None

    @property
    def suggested(self) -> str:
        """The order proposed in the question: month-first only when the file shows month-first evidence and
        no day-first evidence."""
        c = self.counts
        return MONTH_FIRST if c[MONTH_FIRST] and not c[DAY_FIRST] else DAY_FIRST

    def question(self, header: str) -> dict:
        """The question stored on the upload: three rows of the file, each shown read both ways, evidence of
        either order first."""
        chosen = sorted(self.examples, key=lambda e: e[2] == "either")[:EXAMPLES]
        chosen.sort()
        c = self.counts
        if c[DAY_FIRST] and c[MONTH_FIRST]:
            why = (f"cột có cả ngày chỉ đọc được theo ngày/tháng ({c[DAY_FIRST]} ô) và ngày chỉ đọc được theo "
                   f"tháng/ngày ({c[MONTH_FIRST]} ô)")
        elif c[MONTH_FIRST]:
            why = (f"{c[MONTH_FIRST]} ô chỉ đọc được theo tháng/ngày/năm (kiểu Mỹ); {c['either']} ô đọc được "
                   "theo cả hai cách")
        else:
            why = f"mọi ngày trong cột ({c['either']} ô) đều đọc được theo cả hai cách"
        return {"column": self.key, "header": header, "why": why, "suggested": self.suggested,
                "counts": dict(c),
                "examples": [{"row": row, "value": value, "day_first": read_both(value)[0],
                              "month_first": read_both(value)[1]} for row, value, _ in chosen]}
