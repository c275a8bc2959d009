"""The body of a bulk upsert (POST /api/v1/bulk/<records>/) read as records: NDJSON (one JSON object a line)
or CSV (a header row of field names). A line that cannot be read is not a refusal of the whole body: it is
one rejected record, with its line number and the reason, as an upload's bad row is.

Field names are those of the record API's create and update JSON (api.profiles.record_fields), plus
`school_code`, the school's half of the natural key (the record API names the school by its id, `school`,
which bulk accepts too).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from edu_portal.common.exceptions import AppError

NDJSON, CSV = "ndjson", "csv"
CONTENT_TYPES = {"application/x-ndjson": NDJSON, "application/ndjson": NDJSON, "text/csv": CSV}
# Fields bulk takes beyond the record API's: the school by its code (the natural key's first half).
KEY_FIELDS = frozenset({"school_code", "school"})
SCALARS = (str, int, float, bool, type(None))


@dataclass(slots=True)
class Line:
    """One record of the body: `row` (field -> raw value) or, when it could not be read, `problem`."""

    number: int
    row: dict | None = None
    problem: str = ""


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AppError(_("Thân yêu cầu phải là văn bản UTF-8."), code="bad_encoding") from exc


def record_lines(text: str, kind: str, fields: frozenset[str]) -> Iterator[Line]:
    """Every record of the body, in order; blank lines are skipped (they keep their numbers)."""
    return _ndjson_lines(text, fields) if kind == NDJSON else _csv_lines(text, fields)


def _ndjson_lines(text: str, fields: frozenset[str]) -> Iterator[Line]:
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            row = json.loads(raw)
        except (ValueError, RecursionError):
            yield Line(number, problem=_("Dòng không phải là JSON hợp lệ."))
            continue
        if not isinstance(row, dict):
            yield Line(number, problem=_("Mỗi dòng phải là một đối tượng JSON."))
            continue
        unknown = sorted(str(k) for k in row if k not in fields)
        if unknown:
            yield Line(number, problem=_("Có trường không được hỗ trợ: %(fields)s.") % {
                "fields": ", ".join(u[:40] for u in unknown[:10])})
            continue
        nested = sorted(k for k, v in row.items() if not isinstance(v, SCALARS))
        if nested:
            yield Line(number, problem=_("Giá trị phải là chuỗi, số, true/false hoặc null: %(fields)s.") % {
                "fields": ", ".join(nested)})
            continue
        yield Line(number, row=row)


def csv_header(text: str, fields: frozenset[str]) -> list[str]:
    """The header row's field names; unknown or repeated names refuse the whole body (as an upload's header)."""
    first = next(csv.reader(io.StringIO(text)), None)
    header = [name.strip() for name in (first or [])]
    unknown = sorted({h for h in header if h and h not in fields})
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if not any(header) or unknown or repeated:
        details = {}
        if unknown:
            details["unknown"] = unknown[:20]
        if repeated:
            details["repeated"] = repeated
        raise AppError(_("Dòng tiêu đề CSV phải là tên các trường của API (không lặp, không thừa)."),
                       code="bad_header", details=details)
    return header


def _csv_lines(text: str, fields: frozenset[str]) -> Iterator[Line]:
    header = csv_header(text, fields)
    reader = csv.reader(io.StringIO(text))
    next(reader)
    width = len(header)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield Line(reader.line_num, problem=_("Dòng CSV không đọc được."))
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > width:
            yield Line(reader.line_num, problem=_("Dòng có nhiều ô hơn dòng tiêu đề."))
            continue
        yield Line(reader.line_num, row={name: values[i] if i < len(values) else "" for i, name in enumerate(header)
                                         if name})


def field_names(text: str, kind: str, fields: frozenset[str]) -> set[str]:
    """The fields the body writes (for the token's profile, checked before any job is made)."""
    if kind == CSV:
        return set(csv_header(text, fields))
    names: set[str] = set()
    for line in _ndjson_lines(text, fields):
        if line.row:
            names.update(line.row)
    return names
