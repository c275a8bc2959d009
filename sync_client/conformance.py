"""The conformance kit: does a server keep the sync contract? One line per check, PASS, FAIL or SKIP, and a
non-zero exit when anything fails.

    python -m sync_client.conformance --url http://127.0.0.1:8000 --token <token>
    make conformance URL=... TOKEN=...          (without them: the local `make run` and a demo token)

It only reads, except for the bulk checks, which send records built to be rejected (nothing is written on
a conforming server), and only with a token that may write. Large scopes are checked on their first
`--max-records` records per pull, so it can run against a national server.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from .client import ApiError, Client
from .push import bulk_submit, job_results, job_wait
from .store import KINDS

MASKED = re.compile(r"^\d{3}\*+\d{2}$")  # 001*******45: province prefix and last two digits
NATURAL_KEY_FIELDS = {"schools": {"school_code"}, "students": {"school_code", "pupil_code", "id_number"},
                      "staff": {"school_code", "staff_code", "id_number"}}
JOB_FIELDS = {"job", "records", "mode", "status", "counts", "created_at", "finished_at", "results_url", "error"}
RESULT_FIELDS = {"line", "key", "outcome", "id", "errors"}
COUNT_FIELDS = {"created", "updated", "unchanged", "rejected"}


class Failed(Exception):
    pass


class Skipped(Exception):
    pass


def expect(condition, message: str) -> None:
    if not condition:
        raise Failed(message)


@dataclass
class Outcome:
    name: str
    status: str  # PASS | FAIL | SKIP
    detail: str = ""


CHECKS: list[tuple[str, Callable]] = []


def check(name: str):
    def register(function):
        CHECKS.append((name, function))
        return function
    return register


class Kit:
    def __init__(self, base_url: str, token: str, *, max_records: int = 100_000, page_size: int = 1000):
        self.client = Client(base_url, token, max_attempts=4)
        self.base_url, self.max_records, self.page_size = base_url, max_records, page_size
        self._me: dict | None = None

    # --- helpers ------------------------------------------------------------------------------------------

    @property
    def me(self) -> dict:
        if self._me is None:
            self._me = self.client.get("me/")
        return self._me

    def kinds(self) -> list[str]:
        """The record kinds the token's profile reaches (all three without a profile)."""
        return [kind for kind in KINDS if kind in self.me.get("resources", {})]

    @property
    def probe(self) -> str:
        """A list the token may read, for the checks of refused parameters."""
        return (self.kinds() or ["schools"])[0] + "/"

    def pull(self, path: str, params: dict | None = None) -> tuple[list[dict], bool]:
        """Rows of a feed, following `next`, up to max_records; (rows, complete)."""
        rows: list[dict] = []
        for page in self.client.pages(path, {"page_size": self.page_size, **(params or {})}):
            expect(isinstance(page, list), f"{path}: `results` is not a list")
            rows += page
            if len(rows) >= self.max_records:
                return rows[: self.max_records], False
        return rows, True

    def error_of(self, call: Callable, status: int) -> ApiError:
        """Run `call`, which must be refused with `status` and the API's error shape."""
        try:
            call()
        except ApiError as exc:
            expect(exc.status == status, f"expected HTTP {status}, got {exc.status} ({exc.message})")
            expect(exc.code != "unexpected_answer", f"HTTP {status} without the error shape: {exc.message}")
            expect(exc.code and exc.message, f"HTTP {status}: error without code or message")
            return exc
        raise Failed(f"expected HTTP {status}, got a success")

    def snapshot(self) -> dict:
        answer = self.client.post_json("snapshots/")
        expect(answer.status == 201, f"POST /snapshots/: expected 201, got {answer.status}")
        body = answer.json()
        expect(isinstance(body, dict) and {"snapshot", "as_of", "expires_at"} <= set(body),
               f"POST /snapshots/: expected snapshot, as_of, expires_at, got {body}")
        return body

    def run(self, only: set[str] | None = None, skip: set[str] | None = None) -> list[Outcome]:
        outcomes = []
        for name, function in CHECKS:
            group = name.split(".")[0]
            if (only and group not in only and name not in only) or (skip and (group in skip or name in skip)):
                continue
            try:
                outcomes.append(Outcome(name, "PASS", function(self) or ""))
            except Skipped as exc:
                outcomes.append(Outcome(name, "SKIP", str(exc)))
            except Failed as exc:
                outcomes.append(Outcome(name, "FAIL", str(exc)))
            except (ApiError, ValueError, KeyError, TypeError, AttributeError) as exc:
                # An unexpected status or a body of the wrong shape is a failure of the server, not of the kit.
                outcomes.append(Outcome(name, "FAIL", f"{type(exc).__name__}: {exc}"))
        return outcomes


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- authentication and /me/ ---------------------------------------------------------------------------------

