"""CSV and Excel downloads of any dashboard table (the same rows the page shows), written by the portal's one
export helper (edu_portal.common.exports: file name with scope, filters and date, the "as of" line, BOM)."""
from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse

from edu_portal.common.exports import as_of_line, export_response, safe_cell

from .presentation import Table

__all__ = ["safe_cell", "table_export", "table_rows"]


def table_rows(table: Table) -> list[list]:
    return [[row.get(key) for key, _ in table.columns] for row in table.rows]


def table_export(table: Table, fmt: str, *, where: str = "", filters: Sequence[tuple[str, str]] = (),
                 page: str = "") -> HttpResponse:
    """`where`: the area the page shows (a province's name...); `filters`: (label, value) in force; `page`: the
    page's title, before the table's in the "as of" line."""
    title = f"{page} — {table.title}" if page and str(page) != str(table.title) else str(table.title)
    return export_response(fmt, what=str(table.title), parts=[where] + [value for _label, value in filters],
                           as_of=as_of_line(title, scope=where, filters=filters),
                           header=[label for _, label in table.columns], rows=table_rows(table))

