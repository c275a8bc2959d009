"""Keyset ("cursor") pagination: fast at any depth and stable while records change.

Two orders, each served by an index the tables already have:

- a plain listing goes school by school, (school_id, id): PostgreSQL walks the scope's schools
  in order and sorts only one school's rows at a time (for schools themselves: id);
- with `updated_since` (incremental sync) it goes by (updated_at, id), so that a client that
  pages to the end can keep the last `updated_at` it saw as its next `updated_since`.

A cursor records which order it belongs to; one used with the other kind of query is refused.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from edu_portal.common.exceptions import AppError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_CURSOR_LENGTH = 512  # a real cursor is under 100 characters
# Timestamps a client may send (updated_since, a cursor's updated_at): every record was written
# between these, and a moment far outside them (year 1 at +14:00, 9999-12-31 at -14:00) does not
# even convert to UTC in Python.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _bad(field: str, message: str) -> AppError:
    return AppError(gettext("%(field)s: %(message)s") % {"field": field, "message": message}, code="invalid", details={field: [message]})


def parse_page_size(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not (1 <= int(raw) <= MAX_PAGE_SIZE):
        raise _bad("page_size", f"Phải là số nguyên từ 1 đến {MAX_PAGE_SIZE}.")
    return int(raw)


def in_range(moment: dt.datetime) -> bool:
    """An aware moment within [EARLIEST, LATEST)."""
    try:
        return EARLIEST <= moment.astimezone(dt.UTC) < LATEST
    except (OverflowError, ValueError):
        return False


def encode_cursor(order: tuple[str, ...], values: list) -> str:
    keys = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps({"o": ",".join(order), "k": keys}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: tuple[str, ...]) -> list:
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("cursor too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        keys = payload["k"]
        if payload["o"] != ",".join(order) or len(keys) != len(order):
            raise ValueError("cursor of another query")
        values = []
        for field, key in zip(order, keys, strict=True):
            if field.endswith("_at"):
                moment = parse_datetime(key)
                if moment is None or moment.tzinfo is None or not in_range(moment):
                    raise ValueError(key)
                values.append(moment.astimezone(dt.UTC))  # PostgreSQL refuses offsets beyond ±15:59
            elif type(key) is int and 0 < key < 2**63:
                values.append(key)
            else:
                raise ValueError(key)
        return values
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, AttributeError,
            RecursionError) as exc:
        raise _bad("cursor", "Con trỏ trang không hợp lệ; hãy dùng nguyên giá trị 'next' đã nhận "
                             "(với cùng các tham số lọc).") from exc


def after(order: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) ..., plus a >= x so
    that the planner can start the index scan there."""
    q = Q()
    for i in range(len(order) - 1, -1, -1):
        step = Q(**{f"{order[i]}__gt": values[i]})
        q = step | (Q(**{order[i]: values[i]}) & q) if i < len(order) - 1 else step
    return Q(**{f"{order[0]}__gte": values[0]}) & q


class KeysetPagination(BasePagination):
    """Pages of `page_size` records in the view's `order`; `next` is null on the last page."""

    def paginate_queryset(self, queryset: QuerySet, request, view=None, *, order=("id",)) -> list:
        self.page_size = parse_page_size(request.query_params.get("page_size"))
        self.request = request
        self.order = tuple(order)
        cursor = request.query_params.get("cursor")
        if cursor:
            queryset = queryset.filter(after(self.order, decode_cursor(cursor, self.order)))
        rows = list(queryset.order_by(*self.order)[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.rows = rows[: self.page_size]
        return self.rows

    def next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.rows[-1]
        url = self.request.build_absolute_uri()
        values = [last[f] if isinstance(last, dict) else getattr(last, f) for f in self.order]
        return replace_query_param(url, "cursor", encode_cursor(self.order, values))

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.next_link(), "results": data})

    # drf-spectacular reads these two to document list endpoints.
    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {"name": "cursor", "required": False, "in": "query", "schema": {"type": "string"},
             "description": "Giá trị lấy từ 'next' của trang trước (không tự tạo)."},
            {"name": "page_size", "required": False, "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
             "description": f"Số bản ghi mỗi trang (1-{MAX_PAGE_SIZE})."},
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {"type": "object", "required": ["next", "results"],
                "properties": {"next": {"type": "string", "format": "uri", "nullable": True},
                               "results": schema}}
