"""The kit's bulk checks and `push` against the bulk contract itself, played by a small scripted server: until the
portal's bulk endpoint is merged, this is what keeps the client's side of the contract honest (and shows that the
checks fail when a server gets idempotency wrong)."""
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync_client.client import Client
from sync_client.conformance import Kit
from sync_client.push import push
from tests.processes import free_port

REQUIRED = ("pupil_code", "full_name", "date_of_birth", "school")


class BulkServer(ThreadingHTTPServer):
    """Jobs run at once; a line is accepted when it is JSON with the required fields. `honest=False` forgets
    idempotency keys (every POST is a new job)."""

    def __init__(self, *, writable=True, honest=True):
        super().__init__(("127.0.0.1", free_port(8124)), _Bulk)
        self.writable, self.honest, self.jobs, self.keys = writable, honest, {}, {}


class _Bulk(BaseHTTPRequestHandler):
    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/api/v1/me/":
            write = self.server.writable
            return self._send(200, {"token": {"scope": "province:01", "can_write": write, "can_view_id_numbers": False},
                                    "resources": {"students": {"read": True, "write": write,
                                                               "fields": {"read": [], "write": []}}}})
        found = re.fullmatch(r"/api/v1/bulk/jobs/(\d+)/(results/)?", path)
        job = self.server.jobs.get(int(found.group(1))) if found else None
        if job is None:
            return self._send(404, {"error": {"code": "not_found", "message": "x", "details": {}}})
        if found.group(2):
            rows = [r for r in job["_results"] if "outcome=rejected" not in self.path or r["outcome"] == "rejected"]
            return self._send(200, {"next": None, "results": rows})
        return self._send(200, {k: v for k, v in job.items() if not k.startswith("_")})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not self.server.writable:
            return self._send(403, {"error": {"code": "permission_denied", "message": "read-only", "details": {}}})
        key, digest = self.headers["Idempotency-Key"], hashlib.sha256(body).hexdigest()
        if self.server.honest and key in self.server.keys:
            job_id, seen = self.server.keys[key]
            if seen != digest:
                return self._send(409, {"error": {"code": "idempotency_key_reused", "message": "x", "details": {}}})
            return self._send(200, {"job": job_id, "status": self.server.jobs[job_id]["status"], "url": "x"})
        mode = "atomic" if "mode=atomic" in self.path else "per_record"
        results = []
        for number, line in enumerate(body.decode().splitlines(), 1):
            try:
                record = json.loads(line)
                errors = {f: ["required"] for f in REQUIRED if not record.get(f)}
            except ValueError:
                record, errors = {}, {"__all__": ["not JSON"]}
            results.append({"line": number, "key": record.get("pupil_code"), "id": None if errors else number,
                            "outcome": "rejected" if errors else "created", "errors": errors})
        rejected = sum(r["outcome"] == "rejected" for r in results)
        if mode == "atomic" and rejected:
            results = [r if r["errors"] else {**r, "outcome": "unchanged", "id": None} for r in results]
        created = sum(r["outcome"] == "created" for r in results)
        job_id = len(self.server.jobs) + 1
        self.server.jobs[job_id] = {
            "job": job_id, "records": len(results), "mode": mode, "status": "done",
            "counts": {"created": created, "updated": 0, "unchanged": 0, "rejected": rejected},
            "created_at": "2026-12-04T08:00:00Z", "finished_at": "2026-12-04T08:00:01Z",
            "results_url": f"http://127.0.0.1:{self.server.server_port}/api/v1/bulk/jobs/{job_id}/results/",
            "error": None, "_results": results}
        self.server.keys[key] = (job_id, digest)
        return self._send(202, {"job": job_id, "status": "queued", "url": "x"})

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def bulk_server():
    servers = []

    def start(**options):
        server = BulkServer(**options)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("options", "status"), [({}, "PASS"), ({"writable": False}, "PASS"),
                                                 ({"honest": False}, "FAIL")])
def test_the_kit_checks_the_bulk_lifecycle(bulk_server, options, status):
    [outcome] = Kit(bulk_server(**options), "token").run(only={"bulk"})
    assert outcome.status == status, outcome


def test_push_sends_a_file_once_and_reports_rejected_lines(bulk_server, tmp_path):
    url = bulk_server()
    path = tmp_path / "pupils.ndjson"
    good = {"pupil_code": "HS1", "full_name": "Lê Thị Một", "date_of_birth": "2018-01-02", "school": 5}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps({"pupil_code": "HS2"}) + "\n",
                    encoding="utf-8")
    client = Client(url, "token")
    first = push(client, "students", path, mode="per_record")
    assert first.job["counts"]["created"] == 1 and not first.reused
    assert [(r["line"], r["key"], list(r["errors"])) for r in first.rejected] == [(2, "HS2", ["full_name",
                                                                                           "date_of_birth", "school"])]
    again = push(client, "students", path, mode="per_record")  # the same file again: the same job
    assert again.reused and again.job["job"] == first.job["job"]
    assert push(client, "students", path).job["job"] != first.job["job"]  # another mode: another job
