"""The shape of an importer: its columns and the methods the upload engine and the API call."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from .context import ImportContext
from .errors import RowError
from .parsers import header_key


@dataclass(frozen=True)
class Column:
    key: str
    header: str               # the Vietnamese header of the template
    required: bool = True
    help: str = ""            # what the column holds, shown in the template's code sheet
    choices: tuple = ()       # (code, label) pairs accepted (either form), listed in the template
    example: str = ""
    aliases: tuple = ()
    date: bool = False        # a date column: its day/month order is decided from the whole column (dates.py)


NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


class RecordImporter:
    """One kind of record that can be uploaded. Subclasses (in each app's importers.py) declare
    the columns and implement:

    - `validate_row(row, *, context) -> (cleaned | None, [RowError])`: one row on its own, no
      database access; `row` maps column keys to raw values (text, Excel values or JSON values).
    - `resolve(rows, *, context) -> [(rownum, cleaned, state, [RowError])]`: a batch of valid
      rows checked against the database in a few queries (records at other schools, ID numbers
      owned by someone else) and classified NEW, CHANGED or UNCHANGED.
    - `stage_row(cleaned) -> list`: the values written to the staging file, in `stage_columns`
      order, that the app's writers.py copies into the real tables in one transaction.

    and name their app's set-based writer, `writer = staticmethod(<app>.writers.write_...)`, which the
    upload engine runs through `write`.
    """

    kind: str = ""
    label: str = ""
    columns: tuple[Column, ...] = ()
    key_fields: tuple[str, ...] = ()
    unique_fields: tuple[str, ...] = ()
    stage_columns: tuple[tuple[str, str], ...] = ()
    needs_school: bool = True
    # Rows that name their school (a school code column): a school user's file is for their school, a province
    # or ministry user's for the school they choose or, none chosen, for the schools its rows name.
    rows_name_school: bool = False
    # The kind of record whose identity the verification app checks ("student", "staff"), if any.
    verification_kind: str = ""
    # The task (by name) that looks for second records of the people a commit created or changed.
    duplicate_scan_task: str = ""
    writer = None
    # Where the codes of this kind of record are kept, to restore the leading zeros Excel strips
    # (codes.py): (table, code column, school column or "" when codes are national).
    code_field: str = ""
    code_table: tuple[str, str, str] | None = None

    @cached_property
    def headers(self) -> dict[str, str]:
        return {c.key: c.header for c in self.columns}

    @cached_property
    def header_lookup(self) -> dict[str, str]:
        lookup = {}
        for c in self.columns:
            for name in (c.header, c.key, *c.aliases):
                lookup[header_key(name)] = c.key
        return lookup

    def key(self, cleaned: dict):
        """The natural key: one value, or a tuple when it has several parts (kept small because
        validation remembers every key of a file to find duplicates)."""
        if len(self.key_fields) == 1:
            return cleaned[self.key_fields[0]]
        return tuple(cleaned[f] for f in self.key_fields)

    @cached_property
    def date_columns(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.date)

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        raise NotImplementedError

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        """For a CHANGED row, the stored values may be left in `context.previous[rownum]` ({stage column:
        value}), from which the preview lists each changed field with its old and new value."""
        raise NotImplementedError

    def likely_duplicates(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> dict[int, dict]:
        """Of valid rows that would create a record (NEW), those that may be a person already on file, for
        the preview's warning (never a refusal): {rownum: {"name": the name in the file, "matches":
        [{"full_name", "date_of_birth" (ISO), "school_name"}]}}. Only what any user who sees the preview may
        learn of a person at another school: never an ID number or a code. None unless the app declares it."""
        return {}

    def stage_row(self, cleaned: dict) -> list:
        return [cleaned[name] for name, _ in self.stage_columns]

    def write(self, *, context: ImportContext, now, staged_path) -> dict:
        """The staged rows into the real tables, in the caller's transaction: counts
        {"new", "changed", "queued": [ids to verify], ...}; StaleUpload if the database changed."""
        return self.writer(context=context, now=now, staged_path=staged_path, importer=self)


def other_school_phrase(*, scope, school_id: int, province_id: str, name: str, code: str) -> str:
    """The other school is named only to users whose scope contains it."""
    if scope.contains_school(SimpleNamespace(pk=school_id, province_id=province_id)):
        return f"{name} ({code})"
    return "một trường khác"
