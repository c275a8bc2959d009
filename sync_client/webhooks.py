"""A webhook receiver: what a client must check before it trusts a message from the portal.

Each message is a POST with a JSON body and:
    X-EduPortal-Event: student.updated
    X-EduPortal-Event-Id: <uuid>     the same for every attempt and replay of one event
    X-EduPortal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription's secret>

The receiver
- refuses (401) a message whose signature does not match: anyone can POST to a public URL;
- refuses (401) a `t` more than 5 minutes from its clock: a captured message sent again later;
- answers 200 but does nothing for an event id already handled: the portal retries until it gets a 2xx, and
  replays on request, so the same event may arrive more than once;
- answers fast and does the work afterwards (the portal waits 5 s). Messages carry keys, never personal data:
  fetch `data.url` with the token, or run `delta`, to get the record itself.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .store import Mirror

TOLERANCE_SECONDS = 300
MAX_BODY = 1024 * 1024


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value the portal sends (also what a test sender computes)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def check(secret: str, header: str | None, body: bytes, *, now: float | None = None,
          tolerance: int = TOLERANCE_SECONDS) -> str | None:
    """None if the message is genuine and fresh, else why not."""
    try:
        fields = dict(part.strip().split("=", 1) for part in (header or "").split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError):
        return "missing or malformed X-EduPortal-Signature"
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):  # constant time: no byte-by-byte guessing
        return "signature does not match"
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return "timestamp outside the tolerance (stale or replayed message)"
    return None


def make_server(host: str, port: int, *, secret: str, mirror: Mirror,
                on_event: Callable[[dict], None] | None = None) -> ThreadingHTTPServer:
    """A server (call serve_forever()) that records each genuine new event in the mirror."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
            body = self.rfile.read(length)
            problem = check(secret, self.headers.get("X-EduPortal-Signature"), body)
            if problem:
                return self._answer(HTTPStatus.UNAUTHORIZED, {"error": problem})
            try:
                event = json.loads(body)
                event_id = self.headers.get("X-EduPortal-Event-Id") or event["id"]
            except (ValueError, KeyError, TypeError):
                return self._answer(HTTPStatus.BAD_REQUEST, {"error": "not an event"})
            received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            if mirror.event_seen(str(event_id), str(event.get("type", "")), received, body.decode("utf-8")):
                return self._answer(HTTPStatus.OK, {"status": "duplicate"})
            if on_event is not None:
                on_event(event)
            return self._answer(HTTPStatus.OK, {"status": "accepted"})

        def _answer(self, status: HTTPStatus, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 - http.server's signature
            pass  # the command line prints each event itself

    return ThreadingHTTPServer((host, port), Receiver)
