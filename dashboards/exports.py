"""CSV and Excel downloads of any dashboard table (the same rows the page shows)."""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.functional import Promise

from .presentation import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas (CSV/formula injection): text starting with = + - @ gets a
    leading apostrophe. Numbers stay numbers; translated labels become text in the reader's language."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def table_rows(table: Table) -> list[list]:
    return [[safe_cell(row.get(key)) for key, _ in table.columns] for row in table.rows]


def table_export(table: Table, fmt: str) -> HttpResponse:
    header = [label for _, label in table.columns]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=table.name[:31])
        ws.append([safe_cell(h) for h in header])
        for row in table_rows(table):
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(table_rows(table))
        # A BOM so that Excel opens Vietnamese text as UTF-8.
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response
