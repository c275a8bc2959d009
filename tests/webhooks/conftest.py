"""Webhook tests: a real HTTP receiver on loopback (a thread of this process) that records what it is sent and
answers as each test scripts it (a status code, or hanging for some seconds)."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.scope import Scope
from api.services import api_token_create
from tests.processes import HOST


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.script: list = []  # answers in order: a status code, or ("hang", seconds); then 200
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((HOST, 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/hooks"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    answer = receiver.script.pop(0) if receiver.script else 200
                if isinstance(answer, tuple):
                    time.sleep(answer[1])
                    answer = 200
                self.send_response(answer)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def fast_webhooks(settings):
    """Short timeouts and backoff, so that retries happen within a test."""
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1.0
    settings.WEBHOOKS_BACKOFF_BASE = 0.2
    settings.WEBHOOKS_BACKOFF_MAX = 0.5
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    return settings


@pytest.fixture
def token_for():
    """token_for(user, scope) -> (ApiToken, secret)."""

    def _make(user, scope: Scope | None = None, *, write: bool = False, name: str = "sis"):
        return api_token_create(user=user, name=name, scope=scope or Scope.for_user(user), can_write=write)

    return _make


def wait_until(predicate, *, timeout: float = 30, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")
