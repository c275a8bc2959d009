"""Every download a person opens in a spreadsheet (list pages, dashboard tables, facilities, reporting) is
written here, so that all of them are named, headed and encoded alike:

- the file name says what, where, which filters and when, in ASCII (`hoc-sinh_ha-noi_lop-6A_2026-12-04.csv`;
  `pupils_ha-noi_class-6A_2026-12-04.csv` in English): mail clients and old Windows mangle other bytes;
- the first line is the "as of" line (title, scope, filters, time in Asia/Ho_Chi_Minh): a file forwarded
  without its page still says what it holds; in Excel a title row above the header;
- CSV carries a UTF-8 BOM (Excel reads it as ANSI otherwise), and follows the reader's language: in
  Vietnamese `;` between fields and a decimal comma, which Excel under Vietnamese regional settings (list
  separator `;`, decimal symbol `,`) opens into columns with numbers as numbers; in English `,` and a
  decimal point. Machines read the API (`?format=csv` there stays plain RFC 4180);
- Excel keeps numbers as numbers and dates as dates (formatted dd/mm/yyyy);
- text starting with = + - @ is neutralised (formula injection).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas: text starting with = + - @ gets a leading apostrophe. Numbers and
    dates stay as they are; translated labels become text in the reader's language; None is empty."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def ascii_slug(text: str, *, limit: int = 40) -> str:
    """"Hà Nội" -> "ha-noi", "6A" stays "6A": letters without their marks (đ -> d), anything else a dash."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    # Lower case except a code-like word (6A, 01001234): a class's or school's name is read as written.
    words = "-".join(w if any(c.isdigit() for c in w) else w.lower() for w in words.split("-"))
    return words[:limit].strip("-")


def export_filename(what: str, parts: Sequence[str], ext: str, *, on: dt.date | None = None) -> str:
    """`<what>_<part>_<part>_<date>.<ext>`, every piece ASCII; empty parts are left out."""
    on = on or timezone.localdate()
    pieces = [ascii_slug(what)] + [ascii_slug(p) for p in parts if p] + [on.isoformat()]
    name = "_".join(p for p in pieces if p)
    return f"{name[:180]}.{ext}"


def as_of_line(title: str, *, scope: str, filters: Sequence[tuple[str, str]] = (), at: dt.datetime | None = None) -> str:
    """The first line of every download: what, where, which filters, when (Vietnam's time)."""
    at = timezone.localtime(at or timezone.now())
    text = _("%(title)s — phạm vi: %(scope)s") % {"title": title, "scope": scope}
    if filters:
        text += " — " + _("lọc: %(filters)s") % {"filters": "; ".join(f"{label}: {value}" for label, value in filters)}
    return text + " — " + _("số liệu lúc %(time)s (giờ Việt Nam)") % {"time": at.strftime("%d/%m/%Y %H:%M")}


def _csv_dialect() -> tuple[str, str]:
    """(field separator, decimal mark) for the reader's language (module docstring)."""
    return (",", ".") if (get_language() or "vi").startswith("en") else (";", ",")


def _csv_value(value, decimal: str, english: bool):
    value = safe_cell(value)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", decimal)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M" if english else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat() if english else value.strftime("%d/%m/%Y")
    return value


def csv_bytes(as_of: str, header: Sequence, rows: Iterable[Sequence]) -> bytes:
    separator, decimal = _csv_dialect()
    english = separator == ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([as_of])
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(v, decimal, english) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(as_of: str, header: Sequence, rows: Iterable[Sequence], *, sheet: str = "") -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl is heavy; loaded by the few requests that export
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(re.sub(r"[\[\]:*?/\\]", " ", sheet) or "Sheet1")[:31])
    ws.freeze_panes = "A3"
    title = WriteOnlyCell(ws, value=safe_cell(as_of))
    title.font = Font(bold=True)
    ws.append([title])
    heads = []
    for h in header:
        cell = WriteOnlyCell(ws, value=safe_cell(h))
        cell.font = Font(bold=True)
        heads.append(cell)
    ws.append(heads)
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, dt.datetime):
                # Excel has no time zones: the time as read in Vietnam.
                value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, Promise):
                cell = WriteOnlyCell(ws, value=str(value))
            else:
                cell = WriteOnlyCell(ws, value=value)
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_response(fmt: str, *, what: str, parts: Sequence[str], as_of: str, header: Sequence,
                    rows: Iterable[Sequence]) -> HttpResponse:
    """The download: `fmt` "xlsx" or anything else for CSV; named by export_filename."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(as_of, header, rows, sheet=str(what)), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(csv_bytes(as_of, header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(str(what), parts, fmt)}"'
    # A list of people: not kept by shared caches or the browser's back-forward cache.
    response["Cache-Control"] = "no-store"
    return response
