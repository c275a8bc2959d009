"""The reference sync client of the edu_portal API (issue 20), written to be read by a school-software vendor.

It keeps a local copy (a *mirror*) of what one API token may see, pupils, staff and schools, and shows the whole
contract a client system needs, in a few small modules:

    client.py      one request: `Authorization: Token`, the `{"error": {...}}` answers, retries with backoff
                   on 429 and 5xx honouring `Retry-After`, keyset pages followed through `next`
    store.py       the mirror: a SQLite file on the vendor's side (records as served, the last `as_of`,
                   key changes seen, webhook events seen)
    sync.py        `full-load` (one snapshot, partitions pulled in parallel threads) and `delta` (the nightly
                   window: deletes and key changes by natural key, pupils transferred out, then the records)
    push.py        `push`: bulk upsert of a CSV or NDJSON file as a job, idempotent on retry
    webhooks.py    `webhook-listen`: a receiver that checks the HMAC signature, refuses stale messages and
                   drops repeats
    conformance.py `make conformance`: checks a server against this same contract, PASS/FAIL per check

Standard library only (urllib, sqlite3, http.server, threading): nothing to install, and it never imports the
portal or Django. Run it as `python -m sync_client --help`.
"""

__version__ = "1.0"