@check("auth.no_token")
def auth_no_token(kit: Kit):
    anonymous = Client(kit.base_url, None, max_attempts=1)
    kit.error_of(lambda: anonymous.get("me/"), 401)
    kit.error_of(lambda: anonymous.get("students/"), 401)


@check("auth.bad_token")
def auth_bad_token(kit: Kit):
    wrong = Client(kit.base_url, "not-a-token-" + uuid.uuid4().hex, max_attempts=1)
    kit.error_of(lambda: wrong.get("me/"), 401)
    kit.error_of(lambda: wrong.get("schools/"), 401)


@check("me")
def me(kit: Kit):
    body = kit.me
    token = body.get("token") or {}
    expect({"scope", "can_write", "can_view_id_numbers"} <= set(token), f"/me/ token lacks scope/rights: {token}")
    expect(isinstance(body.get("resources"), dict), "/me/ has no `resources`")
    for kind in kit.kinds():
        fields = body["resources"][kind].get("fields", {})
        expect({"read", "write"} <= set(fields), f"/me/ resources.{kind}.fields lacks read/write")
    return f"scope {token['scope']}, write={token['can_write']}, id_numbers={token['can_view_id_numbers']}"


# --- paging, updated_since ----------------------------------------------------------------------------------

@check("paging")
def paging(kit: Kit):
    details = []
    for kind in kit.kinds():
        small, pages = [], 0
        for page in kit.client.pages(f"{kind}/", {"page_size": 2}):
            expect(len(page) <= 2, f"{kind}: page_size=2 gave {len(page)} rows")
            small += [row["id"] for row in page]
            pages += 1
            if pages == 20:
                break
        one = [row["id"] for row in kit.client.get(f"{kind}/", {"page_size": len(small) or 1})["results"]]
        expect(small == one[: len(small)], f"{kind}: pages of 2 do not make up one page of {len(small)}")
        expect(len(small) == len(set(small)), f"{kind}: a record on two pages")
        rows, complete = kit.pull(f"{kind}/")
        ids = [row["id"] for row in rows]
        expect(len(ids) == len(set(ids)), f"{kind}: a record served twice when following `next`")
        details.append(f"{kind} {len(ids)}{'' if complete else '+'}")
    return ", ".join(details)


