"""Codes whose leading zeros Excel stripped: "123" in the file is the school's existing "000123".

Excel reads a code typed into a General cell as a number and drops its leading zeros; taken as it is, such a
code is a new one and the record would be created a second time. The rule: a code of digits only that is not
itself on record, when the records it may name (the school's, or the nation's for school codes) hold exactly
one code of the same digits once leading zeros are stripped, longer than the one in the file, is that code.
Several candidates (0123 and 00123) are left as they are: a guess between them would be a guess.
"""
from __future__ import annotations

from django.db import connection

from .context import ImportContext
from .importer import RecordImporter

RESTORED_NOTE = "mã {given} được hiểu là {code} (Excel đã bỏ số 0 ở đầu)"


def restore_leading_zeros(importer: RecordImporter, rows: list[tuple[int, dict]], *,
                          context: ImportContext) -> dict[int, tuple[str, str]]:
    """Restores, in place, the codes of a batch of cleaned rows; {rownum: (code in the file, code on record)}."""
    field, where = importer.code_field, importer.code_table
    if not field or where is None:
        return {}
    digits = {c[field] for _, c in rows if isinstance(c.get(field), str) and c[field].isdigit()}
    if not digits:
        return {}
    table, column, school_column = where
    stripped = {d.lstrip("0") or "0" for d in digits}
    sql = (f"SELECT {column} FROM {table} WHERE {column} ~ '^[0-9]+$'"  # noqa: S608 - fixed names
           f" AND (ltrim({column}, '0') = ANY(%s) OR {column} = ANY(%s))")
    params: list = [sorted(stripped), sorted(digits)]
    if school_column:
        if context.school is None:
            return {}
        sql += f" AND {school_column} = %s"
        params.append(context.school.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        on_record = [r[0] for r in cursor.fetchall()]
    exact = set(on_record)
    by_digits: dict[str, list[str]] = {}
    for code in on_record:
        by_digits.setdefault(code.lstrip("0") or "0", []).append(code)
    restored = {}
    for rownum, c in rows:
        given = c.get(field)
        if not isinstance(given, str) or not given.isdigit() or given in exact:
            continue
        candidates = [code for code in by_digits.get(given.lstrip("0") or "0", ()) if len(code) > len(given)]
        if len(candidates) == 1:
            c[field] = candidates[0]
            restored[rownum] = (given, candidates[0])
    return restored
