"""Bulk upsert: send a whole file of pupils or staff as one job instead of one request per record.

    POST /api/v1/bulk/<students|staff>/?mode=atomic|per_record
        Content-Type: application/x-ndjson (one JSON object a line, the record API's field names) or text/csv
        Idempotency-Key: <key>
    -> 202 {"job": id, "status": "queued", "url": ...}
       200 the same job again, when the same key comes with the same body (a retry after a lost answer)
       409 {"error": {"code": "idempotency_key_reused", ...}} when the key comes with a different body
    GET /api/v1/bulk/jobs/<id>/ -> {"job", "records", "mode", "status": queued|running|done|failed,
        "counts": {"created", "updated", "unchanged", "rejected"}, "created_at", "finished_at", "results_url",
        "error"}
    GET /api/v1/bulk/jobs/<id>/results/?outcome=rejected -> pages (`next`) of
        {"line", "key", "outcome", "id", "errors": {field: [message]}}

`mode=atomic` (the default) writes all the records or none; `mode=per_record` writes the good ones and rejects
the others. The key defaults to a digest of the file and the mode: the same file sent twice (a cron job that
re-ran, a retry after a timeout) is one job, never two.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from .client import ApiError, Client

BULK_KINDS = ("students", "staff")
CONTENT_TYPES = {".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson", ".csv": "text/csv"}
FINISHED = {"done", "failed"}


@dataclass
class PushResult:
    job: dict
    rejected: list[dict]
    reused: bool  # True: the server answered 200, an existing job for this key


def content_type_of(path: Path) -> str:
    try:
        return CONTENT_TYPES[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"{path.name}: expected a .ndjson, .jsonl or .csv file") from None


def idempotency_key(body: bytes, mode: str) -> str:
    return "sync-client-" + hashlib.sha256(mode.encode() + b"\n" + body).hexdigest()[:48]


def bulk_submit(client: Client, kind: str, body: bytes, *, content_type: str, mode: str = "atomic",
                key: str | None = None) -> tuple[dict, int]:
    """POST the file; returns (the job as answered, the HTTP status: 202 a new job, 200 one the server had)."""
    if kind not in BULK_KINDS:
        raise ValueError(f"bulk upload takes {' or '.join(BULK_KINDS)}, not {kind}")
    try:
        answer = client.request("POST", f"bulk/{kind}/", params={"mode": mode}, body=body,
                                content_type=content_type,
                                headers={"Idempotency-Key": key or idempotency_key(body, mode)})
    except ApiError as exc:
        if exc.status == 404 and exc.code in ("not_found", "unexpected_answer"):
            raise ApiError(404, "bulk_unavailable", "this server has no bulk endpoint (/api/v1/bulk/)",
                           url=exc.url) from exc
        raise
    return answer.json(), answer.status


def job_wait(client: Client, job_id: int, *, timeout: float = 3600, poll: float = 0.5,
             poll_max: float = 10) -> dict:
    """Poll the job until it is done or failed, less often as it runs longer."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"bulk/jobs/{job_id}/")
        if job["status"] in FINISHED:
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {job['status']} after {timeout:.0f}s")
        time.sleep(poll)
        poll = min(poll * 1.5, poll_max)


def job_results(client: Client, job: dict, outcome: str | None = None) -> list[dict]:
    url = job.get("results_url") or f"bulk/jobs/{job['job']}/results/"
    return client.all(url, {"outcome": outcome} if outcome else None)


def push(client: Client, kind: str, path: Path, *, mode: str = "atomic", key: str | None = None,
         timeout: float = 3600) -> PushResult:
    """Send a file, wait for its job, fetch the rejected records' reasons."""
    body = path.read_bytes()
    first, status = bulk_submit(client, kind, body, content_type=content_type_of(path), mode=mode, key=key)
    job = job_wait(client, first["job"], timeout=timeout)
    rejected = job_results(client, job, "rejected") if job["counts"].get("rejected") else []
    return PushResult(job=job, rejected=rejected, reused=status == 200)
