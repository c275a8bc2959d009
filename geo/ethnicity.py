"""The 54 ethnic groups of Viet Nam: official names and codes of Quyết định 121-TCTK/PPCĐ
(Tổng cục Thống kê, 2 March 1979), the list the census and every ministry statistic use.

Pure functions on the data file, with no database: the loader (geo/services.py) and the data
migrations of the records apps read the same file, so an alias is written down once.
"""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

ETHNIC_GROUPS_CSV = Path(__file__).resolve().parent / "data" / "ethnic_groups.csv"


def ethnicity_key(value: str) -> str:
    """The spelling-blind form of a name: lower case, without diacritics, hyphens, apostrophes or
    spaces, so that "Khơ-me", "Khơ Me" and "KHO ME" meet. The official names stay distinct under it
    (tests/geo/test_ethnic_groups.py checks it)."""
    text = unicodedata.normalize("NFD", (value or "").casefold()).replace("đ", "d")
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def ethnic_groups_read() -> list[tuple[str, str, list[str]]]:
    """(code, official name, other spellings) for the 54 groups, in code order."""
    with ETHNIC_GROUPS_CSV.open(encoding="utf-8") as f:
        return [(row["code"], unicodedata.normalize("NFC", row["name"]),
                 [unicodedata.normalize("NFC", a) for a in row["aliases"].split("|") if a.strip()])
                for row in csv.DictReader(f)]


def ethnicity_lookup_build(groups) -> dict[str, str]:
    """Spelling-blind key -> official name, for the codes ("05" or "5"), the official names and
    their aliases."""
    lookup = {}
    for code, name, aliases in groups:
        lookup[code] = lookup[str(int(code))] = name
        for spelling in (name, *aliases):
            lookup[ethnicity_key(spelling)] = name
    return lookup


def official_names_rewrite(connection, *, table: str) -> None:
    """Stored spellings in `table`.ethnicity that name a group become its official name (data
    migrations of students and teachers); values naming no group stay as they are. One UPDATE per
    distinct spelling, not per row."""
    lookup = ethnicity_lookup_build(ethnic_groups_read())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT ethnicity FROM {table}")  # noqa: S608 - a constant table name
        for (stored,) in cursor.fetchall():
            official = lookup.get(ethnicity_key(stored))
            if official and official != stored:
                cursor.execute(f"UPDATE {table} SET ethnicity = %s WHERE ethnicity = %s",  # noqa: S608
                               [official, stored])
