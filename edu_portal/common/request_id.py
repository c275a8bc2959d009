"""A request id for every request: taken from X-Request-ID when a proxy sent a sane one,
otherwise a new uuid4; put on every log line (through a contextvar) and on the response."""
from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Ids from outside are only accepted if they cannot forge log lines or headers.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return request_id_var.get()


def clear_request_id(**kwargs) -> None:
    request_id_var.set("-")


def new_request_id(incoming: str | None = None) -> str:
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (attach it to handlers so every line carries it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True
