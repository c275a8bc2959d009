"""Keyset ("cursor") pagination over (updated_at, id): fast at any depth, stable while records
change, and the natural order for incremental sync: a client pages to the end and keeps the last
`updated_at` it saw as its next `updated_since`.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from edu_portal.common.exceptions import AppError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _bad(field: str, message: str) -> AppError:
    return AppError(f"{field}: {message}", code="invalid", details={field: [message]})


def parse_page_size(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not (1 <= int(raw) <= MAX_PAGE_SIZE):
        raise _bad("page_size", f"Phải là số nguyên từ 1 đến {MAX_PAGE_SIZE}.")
    return int(raw)


def encode_cursor(updated_at: dt.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        moment = parse_datetime(stamp)
        if moment is None or moment.tzinfo is None or type(pk) is not int or not (0 < pk < 2**63):
            raise ValueError(cursor)
        return moment, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, AttributeError) as exc:
        raise _bad("cursor", "Con trỏ trang không hợp lệ; hãy dùng nguyên giá trị 'next' đã nhận.") from exc


class KeysetPagination(BasePagination):
    """Pages of `page_size` records ordered by (updated_at, id); `next` is null on the last page."""

    updated_field = "updated_at"

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        updated_field = getattr(view, "updated_field", self.updated_field)
        self.page_size = parse_page_size(request.query_params.get("page_size"))
        self.request = request
        self.updated_field = updated_field
        cursor = request.query_params.get("cursor")
        if cursor:
            moment, pk = decode_cursor(cursor)
            queryset = queryset.filter(Q(**{f"{updated_field}__gt": moment})
                                       | Q(**{updated_field: moment, "pk__gt": pk}))
        rows = list(queryset.order_by(updated_field, "pk")[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.rows = rows[: self.page_size]
        return self.rows

    def next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.rows[-1]
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", encode_cursor(getattr(last, self.updated_field), last.pk))

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
