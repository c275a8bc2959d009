"""The vendor's mirror: one SQLite file holding the records exactly as the API served them.

A vendor's own system would map these rows onto its tables; what matters for the contract is which
facts it keeps between runs:

- `records`: kind (students | staff | schools), the portal's `id`, the natural key (the record's code and its
  school's code: a school's software knows its pupils by pupil code, not by our ids) and the JSON served;
- `state`: `as_of` of the last snapshot loaded completely (the next delta starts there) and when;
- `key_changes`: old key -> new key (merges), so whatever the vendor hangs on a removed pupil can be re-pointed;
- `webhook_events`: the ids of the webhook messages already handled (repeats are dropped by them).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

KINDS = ("schools", "staff", "students")
# The field holding each kind's own code: the natural key is (school code, this code).
CODE_FIELD = {"schools": "code", "staff": "staff_code", "students": "pupil_code"}
# ... and its name inside a tombstone's or a key change's `natural_key`.
NATURAL_CODE = {"schools": "school_code", "staff": "staff_code", "students": "pupil_code"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id INTEGER NOT NULL, code TEXT NOT NULL, school_code TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS records_natural_key ON records (kind, school_code, code);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS key_changes (
    kind TEXT NOT NULL, old_id INTEGER NOT NULL, new_id INTEGER NOT NULL, reason TEXT NOT NULL,
    old_key TEXT NOT NULL, new_key TEXT NOT NULL, changed_at TEXT NOT NULL, PRIMARY KEY (kind, old_id, new_id));
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id TEXT PRIMARY KEY, type TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL);
"""


def natural_key(kind: str, record: dict) -> tuple[str, str]:
    """(school code, own code) of a record as the list serves it."""
    school_code = record["code"] if kind == "schools" else record.get("school_code") or ""
    return school_code, record[CODE_FIELD[kind]]


class Mirror:
    """Thread-safe enough for the full load's partition threads: one connection, one lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def transaction(self):
        """`with mirror.transaction():` one delta or one full load lands whole or not at all."""
        return _Transaction(self)

    # --- records ------------------------------------------------------------------------------------------

    def upsert(self, kind: str, rows: list[dict]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO records (kind, id, code, school_code, body) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (kind, id) DO UPDATE SET code = excluded.code, school_code = excluded.school_code,"
                " body = excluded.body",
                [(kind, row["id"], natural_key(kind, row)[1], natural_key(kind, row)[0],
                  json.dumps(row, ensure_ascii=False, sort_keys=True)) for row in rows])

    def remove(self, kind: str, *, record_id: int | None = None, natural: dict | None = None) -> int:
        """Remove by id, or else by natural key ({"school_code", "pupil_code" | "staff_code"}): a system that
        never stored our ids still finds the record. Returns how many rows went."""
        gone = 0
        if record_id is not None:
            gone = len(self._run("DELETE FROM records WHERE kind = ? AND id = ? RETURNING id", (kind, record_id)))
        if not gone and natural:
            code = natural.get(NATURAL_CODE[kind])
            gone = len(self._run("DELETE FROM records WHERE kind = ? AND school_code = ? AND code = ? RETURNING id",
                                 (kind, natural.get("school_code", ""), code)))
        return gone

    def records(self, kind: str) -> dict[int, dict]:
        return {rid: json.loads(body) for rid, body in
                self._run("SELECT id, body FROM records WHERE kind = ? ORDER BY id", (kind,))}

    def counts(self) -> dict[str, int]:
        found = dict(self._run("SELECT kind, count(*) FROM records GROUP BY kind"))
        return {kind: found.get(kind, 0) for kind in KINDS}

    def clear(self) -> None:
        self._run("DELETE FROM records")

    # --- key changes, state, webhook events -----------------------------------------------------------------

    def key_change_add(self, kind: str, change: dict) -> None:
        self._run("INSERT OR IGNORE INTO key_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (kind, change["old"]["id"], change["new"]["id"], change["reason"],
                   json.dumps(change["old"], ensure_ascii=False), json.dumps(change["new"], ensure_ascii=False),
                   change["changed_at"]))

    def key_changes(self, kind: str) -> list[dict]:
        return [{"old": json.loads(old), "new": json.loads(new), "reason": reason, "changed_at": at}
                for old, new, reason, at in self._run(
                    "SELECT old_key, new_key, reason, changed_at FROM key_changes WHERE kind = ? ORDER BY changed_at",
                    (kind,))]

    def get(self, key: str) -> str | None:
        found = self._run("SELECT value FROM state WHERE key = ?", (key,))
        return found[0][0] if found else None

    def set(self, key: str, value: str) -> None:
        self._run("INSERT INTO state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  (key, value))

    def event_seen(self, event_id: str, event_type: str, received_at: str, body: str) -> bool:
        """Record a webhook message; True if its id was already recorded (a repeat, to be dropped)."""
        inserted = self._run("INSERT OR IGNORE INTO webhook_events VALUES (?, ?, ?, ?) RETURNING event_id",
                             (event_id, event_type, received_at, body))
        return not inserted

    def events(self) -> list[dict]:
        return [json.loads(body) for (body,) in self._run("SELECT body FROM webhook_events ORDER BY received_at")]


class _Transaction:
    def __init__(self, mirror: Mirror):
        self.mirror = mirror

    def __enter__(self):
        self.mirror._run("BEGIN IMMEDIATE")
        return self.mirror

    def __exit__(self, kind, exc, tb):
        self.mirror._run("COMMIT" if exc is None else "ROLLBACK")