@check("updated_since")
def updated_since(kit: Kit):
    for kind in kit.kinds():
        rows = kit.client.get(f"{kind}/", {"updated_since": "1970-01-01T00:00:00Z", "page_size": 200})["results"]
        stamps = [when(row["updated_at"]) for row in rows]
        expect(stamps == sorted(stamps), f"{kind}?updated_since: not ordered by updated_at")
        if rows:
            middle = rows[len(rows) // 2]["updated_at"]
            later = kit.client.get(f"{kind}/", {"updated_since": middle, "page_size": 200})["results"]
            expect(later and all(when(row["updated_at"]) >= when(middle) for row in later),
                   f"{kind}?updated_since={middle}: rows updated before it")
        future = kit.client.get(f"{kind}/", {"updated_since": "2199-01-01T00:00:00Z"})
        expect(future["results"] == [] and future["next"] is None, f"{kind}: rows updated in 2199")
    exc = kit.error_of(lambda: kit.client.get(kit.probe, {"updated_since": "yesterday"}), 400)
    expect("updated_since" in json.dumps(exc.details), "400 for updated_since does not name the parameter")


# --- snapshots and partitions -------------------------------------------------------------------------------

@check("snapshot")
def snapshot(kit: Kit):
    snap = kit.snapshot()
    as_of, details = when(snap["as_of"]), []
    for kind in kit.kinds():
        first, complete = kit.pull(f"{kind}/", {"snapshot": snap["snapshot"]})
        second, _ = kit.pull(f"{kind}/", {"snapshot": snap["snapshot"]})
        expect(first == second, f"{kind}: two pulls under one snapshot differ")
        late = [row["id"] for row in first if when(row["updated_at"]) >= as_of]
        expect(not late, f"{kind}: rows updated at or after the snapshot's as_of: {late[:5]}")
        details.append(f"{kind} {len(first)}{'' if complete else '+'}")
    exc = kit.error_of(lambda: kit.client.get(kit.probe, {"snapshot": "not-a-snapshot"}), 400)
    expect("snapshot" in exc.details, "400 for a bad snapshot does not name `snapshot`")
    return ", ".join(details)


@check("partitions")
def partitions(kit: Kit):
    snap, details, n = kit.snapshot()["snapshot"], [], 3
    feeds = [f"{kind}/" for kind in kit.kinds()] + [f"{kind}/deleted/" for kind in kit.kinds()]
    for path in feeds:
        whole, complete = kit.pull(path, {"snapshot": snap})
        if not complete:
            details.append(f"{path} too large, not divided")
            continue
        parts = [kit.pull(path, {"snapshot": snap, "partition": k, "partitions": n})[0] for k in range(n)]
        union = [row["id"] for part in parts for row in part]
        expect(len(union) == len(set(union)), f"{path}: partitions overlap")
        expect(set(union) == {row["id"] for row in whole}, f"{path}: the {n} partitions are not the whole")
        details.append(f"{path} {len(whole)} = {' + '.join(str(len(p)) for p in parts)}")
    for params in ({"partition": 1}, {"partition": n, "partitions": n}):
        kit.error_of(lambda params=params: kit.client.get(kit.probe, params), 400)
    return "; ".join(details)


# --- deletes and key changes by natural key -----------------------------------------------------------------

def natural_key_check(kind: str, key: dict, where: str) -> None:
    expect(isinstance(key, dict), f"{where}: natural key is not an object")
    expect(NATURAL_KEY_FIELDS[kind] - {"id_number"} <= set(key) <= NATURAL_KEY_FIELDS[kind],
           f"{where}: natural key {sorted(key)} instead of {sorted(NATURAL_KEY_FIELDS[kind])}")


@check("feeds.deleted")
def feeds_deleted(kit: Kit):
    seen = []
    for kind in kit.kinds():
        rows = kit.client.get(f"{kind}/deleted/", {"page_size": 100})["results"]
        for row in rows:
            expect({"id", "code", "natural_key", "deleted_at", "reason"} <= set(row), f"{kind}/deleted/: {row}")
            natural_key_check(kind, row["natural_key"], f"{kind}/deleted/ {row['id']}")
            when(row["deleted_at"])
        seen.append(f"{kind} {len(rows)}")
    return "rows checked: " + ", ".join(seen)


@check("feeds.key_changes")
def feeds_key_changes(kit: Kit):
    seen = []
    for kind in kit.kinds():
        rows = kit.client.get(f"{kind}/key-changes/", {"page_size": 100})["results"]
        for row in rows:
            expect({"reason", "old", "new", "changed_at"} <= set(row), f"{kind}/key-changes/: {row}")
            for side in ("old", "new"):
                expect(isinstance(row[side].get("id"), int), f"{kind}/key-changes/: {side} without an id")
                natural_key_check(kind, {k: v for k, v in row[side].items() if k != "id"}, f"{kind}/key-changes/")
        seen.append(f"{kind} {len(rows)}")
    if "students" in kit.kinds():
        rows = kit.client.get("students/transferred-out/", {"page_size": 100})["results"]
        for row in rows:
            expect({"id", "pupil_code", "school", "left_on", "updated_at"} <= set(row), f"transferred-out: {row}")
        seen.append(f"transferred-out {len(rows)}")
    return "rows checked: " + ", ".join(seen)


# --- ID numbers masked as /me/ says -------------------------------------------------------------------------

@check("id_numbers")
def id_numbers(kit: Kit):
    full = kit.me["token"]["can_view_id_numbers"]
    checked = 0
    for kind in ("students", "staff"):
        if kind not in kit.kinds():
            continue
        readable = "id_number" in kit.me["resources"][kind]["fields"]["read"]
        values = [row.get("id_number") for row in kit.client.get(f"{kind}/", {"page_size": 200})["results"]]
        for row in kit.client.get(f"{kind}/deleted/", {"page_size": 200})["results"]:
            values.append(row["natural_key"].get("id_number"))
        for row in kit.client.get(f"{kind}/key-changes/", {"page_size": 200})["results"]:
            values += [row["old"].get("id_number"), row["new"].get("id_number")]
        for value in filter(None, values):
            checked += 1
            expect(readable, f"{kind}: an ID number served to a profile that may not read it")
            if not full:
                expect(MASKED.match(value), f"{kind}: ID number {value[:3]}... not masked for this token")
    return f"{checked} numbers, {'full' if full else 'masked'} expected"


# --- bad parameters -----------------------------------------------------------------------------------------

@check("bad_parameters")
def bad_parameters(kit: Kit):
    for params in ({"no_such_parameter": "1"}, {"page_size": "abc"}, {"page_size": "100000"},
                   {"cursor": "garbage"}, {"partitions": "4"}):
        kit.error_of(lambda params=params: kit.client.get(kit.probe, params), 400)


# --- bulk upsert --------------------------------------------------------------------------------------------

@check("bulk")
def bulk(kit: Kit):
    writable = bool(kit.me.get("resources", {}).get("students", {}).get("write"))
    tag = uuid.uuid4().hex[:10]
    # Rejected by any conforming server, whatever the token's scope: a pupil without name, birth date or school,
    # and one born on 30 February. Well-formed lines, so that the lifecycle is checked apart from how a server
    # treats a line that is not JSON (checked last: a rejected line, or a 400 for the request).
    lines = [{"pupil_code": f"CONFORMANCE-{tag}-1", "full_name": ""},
             {"pupil_code": f"CONFORMANCE-{tag}-2", "full_name": "Kiểm Tra", "date_of_birth": "2018-02-30"}]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    key = f"conformance-{tag}"

    def submit(data: bytes = body, mode: str = "per_record", with_key: str = key):
        return bulk_submit(kit.client, "students", data, content_type="application/x-ndjson", mode=mode,
                           key=with_key)

    if not writable:
        kit.error_of(submit, 403)
        return "read-only token: 403"
    try:
        first, status = submit()
    except ApiError as exc:
        raise Failed(f"POST /bulk/students/: {exc}") from exc
    expect(status == 202 and {"job", "status", "url"} <= set(first) and first["status"] == "queued",
           f"POST /bulk/students/: expected 202 {{job, status: queued, url}}, got {status} {first}")
    again, status = submit()
    expect(status == 200 and again["job"] == first["job"], "same Idempotency-Key and body: not 200 with the same job")
    other = body + (json.dumps({"pupil_code": f"CONFORMANCE-{tag}-3"}) + "\n").encode()  # one more record
    exc = kit.error_of(lambda: submit(other), 409)
    expect(exc.code == "idempotency_key_reused", f"key reused with another body: code {exc.code}")
    job = job_wait(kit.client, first["job"], timeout=120)
    expect(JOB_FIELDS <= set(job), f"job lacks {sorted(JOB_FIELDS - set(job))}")
    expect(COUNT_FIELDS <= set(job["counts"]), f"job counts lack {sorted(COUNT_FIELDS - set(job['counts']))}")
    expect(job["status"] == "done" and job["mode"] == "per_record", f"per_record job ended {job['status']}")
    expect(job["counts"]["rejected"] == 2 and job["counts"]["created"] == job["counts"]["updated"] == 0,
           f"two bad lines: counts {job['counts']}")
    results = job_results(kit.client, job, "rejected")
    expect(len(results) == 2 and all(RESULT_FIELDS <= set(r) for r in results), f"results: {results}")
    expect(sorted(r["line"] for r in results) == [1, 2] and all(r["outcome"] == "rejected" and r["errors"]
                                                                for r in results), f"results: {results}")
    atomic, _ = submit(mode="atomic", with_key=key + "-atomic")
    job = job_wait(kit.client, atomic["job"], timeout=120)
    expect(job["status"] in ("done", "failed") and job["counts"]["created"] == job["counts"]["updated"] == 0,
           f"atomic job with bad lines wrote something: {job}")
    try:  # a line that is not JSON: rejected with its line number, or the request refused whole
        broken, _ = submit(b"{not json\n", with_key=key + "-malformed")
    except ApiError as exc:
        expect(exc.status == 400 and exc.code != "unexpected_answer", f"a line that is not JSON: {exc}")
    else:
        job = job_wait(kit.client, broken["job"], timeout=120)
        expect(job["counts"]["rejected"] == 1 and job_results(kit.client, job, "rejected")[0]["line"] == 1,
               f"a line that is not JSON: {job}")
    return f"job {first['job']} (per_record), {atomic['job']} (atomic)"


# --- command line -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync_client.conformance", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="an API token (read-only or read-write)")
    parser.add_argument("--only", default="", help="comma-separated checks or groups to run")
    parser.add_argument("--skip", default="", help="comma-separated checks or groups to leave out")
    parser.add_argument("--max-records", type=int, default=100_000, help="records read per pull at most")
    args = parser.parse_args(argv)
    started = time.monotonic()
    kit = Kit(args.url, args.token, max_records=args.max_records)
    outcomes = kit.run(only=set(filter(None, args.only.split(","))), skip=set(filter(None, args.skip.split(","))))
    for outcome in outcomes:
        print(f"{outcome.status:4}  {outcome.name:18} {outcome.detail}")
    failed = [o.name for o in outcomes if o.status == "FAIL"]
    print(f"\n{len(outcomes) - len(failed)}/{len(outcomes)} checks did not fail in {time.monotonic() - started:.1f}s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
