"""The client's HTTP manners against a scripted server: retries on 429/5xx honouring Retry-After, no retry on
the client's own errors, the API's error shape kept; and the package needs nothing of the portal."""
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync_client.client import ApiError, Client
from tests.processes import ROOT, free_port


@pytest.fixture
def scripted():
    """scripted([(status, headers, body), ...]) -> URL of a server answering them in turn (the last one forever)."""
    servers = []

    def start(answers):
        seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                seen.append((time.monotonic(), self.headers.get("Authorization")))
                status, headers, body = answers[min(len(seen), len(answers)) - 1]
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", free_port(8123)), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


PAGE = {"next": None, "results": [{"id": 1}]}
ERROR = {"error": {"code": "invalid", "message": "page_size: Tối đa 1000.", "details": {"page_size": ["Tối đa 1000."]}}}


def test_429_waits_for_retry_after_and_5xx_backs_off(scripted):
    url, seen = scripted([(429, {"Retry-After": "1"}, {"error": {"code": "throttled", "message": "x"}}),
                          (503, {}, {}), (200, {}, PAGE)])
    client = Client(url, "secret", backoff_base=0.05)
    assert client.all("students/") == [{"id": 1}]
    assert len(seen) == 3 and seen[0][1] == "Token secret"
    assert seen[1][0] - seen[0][0] >= 0.95  # Retry-After honoured
    assert client.log[0].startswith("retry 1 in 1.0s") and "HTTP 429" in client.log[0]


def test_client_errors_are_not_retried_and_keep_the_error(scripted):
    url, seen = scripted([(400, {}, ERROR)])
    with pytest.raises(ApiError) as raised:
        Client(url, "secret").get("students/", {"page_size": 5000})
    assert len(seen) == 1
    assert (raised.value.status, raised.value.code, raised.value.details) == (400, "invalid", ERROR["error"]["details"])
    assert "page_size" in str(raised.value)


def test_a_server_that_stays_down_ends_in_an_error(scripted):
    url, seen = scripted([(502, {}, "<html>Bad gateway</html>")])
    with pytest.raises(ApiError) as raised:
        Client(url, "secret", max_attempts=3, backoff_base=0.01).get("me/")
    assert len(seen) == 3 and raised.value.status == 502 and raised.value.code == "unexpected_answer"


def test_the_package_imports_nothing_of_the_portal():
    """A vendor copies sync_client/ alone: it must run with the standard library only."""
    code = ("import sys, sync_client.__main__, sync_client.conformance; "
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'rest_framework', 'httpx', "
            "'edu_portal', 'students', 'teachers', 'schools', 'api', 'accounts'}); print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
